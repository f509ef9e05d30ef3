"""Money on screen: formatted per currency (its own minor units) and per interface language."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django.utils.translation import get_language

# Parsed once: Babel parses a locale name on every call otherwise (a dashboard formats ~900
# numbers).
_BABEL_LOCALES = {"vi": Locale.parse("vi_VN"), "en": Locale.parse("en_US")}


def babel_locale() -> Locale:
    return _BABEL_LOCALES.get((get_language() or "vi")[:2], _BABEL_LOCALES["vi"])


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """"1.234.567 ₫" in Vietnamese, "₫1,234,567" in English; USD with cents, VND without."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount), currency, locale=babel_locale())


def format_number(amount: Decimal | int | None, *, exact: bool = False) -> str:
    """"1.234,5" in Vietnamese, "1,234.5" in English; at most 3 decimals unless `exact`
    (then every significant decimal, as validation messages quote what was typed)."""
    if amount is None:
        return ""
    return format_decimal(Decimal(amount), locale=babel_locale(),
                          decimal_quantization=not exact)
