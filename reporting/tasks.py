"""Celery tasks of reporting, all on the `reporting` queue (a worker of its own in production:
batch work never delays routing)."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import rollups

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def rollups_refresh_task() -> int:
    """Beat, every ROLLUP_REFRESH_SECONDS: the days touched by new events, payments, outcomes
    and violations are recomputed. Idempotent; two at once take turns."""
    refreshed = rollups.stale_refresh()
    if refreshed:
        logger.info("rollups: %d declarations refreshed", refreshed)
    return refreshed


@shared_task(ignore_result=True)
def report_export_task(export_id: int) -> None:
    """Build a dashboard XLSX export (reporting.exports) and attach it to its row."""
    from .exports import export_build

    export_build(export_id)


@shared_task(ignore_result=True)
def report_exports_requeue_task() -> int:
    """Beat, every minute: an export still queued a minute after it was asked for (the broker
    was down when it was published: the row is the outbox), or still being built
    REPORT_EXPORT_STUCK_SECONDS after it was asked for (its worker died), is queued again.
    Building is idempotent: a second delivery of a finished export does nothing."""
    from .models import ReportExport

    now = timezone.now()
    stuck = list(ReportExport.objects.filter(
        Q(state=ReportExport.State.QUEUED,
          created_at__lt=now - timedelta(seconds=settings.ROUTING_SWEEP_AFTER_SECONDS))
        | Q(state=ReportExport.State.RUNNING,
            created_at__lt=now - timedelta(seconds=settings.REPORT_EXPORT_STUCK_SECONDS)))
        .values_list("pk", flat=True))
    for export_id in stuck:
        report_export_task.delay(export_id)
    if stuck:
        logger.info("re-queued %d report exports", len(stuck))
    return len(stuck)
