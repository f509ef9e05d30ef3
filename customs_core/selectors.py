"""Reads of the reference domain."""

from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from .models import BorderGate, Enterprise, ExchangeRate, Regime, TariffLine, TariffRate, User


def week_start(on: date) -> date:
    """The Monday of the customs week containing `on` (one rate applies Monday to Sunday)."""
    return on - timedelta(days=on.weekday())


def tariff_lines_search(*, query: str = "", on: date | None = None) -> QuerySet[TariffLine]:
    """Tariff lines matching an HS code prefix or words (Vietnamese or English), rates prefetched.

    A digits-only query is a code prefix ("0810" finds every line of heading 08.10); dots and
    spaces inside codes are ignored ("0810.60" works). Every word must begin a word of the
    line's descriptions or of its HS headings, diacritics ignored ("thit bo" finds "Thịt bò").
    """
    lines = TariffLine.objects.select_related("subheading")
    rates = TariffRate.objects.order_by("-valid_from")
    if on is not None:
        rates = rates.filter(valid_from__lte=on)
    lines = lines.prefetch_related(Prefetch("rates", queryset=rates, to_attr="rates_desc"))
    query = (query or "").strip()
    if not query:
        return lines
    compact = query.replace(".", "").replace(" ", "")
    if compact.isdigit():
        return lines.filter(hs_code__startswith=compact[:8])
    from .tariff_search import index

    return lines.filter(hs_code__in=index().matching_codes(query))


def tariff_rate_in_force(line: TariffLine, on: date) -> TariffRate | None:
    """The rates of a line on a date: the newest set whose valid_from is not after it."""
    prefetched = getattr(line, "rates_desc", None)
    if prefetched is not None:
        return next((rate for rate in prefetched if rate.valid_from <= on), None)
    return line.rates.filter(valid_from__lte=on).order_by("-valid_from").first()


def exchange_rate_for(*, currency: str, on: date) -> ExchangeRate | None:
    """The customs exchange rate in force on a date (the rate of its week)."""
    # One row by its unique (currency, week_start) index: no ORDER BY, no join.
    rows = ExchangeRate.objects.filter(currency_id=currency, week_start=week_start(on))
    return next(iter(rows.order_by()[:1]), None)


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    """Officers see every enterprise; a declarant sees only its own."""
    if not user.is_authenticated:
        return Enterprise.objects.none()
    if user.is_officer:
        return Enterprise.objects.all()
    return Enterprise.objects.filter(pk=user.enterprise_id)


def tariff_lines_all() -> list[TariffLine]:
    """Every tariff line in HS order, from the process cache (the form's HS code list)."""
    from . import reference_cache

    return sorted(reference_cache.tables().tariff_lines.values(), key=lambda t: t.hs_code)


def tariff_line_get(hs_code: str) -> TariffLine:
    """One tariff line by its 8-digit code, or 404."""
    from django.http import Http404

    try:
        return TariffLine.objects.get(hs_code=str(hs_code))
    except TariffLine.DoesNotExist as exc:
        raise Http404 from exc


def home_figures(today: date) -> dict:
    """What every home page shows: this week's customs rates of the main currencies and the
    size of the reference data."""
    return {"rates": ExchangeRate.objects.filter(week_start=week_start(today),
                                                 currency_id__in=["USD", "CNY", "EUR"])
            .select_related("currency"),
            "reference": {"tariff_lines": TariffLine.objects.count(),
                          "regimes": Regime.objects.count(),
                          "border_gates": BorderGate.objects.filter(is_active=True).count()}}
