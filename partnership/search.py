"""Search that ignores Vietnamese diacritics: "thu tuc" finds "thủ tục", "dang ky" finds
"đăng ký". Pure: both the stored text and the query are folded the same way."""

from customs_core.text import fold

__all__ = ["fold", "score", "terms"]


def terms(query: str) -> list[str]:
    """The query's folded words, each at most 40 characters, at most 8 of them."""
    return [word[:40] for word in fold(query).split()][:8]


def score(folded_title: str, folded_text: str, query_terms: list[str]) -> int:
    """Relevance: the whole phrase in the title beats words in the title beats the phrase in
    the text beats words in the text (every word must appear somewhere)."""
    phrase = " ".join(query_terms)
    points = 0
    if phrase and phrase in folded_title:
        points += 100
    points += 10 * sum(term in folded_title for term in query_terms)
    if phrase and phrase in folded_text:
        points += 5
    return points
