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

# "broker": make test runs these after the parallel run, one at a time (they share the
# broker's Redis database and the private Redis port).
pytestmark = [pytest.mark.services, pytest.mark.broker]


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


def test_every_queue_the_app_routes_to_is_declared():
    """A worker started without -Q consumes the declared queues: all routes must be there."""
    from django.conf import settings

    from customs_core.celery import app

    declared = set(app.amqp.queues)
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} <= declared


def test_a_worker_started_without_queues_routes_a_submitted_declaration(plain_celery_worker,
                                                                         make_declaration):
    from declarations.models import Declaration
    from declarations.testing import publish_rates

    publish_rates()
    declaration = make_declaration(state="submitted")  # committed: on_commit publishes
    routed = wait_until(
        lambda: Declaration.objects.exclude(state="submitted").filter(pk=declaration.pk).first(),
        timeout=60, what=f"a plain worker to route it\n{plain_celery_worker.log()[-3000:]}")
    assert routed.channel in {"green", "yellow", "red"}
    assert "-Q" not in plain_celery_worker.command()
