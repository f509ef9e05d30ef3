"""Celery tasks of the inspection app: they call one service and return."""

import logging

from celery import shared_task

from .assigning import checks_sweep

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def checks_sweep_task() -> dict:
    """Beat: no routed declaration is left without its check, none waits unassigned while an
    officer could take it (a check is opened in the routing transaction itself; this catches
    what no subscriber saw, and officers coming on duty)."""
    result = checks_sweep()
    if any(result.values()):
        logger.info("inspection sweep: %s", result)
    return result
