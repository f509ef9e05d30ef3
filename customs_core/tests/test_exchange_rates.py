from datetime import date
from decimal import Decimal

import pytest

from customs_core.choices import ExchangeRateSource
from customs_core.models import ExchangeRate
from customs_core.selectors import exchange_rate_for, week_start
from customs_core.services import exchange_rate_publish, exchange_rates_carry_forward

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 11, 25)
MONDAY = date(2026, 11, 23)


def test_week_starts_on_monday():
    assert week_start(WEDNESDAY) == MONDAY
    assert week_start(MONDAY) == MONDAY
    assert week_start(date(2026, 11, 29)) == MONDAY  # Sunday belongs to the same week


def test_rate_of_the_week_applies_to_every_day_of_it():
    exchange_rate_publish(currency="USD", week=MONDAY, rate_vnd=Decimal("26250"))
    assert exchange_rate_for(currency="USD", on=date(2026, 11, 29)).rate_vnd == Decimal("26250")
    assert exchange_rate_for(currency="USD", on=date(2026, 11, 30)) is None


def test_missing_rate_is_carried_forward_from_last_week():
    exchange_rate_publish(currency="CNY", week=date(2026, 11, 16), rate_vnd=Decimal("3610"))
    assert exchange_rates_carry_forward(on=WEDNESDAY) == 1
    rate = ExchangeRate.objects.get(currency_id="CNY", week_start=MONDAY)
    assert (rate.rate_vnd, rate.source) == (Decimal("3610"), ExchangeRateSource.CARRIED_FORWARD)


def test_carrying_forward_twice_creates_nothing_more():
    exchange_rate_publish(currency="CNY", week=date(2026, 11, 16), rate_vnd=Decimal("3610"))
    exchange_rates_carry_forward(on=WEDNESDAY)
    assert exchange_rates_carry_forward(on=WEDNESDAY) == 0
    assert ExchangeRate.objects.filter(currency_id="CNY").count() == 2


def test_published_rate_replaces_a_carried_forward_one():
    exchange_rate_publish(currency="USD", week=date(2026, 11, 16), rate_vnd=Decimal("26200"))
    exchange_rates_carry_forward(on=WEDNESDAY)
    exchange_rate_publish(currency="USD", week=WEDNESDAY, rate_vnd=Decimal("26310"))
    rate = ExchangeRate.objects.get(currency_id="USD", week_start=MONDAY)
    assert (rate.rate_vnd, rate.source) == (Decimal("26310"), ExchangeRateSource.PUBLISHED)


def test_published_rate_is_never_overwritten_by_another():
    exchange_rate_publish(currency="USD", week=MONDAY, rate_vnd=Decimal("26310"))
    exchange_rate_publish(currency="USD", week=MONDAY, rate_vnd=Decimal("1"))
    assert ExchangeRate.objects.get(currency_id="USD", week_start=MONDAY).rate_vnd == 26310
