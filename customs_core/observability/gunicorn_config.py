"""gunicorn settings for production: `gunicorn -c python:customs_core.observability.gunicorn_config`
(the Dockerfile's command). Its own log lines as JSON like the app's; with
PROMETHEUS_MULTIPROC_DIR set, the metric files of this host's dead processes are removed when
gunicorn starts, and a worker that exits is marked dead (for prometheus_client's bookkeeping)."""

import os

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "customs_core.observability.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                             "stream": "ext://sys.stderr"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO",
                                   "propagate": False}},
}


def on_starting(server) -> None:
    if MULTIPROC_DIR:
        from customs_core.observability.metrics import stale_files_remove

        stale_files_remove(MULTIPROC_DIR)


def child_exit(server, worker) -> None:
    if MULTIPROC_DIR:
        from prometheus_client import multiprocess

        from customs_core.observability.metrics import _HOST

        multiprocess.mark_process_dead(f"{_HOST}-{worker.pid}", MULTIPROC_DIR)
