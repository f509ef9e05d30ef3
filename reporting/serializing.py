"""The dashboard's figures as JSON: one shape for the reports API, the charts' data on the
pages and the exports. Money as strings (exact), durations in whole seconds, months as
YYYY-MM, the filters as their query parameters."""

from decimal import Decimal

from .selectors import ReportFilters

CENT = Decimal("0.01")


def plain(value, key: str = ""):
    """Decimals to exact strings (USD to the cent, VND whole), filters to parameters, seconds
    rounded; lists and dicts recursively."""
    if isinstance(value, ReportFilters):
        return value.as_params()
    if isinstance(value, dict):
        return {k: plain(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, key) for v in value]
    if isinstance(value, Decimal):
        exponent = CENT if key.endswith("usd") else Decimal(1)
        return str(value.quantize(exponent))
    if isinstance(value, float) and key.endswith("seconds"):
        return round(value)
    return value
