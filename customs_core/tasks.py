from celery import shared_task
from django.utils import timezone

from .services import exchange_rates_carry_forward


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def exchange_rates_carry_forward_task() -> int:
    """Beat: make sure this week's customs exchange rates exist (idempotent)."""
    return exchange_rates_carry_forward(on=timezone.localdate())
