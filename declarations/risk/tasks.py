"""Routing on Celery: the tasks take ids, call one service, return; and the state-change
subscriber that queues routing when a declaration is submitted (or amended)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from customs_core.models import User
from declarations.choices import DeclarationState as S
from declarations.events import StateChange
from declarations.models import Declaration

from .learned import backtest_run, profiles_rebuild, risk_model_train
from .models import RoutingFailure
from .services import declarations_route, declarations_waiting_for_routing

logger = logging.getLogger(__name__)
MAX_RETRIES = 5
ROUTING_QUEUE = "risk"


class _RecentlyRouted:
    """(declaration id, amendment count) pairs this process routed and committed, newest kept.

    A routing task routes a batch of up to 50 waiting declarations; the tasks of the other 49
    then find their pair here and return without a query. An amendment makes a new pair, so a
    declaration sent back to routing is never skipped; anything not here is checked in the
    database as before."""

    def __init__(self, size: int = 50_000):
        self.size, self.pairs = size, {}

    def __contains__(self, pair) -> bool:
        return pair in self.pairs

    def add(self, pairs) -> None:
        for pair in pairs:
            self.pairs[pair] = None
        while len(self.pairs) > self.size:
            del self.pairs[next(iter(self.pairs))]

    def clear(self) -> None:
        self.pairs.clear()


routed_here = _RecentlyRouted()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES,
             autoretry_for=(DatabaseError,), retry_backoff=2, retry_backoff_max=60,
             retry_jitter=True)
def declaration_route_task(self, declaration_id: int,
                           amendment_count: int | None = None) -> str | None:
    """Route this declaration and the others waiting with it (one batch, one transaction).
    Idempotent (a state guard under row locks and a unique assessment), so acks_late and
    retries are safe: a redelivered or duplicated message changes nothing."""
    if (declaration_id, amendment_count) in routed_here:
        return None  # this process routed it in an earlier batch
    if not Declaration.objects.filter(pk=declaration_id, state=S.SUBMITTED).exists():
        return None  # routed already, in an earlier batch or by an earlier delivery
    try:
        assessments = declarations_route(first_id=declaration_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries or not isinstance(exc, DatabaseError):
            RoutingFailure.objects.create(declaration_id=declaration_id, error=repr(exc)[:2000],
                                          attempts=self.request.retries + 1)
        raise
    if not transaction.get_connection().in_atomic_block:  # committed: remember the batch
        routed_here.add((a.declaration_id, a.amendment_count) for a in assessments)
    mine = next((a for a in assessments if a.declaration_id == declaration_id), None)
    return mine.channel if mine else None


@shared_task(ignore_result=True)
def declarations_requeue_unrouted_task(older_than_seconds: int | None = None) -> int:
    """Beat: re-queue declarations still `submitted` after a minute (broker outage, lost
    message); routing is idempotent, so a declaration queued twice is routed once."""
    if older_than_seconds is None:
        older_than_seconds = settings.ROUTING_SWEEP_AFTER_SECONDS
    waiting = declarations_waiting_for_routing(older_than=timedelta(seconds=older_than_seconds))
    for declaration_id, amendment_count in waiting:
        declaration_route_task.delay(declaration_id, amendment_count)
    if waiting:
        logger.info("re-queued %d declarations waiting for routing", len(waiting))
    return len(waiting)


def routing_enqueue(declaration: Declaration) -> None:
    """Queue routing once the submission is committed. The row is the outbox: with the broker
    down the submission still succeeds and the sweeper routes it later."""
    declaration_id, amendment_count = declaration.pk, declaration.amendment_count

    def publish_routing():
        # A named function, not functools.partial: when the publish fails, Django's robust
        # on_commit logs func.__qualname__, which a partial does not have (it would raise).
        declaration_route_task.delay(declaration_id, amendment_count)

    transaction.on_commit(publish_routing, robust=True)


def route_when_submitted(change: StateChange) -> None:
    """State-change subscriber: a declaration entering "submitted" (registered or amended)
    is queued for routing."""
    routing_enqueue(change.declaration)


# --- learned selection -------------------------------------------------------------------------
@shared_task
def profiles_rebuild_task(by_id: int | None = None) -> int:
    """Rebuild the risk profiles from the last year of outcomes (nightly, and on demand)."""
    by = User.objects.get(pk=by_id) if by_id else None
    return profiles_rebuild(by=by).version


@shared_task
def risk_model_train_task(by_id: int | None = None) -> int | None:
    """Train a model on the last year of outcomes (weekly, and on demand); a risk officer
    activates it after reading its figures."""
    by = User.objects.get(pk=by_id) if by_id else None
    model = risk_model_train(by=by)
    return model.version if model else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def backtest_run_task(backtest_id: int) -> str | None:
    backtest = backtest_run(backtest_id)
    return backtest.state if backtest else None
