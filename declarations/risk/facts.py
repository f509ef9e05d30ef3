"""Facts for scoring, read in bulk: a constant number of queries for any number of
declarations (the what-if simulation scores a month of them at once)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from customs_core import reference_cache
from customs_core.models import TariffLine
from customs_core.selectors import week_start

from ..models import Declaration, GoodsLine
from ..selectors import enterprise_violations_since
from . import cache as risk_cache
from .scoring import Facts, LineFacts

HISTORY_DAYS = 3700  # the longest compliance window a rule may ask for (120 months)


def _usd_rates(weeks) -> dict[date, Decimal]:
    """USD rates of the weeks, to compare prices in USD (a rate read <60 s ago will do)."""
    return {week: reference_cache.exchange_rate_estimate("USD", week) for week in weeks}


def facts_for(declarations: list[Declaration], *, now=None) -> dict[int, Facts]:
    """Facts of each declaration, keyed by its primary key."""
    now = now or timezone.now()
    if not declarations:
        return {}
    ids = [d.pk for d in declarations]
    lines = defaultdict(list)
    # Plain tuples, not model instances: building a model per line cost more than the query.
    for row in (GoodsLine.objects.filter(declaration_id__in=ids)
                .order_by("declaration_id", "line_no")
                .values_list("declaration_id", "line_no", "tariff_line_id", "origin_country_id",
                             "unit_price")):
        lines[row[0]].append(row[1:])
    ref = reference_cache.tables()
    overrides = risk_cache.tables().reference_prices
    enterprises = {d.enterprise_id: d.enterprise for d in declarations}
    violations = enterprise_violations_since(enterprises, now - timedelta(days=HISTORY_DAYS))
    days = {d.pk: timezone.localdate(d.submitted_at or now) for d in declarations}
    usd = _usd_rates({week_start(day) for day in days.values()})
    # Once per enterprise, not per declaration (a busy importer files thousands a year).
    violation_days = {pk: tuple(sorted((now - at).days for at in violations.get(pk, [])))
                      for pk in enterprises}
    facts = {}
    for d in declarations:
        on = days[d.pk]
        enterprise = enterprises[d.enterprise_id]
        usd_rate = usd.get(week_start(on))
        line_facts = []
        for line_no, tariff_line_id, origin, unit_price in lines[d.pk]:
            tariff = ref.row(TariffLine, tariff_line_id)
            reference = overrides.get(tariff_line_id,
                                      tariff.reference_unit_price_usd if tariff else None)
            price_usd = None
            if d.currency_id == "USD":
                price_usd = unit_price
            elif usd_rate and d.exchange_rate:
                price_usd = unit_price * d.exchange_rate / usd_rate
            line_facts.append(LineFacts(line_no=line_no, hs_code=tariff.hs_code if tariff else "",
                                        origin=origin, unit_price_usd=price_usd,
                                        reference_price_usd=reference))
        facts[d.pk] = Facts(
            number=d.number or f"{d.pk:011d}0", on=on, regime=d.regime_id,
            trading_country=d.trading_country_id, enterprise_tax_code=enterprise.tax_code,
            enterprise_priority=enterprise.is_priority,
            enterprise_age_days=(on - enterprise.established_on).days
            if enterprise.established_on else None,
            violation_days_ago=violation_days[d.enterprise_id],
            amendment_count=d.amendment_count, lines=tuple(line_facts),
            declarant=str(d.declarant_id or ""), border_gate=str(d.border_gate_id or ""),
            partner=" ".join(d.partner_name.upper().split())[:80],
            value_usd=float(d.customs_value_vnd / usd_rate)
            if usd_rate and d.customs_value_vnd else None,
            quantity=float(d.gross_weight_kg) if d.gross_weight_kg else None)
    return facts
