"""A real Celery worker on Redis runs a task that changes a row of the test database."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customs_core.choices import ExchangeRateSource
from customs_core.models import ExchangeRate
from customs_core.selectors import week_start
from customs_core.tasks import exchange_rates_carry_forward_task
from customs_core.testing.services import wait_until

pytestmark = pytest.mark.services


def test_worker_carries_last_weeks_rate_forward(celery_worker):
    this_week = week_start(timezone.localdate())
    ExchangeRate.objects.filter(currency_id="CNY",
                                week_start__gte=this_week - timedelta(days=7)).delete()
    ExchangeRate.objects.create(currency_id="CNY", week_start=this_week - timedelta(days=7),
                                rate_vnd=Decimal("3612.5"))

    exchange_rates_carry_forward_task.delay()

    rate = wait_until(
        lambda: ExchangeRate.objects.filter(currency_id="CNY", week_start=this_week).first(),
        timeout=30, what=f"the worker to write this week's CNY rate\n{celery_worker.log()[-2000:]}")
    assert rate.rate_vnd == Decimal("3612.5")
    assert rate.source == ExchangeRateSource.CARRIED_FORWARD
    assert isinstance(rate.week_start, date)
