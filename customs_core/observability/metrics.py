"""The Prometheus series of the app, and the gauges computed when /metrics is scraped.

Counters and histograms are recorded as things happen (middleware.py, task_signals.py). The
gauges that describe the backlog (queue depth, routing backlog, rollup lag) are read from the
broker and the database at scrape time: apps above customs_core register theirs with
`register_gauge()` from their AppConfig.ready(), so this module imports no app.

Multiprocess mode: with PROMETHEUS_MULTIPROC_DIR set (gunicorn with several workers, a Celery
worker's pool), every process writes its counters to files in that directory and a scrape
merges them (prometheus_client's MultiProcessCollector). Web and worker containers may share
the directory, so a process is named by host and pid: pids alone repeat across containers.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
_HOST = socket.gethostname().replace("_", "-")  # "_" separates the parts of the file names


def process_identifier() -> str:
    return f"{_HOST}-{os.getpid()}"


if MULTIPROC_DIR:  # before the first metric is created
    os.makedirs(MULTIPROC_DIR, exist_ok=True)
    values.ValueClass = values.MultiProcessValue(process_identifier)

# Label "route" is the URL pattern (api/v1/declarations/<pk>/...), never the raw path: one
# series per route, not per declaration.
HTTP_DURATION = Histogram(
    "customs_http_request_duration_seconds", "Time to answer an HTTP request, by URL pattern.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
HTTP_REQUESTS = Counter(
    "customs_http_requests", "HTTP requests answered, by URL pattern.",
    ["route", "method", "status"])
TASK_DURATION = Histogram(
    "customs_celery_task_duration_seconds", "Run time of a Celery task, by task name.",
    ["task"], buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600))
TASK_FAILURES = Counter(
    "customs_celery_task_failures", "Celery task runs that raised, by task name.", ["task"])


@dataclass(frozen=True)
class ScrapeGauge:
    """A gauge read at scrape time: `read()` returns its value, or None to leave it out."""

    name: str
    help: str
    read: Callable[[], float | None]


GAUGES: dict[str, ScrapeGauge] = {}


def register_gauge(name: str, help: str, fn: Callable[[], float | None]) -> None:  # noqa: A002
    """Expose `fn()` as the gauge `name` on /metrics (apps call this from AppConfig.ready)."""
    GAUGES[name] = ScrapeGauge(name, help, fn)


def queue_names() -> list[str]:
    """Every queue the project routes tasks to (settings), in a stable order."""
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    names |= {getattr(queue, "name", queue) for queue in getattr(settings, "CELERY_TASK_QUEUES",
                                                                  None) or ()}
    names |= {route["queue"] for route in (settings.CELERY_TASK_ROUTES or {}).values()
              if isinstance(route, dict) and "queue" in route}
    return sorted(names)


def queue_depths() -> dict[str, int] | None:
    """Messages waiting in each queue of the broker; None when tasks run eagerly (no broker)
    or the broker does not answer (/healthz reports that)."""
    from customs_core.celery import app

    if app.conf.task_always_eager:
        return None
    depths = {}
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            channel = conn.default_channel
            for name in queue_names():
                try:
                    # Redis: LLEN of the queue's list (and of its priority lists)
                    depths[name] = channel.queue_declare(queue=name, passive=True).message_count
                except conn.channel_errors:  # Redis deletes an empty list: nothing waits
                    depths[name] = 0
    except Exception:  # noqa: BLE001 - a dead broker must not fail the whole scrape
        logger.warning("queue depth: the broker does not answer", exc_info=True)
        return None
    return depths


class ScrapeTimeCollector:
    """The registered gauges and the queue depths, computed on each scrape."""

    def describe(self):
        return []  # registering must not run the queries

    def collect(self):
        for gauge in list(GAUGES.values()):
            try:
                value = gauge.read()
            except Exception:  # noqa: BLE001 - one failing gauge must not hide the others
                logger.warning("gauge %s could not be read", gauge.name, exc_info=True)
                continue
            if value is not None:
                family = GaugeMetricFamily(gauge.name, gauge.help)
                family.add_metric([], value)
                yield family
        depths = queue_depths()
        if depths is not None:
            family = GaugeMetricFamily("customs_celery_queue_depth",
                                       "Tasks waiting in a broker queue.", labels=["queue"])
            for name, depth in depths.items():
                family.add_metric([name], depth)
            yield family


SCRAPE_TIME = ScrapeTimeCollector()
if not MULTIPROC_DIR:
    REGISTRY.register(SCRAPE_TIME)


def metrics_text() -> bytes:
    """The exposition text: this process's series (with the runtime's process and GC
    series), or in multiprocess mode the series of every process merged."""
    if not MULTIPROC_DIR:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(SCRAPE_TIME)
    return generate_latest(registry)


def stale_files_remove(path: str = MULTIPROC_DIR) -> int:
    """Delete this host's metric files whose process is gone: called when gunicorn or a Celery
    worker starts, before any process writes (a counter must not go down while it runs). Files
    of other hosts sharing the directory are theirs to clean."""
    removed = 0
    for file in Path(path).glob(f"*_{_HOST}-*.db") if path else ():
        try:
            pid = int(file.stem.rsplit("-", 1)[1])
        except ValueError:
            continue
        if not _alive(pid):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
