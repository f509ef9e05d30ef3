"""Writes of the reference domain."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from .choices import ExchangeRateSource
from .models import ExchangeRate
from .selectors import week_start


@transaction.atomic
def exchange_rate_publish(*, currency: str, week: date, rate_vnd: Decimal) -> ExchangeRate:
    """Record the customs rate of a currency for the week containing `week`.

    A published rate replaces a carried-forward one; it never silently replaces another
    published rate (that would change duties already computed for the week).
    """
    start = week_start(week)
    rate, created = ExchangeRate.objects.get_or_create(
        currency_id=currency, week_start=start,
        defaults={"rate_vnd": rate_vnd, "source": ExchangeRateSource.PUBLISHED})
    if not created and rate.source == ExchangeRateSource.CARRIED_FORWARD:
        rate.rate_vnd, rate.source = rate_vnd, ExchangeRateSource.PUBLISHED
        rate.save(update_fields=["rate_vnd", "source"])
    return rate


def exchange_rates_carry_forward(*, on: date) -> int:
    """Give every currency quoted last week a rate for this week if none was published yet.

    Declarations registered on Monday morning need this week's rate before customs has loaded
    it; carrying last week's rate forward (marked as such) keeps registration open.
    """
    this_week = week_start(on)
    last_week = this_week - timedelta(days=7)
    have = set(ExchangeRate.objects.filter(week_start=this_week)
               .values_list("currency_id", flat=True))
    created = 0
    for previous in ExchangeRate.objects.filter(week_start=last_week).exclude(currency_id__in=have):
        try:
            with transaction.atomic():
                ExchangeRate.objects.create(currency_id=previous.currency_id, week_start=this_week,
                                            rate_vnd=previous.rate_vnd,
                                            source=ExchangeRateSource.CARRIED_FORWARD)
            created += 1
        except IntegrityError:
            # Published (or carried forward by a concurrent run) in between: nothing to do.
            continue
    return created
