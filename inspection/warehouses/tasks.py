"""Celery tasks of bonded-warehouse supervision: they call one service and return."""

import logging

from celery import shared_task

from .services import stock_flag_overdue

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def stock_flag_overdue_task() -> dict:
    """Beat: flag goods held past their storage term, tell their owners (idempotent: an item
    is flagged once per term; two runs at once skip each other's locked rows)."""
    result = stock_flag_overdue()
    if any(result.values()):
        logger.info("bonded stock past term: %s", result)
    return result
