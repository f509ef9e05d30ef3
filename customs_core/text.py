"""Text as people type it: search that ignores case and Vietnamese diacritics, so "thu tuc"
finds "thủ tục" and "dang ky" finds "đăng ký". Pure: the stored text and the query are folded
the same way."""

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), words separated by single spaces."""
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))
