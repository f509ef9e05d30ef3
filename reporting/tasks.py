"""Celery tasks of reporting, all on the `reporting` queue (a worker of its own in production:
batch work never delays routing)."""

import logging

from celery import shared_task

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
