"""Text as people type it: search that ignores case and Vietnamese diacritics, so "thu tuc"
finds "thủ tục" and "dang ky" finds "đăng ký". Pure: the stored text and the query are folded
the same way."""

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
# The combining marks Latin scripts use (Vietnamese tones, circumflex, breve, horn: all here);
# one regex pass instead of testing each character (the tariff index folds ~20,000 texts).
_MARKS = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), words separated by single spaces."""
    text = (text or "").lower()
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFD", text.replace("đ", "d")))
    return " ".join(_WORD.findall(text))
