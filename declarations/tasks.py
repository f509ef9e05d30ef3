"""Celery tasks of the declarations app: they take ids, call one service, return."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from .choices import DeclarationState as S
from .models import Declaration
from .risk.models import RoutingFailure
from .risk.services import declarations_route, declarations_waiting_for_routing

logger = logging.getLogger(__name__)
MAX_RETRIES = 5
ROUTING_QUEUE = "risk"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES,
             autoretry_for=(DatabaseError,), retry_backoff=2, retry_backoff_max=60,
             retry_jitter=True)
def declaration_route_task(self, declaration_id: int) -> str | None:
    """Route this declaration and the others waiting with it (one batch, one transaction).
    Idempotent (a state guard under SKIP LOCKED row locks and a unique assessment), so
    acks_late and retries are safe: a redelivered or duplicated message changes nothing."""
    if not Declaration.objects.filter(pk=declaration_id, state=S.SUBMITTED).exists():
        return None  # routed already, in an earlier batch or by an earlier delivery
    try:
        assessments = declarations_route(first_id=declaration_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries or not isinstance(exc, DatabaseError):
            RoutingFailure.objects.create(declaration_id=declaration_id, error=repr(exc)[:2000],
                                          attempts=self.request.retries + 1)
        raise
    mine = next((a for a in assessments if a.declaration_id == declaration_id), None)
    return mine.channel if mine else None


@shared_task(ignore_result=True)
def declarations_requeue_unrouted_task(older_than_seconds: int | None = None) -> int:
    """Beat: re-queue declarations still `submitted` after a minute (broker outage, lost
    message); routing is idempotent, so a declaration queued twice is routed once."""
    if older_than_seconds is None:
        older_than_seconds = settings.ROUTING_SWEEP_AFTER_SECONDS
    waiting = declarations_waiting_for_routing(older_than=timedelta(seconds=older_than_seconds))
    for declaration_id in waiting:
        declaration_route_task.delay(declaration_id)
    if waiting:
        logger.info("re-queued %d declarations waiting for routing", len(waiting))
    return len(waiting)
