"""Tariff lines as the declarant types: words in Vietnamese (with or without diacritics) or
English, or digits of the code, ranked by relevance and by how often the enterprise declared
each line before.

An in-process index over the cached tariff (reference_cache) and the HS 2022 nomenclature
descriptions of each line's heading and subheading (so "bovine" finds a line described only as
"Thịt trâu, bò"): every folded word points at the lines it occurs in, split in two tiers (the
line's own descriptions, its headings). A query word matches every indexed word it begins
(the last word is usually half typed), found by bisecting the sorted vocabulary; the lines that
match every word are then scored. Rebuilt when the reference cache reloads.
"""

import math
import threading
from bisect import bisect_left
from dataclasses import dataclass

from . import reference_cache
from .text import fold

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
OWN, CONTEXT = 0, 1


@dataclass(frozen=True)
class Suggestion:
    hs_code: str
    score: float
    declared_before: int


class TariffIndex:
    def __init__(self, lines, nomenclature: dict[str, str]):
        self.codes: list[str] = []
        self.own: list[str] = []  # " folded own descriptions " (for phrase matches)
        postings: tuple[dict, dict] = ({}, {})
        headings: dict[str, set] = {}  # folded words of each heading and subheading, once
        for line in sorted(lines, key=lambda t: t.hs_code):
            index = len(self.codes)
            self.codes.append(line.hs_code)
            own = fold(f"{line.description_vi} {line.description_en}")
            self.own.append(f" {own} ")
            context = set()
            for code in (line.hs_code[:4], line.hs_code[:6]):
                if code not in headings:
                    headings[code] = set(fold(nomenclature.get(code, "")).split())
                context |= headings[code]
            for tier, words in ((OWN, set(own.split())), (CONTEXT, context)):
                for word in words:
                    postings[tier].setdefault(word, set()).add(index)
        self.postings = postings
        self.vocabulary = sorted(set(postings[OWN]) | set(postings[CONTEXT]))

    def _words_starting(self, prefix: str) -> list[str]:
        start = bisect_left(self.vocabulary, prefix)
        end = bisect_left(self.vocabulary, prefix + "\uffff")
        return self.vocabulary[start:end]

    def _term_hits(self, term: str) -> tuple[set, set, set]:
        """Lines whose own text has a word starting with `term`, those where a word equals it,
        and those where only the headings match."""
        own, exact, context = set(), set(), set()
        for word in self._words_starting(term):
            hits = self.postings[OWN].get(word)
            if hits:
                own |= hits
                if word == term:
                    exact |= hits
            context |= self.postings[CONTEXT].get(word, set())
        return own, exact, context - own

    def search(self, query: str, *, limit: int = 10,
               usage: dict[str, int] | None = None) -> list[Suggestion]:
        usage = usage or {}
        compact = (query or "").replace(".", "").replace(" ", "")
        if compact.isdigit():
            prefix = compact[:8]
            start = bisect_left(self.codes, prefix)
            found = []
            for code in self.codes[start:]:
                if not code.startswith(prefix):
                    break
                found.append(code)
            ranked = sorted(found, key=lambda code: (-usage.get(code, 0), code))[:limit]
            return [Suggestion(code, float(usage.get(code, 0)), usage.get(code, 0))
                    for code in ranked]
        terms = [term[:MAX_TERM_LENGTH] for term in fold(query).split()][:MAX_TERMS]
        if not terms:
            return []
        scores: dict[int, float] | None = None
        for term in terms:
            own, exact, context = self._term_hits(term)
            points = {i: 3.0 for i in context}
            points.update((i, 10.0) for i in own)
            for i in exact:
                points[i] = 12.0
            if scores is None:
                scores = points
            else:
                scores = {i: scores[i] + points[i] for i in scores.keys() & points.keys()}
            if not scores:
                return []
        phrase = " " + " ".join(terms)
        for i in scores:
            if len(terms) > 1 and phrase in self.own[i]:
                scores[i] += 20
            # The enterprise's own habits: log-scaled, so a line declared 100 times leads
            # without burying a better-matching line declared once.
            declared = usage.get(self.codes[i], 0)
            if declared:
                scores[i] += 8 * math.log2(1 + declared)
        best = sorted(scores.items(), key=lambda item: (-item[1], self.codes[item[0]]))[:limit]
        return [Suggestion(self.codes[i], score, usage.get(self.codes[i], 0))
                for i, score in best]

    def matching_codes(self, query: str) -> list[str]:
        """Every line matching the query (unranked beyond relevance): the list filters."""
        return [s.hs_code for s in self.search(query, limit=len(self.codes) or 1)]


_lock = threading.Lock()
_built: tuple[object, int, TariffIndex] | None = None  # (tables, fingerprint, index)


def _nomenclature() -> dict[str, str]:
    from .models import HsNomenclature

    return dict(HsNomenclature.objects.filter(level__in=[4, 6])
                .values_list("code", "description"))


def _fingerprint(tables) -> int:
    return hash(tuple(sorted((t.hs_code, t.description_vi, t.description_en)
                             for t in tables.tariff_lines.values())))


def index() -> TariffIndex:
    """The index of the tariff as cached now. The reference cache reloads every few minutes;
    the index is built again only when the tariff's codes or descriptions changed (a build
    takes about half a second for the full tariff, a fingerprint ~10 ms)."""
    global _built
    tables = reference_cache.tables()
    built = _built
    if built is not None and built[0] is tables:
        return built[2]
    with _lock:
        built = _built
        if built is not None and built[0] is tables:
            return built[2]
        fingerprint = _fingerprint(tables)
        if built is not None and built[1] == fingerprint:
            _built = (tables, fingerprint, built[2])
        else:
            _built = (tables, fingerprint,
                      TariffIndex(tables.tariff_lines.values(), _nomenclature()))
        return _built[2]


def tariff_suggest(query: str, *, limit: int = 10,
                   usage: dict[str, int] | None = None) -> list[Suggestion]:
    """The best tariff lines for what was typed; `usage` counts the lines the enterprise
    declared before (hs_code -> times)."""
    return index().search(query, limit=limit, usage=usage)
