"""Celery signals: the request id travels in a task's message headers and is the context of
its run in the worker, so a worker's log lines name the request that queued the task; each
run is timed and each failure counted. Connected once from customs_core/celery.py."""

import logging.config
import time

from celery import signals
from django.conf import settings

from . import metrics
from .context import new_request_id, request_id_var, task_var

HEADER = "x_request_id"

# task id -> (the context tokens to restore, when the run started)
_runs: dict[str, tuple[object, object, float]] = {}


def request_id_into_headers(headers=None, **kwargs) -> None:
    """before_task_publish: the id of the request (or task) that queues this one."""
    request_id = request_id_var.get()
    if headers is not None and request_id is not None:
        headers.setdefault(HEADER, request_id)


def task_started(task_id=None, task=None, **kwargs) -> None:
    """task_prerun: the run takes the id its message carries. An eager run (no message) keeps
    the id of the request it runs in; a task nobody queued with an id (beat) gets a new one,
    so the lines of one run still belong together."""
    request = task.request
    request_id = request.get(HEADER) or (request.get("headers") or {}).get(HEADER)
    if not request_id:
        current = request_id_var.get()
        request_id = current if request.get("is_eager") and current else new_request_id()
    _runs[task_id] = (request_id_var.set(request_id), task_var.set((task.name, task_id)),
                      time.perf_counter())


def task_finished(task_id=None, task=None, **kwargs) -> None:
    """task_postrun (after a success or a failure): time the run, restore the context."""
    run = _runs.pop(task_id, None)
    if run is None:
        return
    request_token, task_token, started = run
    metrics.TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
    task_var.reset(task_token)
    request_id_var.reset(request_token)


def task_failed(sender=None, **kwargs) -> None:
    """task_failure."""
    metrics.TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()


def logging_configure(loglevel=None, **kwargs) -> None:
    """setup_logging: a worker logs through settings.LOGGING (JSON, with the request id)
    instead of Celery's own format; `celery worker -l` still sets the level."""
    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


def worker_starting(**kwargs) -> None:
    """worker_init: forget the metric files of this host's dead processes."""
    if metrics.MULTIPROC_DIR:
        metrics.stale_files_remove()


def connect() -> None:
    signals.before_task_publish.connect(request_id_into_headers, weak=False,
                                        dispatch_uid="observability-publish")
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="observability-prerun")
    signals.task_postrun.connect(task_finished, weak=False, dispatch_uid="observability-postrun")
    signals.task_failure.connect(task_failed, weak=False, dispatch_uid="observability-failure")
    signals.setup_logging.connect(logging_configure, weak=False,
                                  dispatch_uid="observability-logging")
    signals.worker_init.connect(worker_starting, weak=False, dispatch_uid="observability-init")
