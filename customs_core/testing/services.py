"""Real services in tests: PostgreSQL, Redis and a Celery worker.

Without REQUIRE_SERVICES a missing service skips the test that needs it (a laptop with SQLite
still runs the rest); with REQUIRE_SERVICES=1, as in CI, a missing service fails the test.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}
BASE_DIR = Path(settings.BASE_DIR)


def service_missing(why: str) -> None:
    """Skip, or fail when REQUIRE_SERVICES is set."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {why}", pytrace=False)
    pytest.skip(why)


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        service_missing("the tests run on SQLite; set DATABASE_URL=postgres://... for this test")


def broker_url() -> str:
    """The configured Redis broker, or "" when Celery runs eagerly."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else ""


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_redis() -> str:
    url = broker_url()
    if not url:
        service_missing("CELERY_BROKER_URL is not a redis:// URL")
    parts = urlsplit(url)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        service_missing(f"Redis at {url} does not answer")
    return url


def database_url_of_test_database() -> str:
    """A DATABASE_URL naming the test database pytest-django created, for subprocesses."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class CeleryWorker:
    """A real `celery worker` subprocess on the test database and the given broker."""

    def __init__(self, *, broker: str, queues: str | None = "celery,risk", name: str = "test",
                 extra_env: dict | None = None):
        self.broker, self.queues, self.name = broker, queues, name
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"celery-{name}-{os.getpid()}.log"

    def env(self) -> dict:
        env = {**os.environ, "DATABASE_URL": database_url_of_test_database(),
               "CELERY_BROKER_URL": self.broker, "DJANGO_SETTINGS_MODULE": "customs_core.settings",
               "PYTHONUNBUFFERED": "1", **self.extra_env}
        return env

    def command(self) -> list[str]:
        queues = ["-Q", self.queues] if self.queues else []  # None: as started by hand
        return [sys.executable, "-m", "celery", "-A", "customs_core", "worker", "-P", "solo",
                "-c", "1", *queues, "-n", f"{self.name}-{os.getpid()}@%h",
                "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]

    ready_marker = "ready."

    def start(self, timeout: float = 45) -> None:
        log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(self.command(), cwd=BASE_DIR, env=self.env(),
                                        stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited: {self.log_path.read_text()[-3000:]}")
            if self.ready_marker in self.log_path.read_text():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"celery worker not ready in {timeout}s: "
                           f"{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.1, what: str = "condition"):
    """Poll until predicate() is truthy; fail with `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class CeleryBeat(CeleryWorker):
    """A real `celery beat` subprocess (the periodic sweeper), same environment."""

    ready_marker = "beat: Starting"

    def command(self) -> list[str]:
        schedule = Path(os.environ.get("TMPDIR", "/tmp")) / f"beat-{self.name}-{os.getpid()}"
        return [sys.executable, "-m", "celery", "-A", "customs_core", "beat", "-l", "INFO",
                "-s", str(schedule)]


class PrivateRedis:
    """A redis-server of the test's own on another loopback port, to stop and start at will
    (never the shared one: RECIPES.md)."""

    def __init__(self, port: int = 6390):
        self.port = port
        self.pidfile = Path(os.environ.get("TMPDIR", "/tmp")) / f"redis-test-{port}.pid"
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self, timeout: float = 10) -> None:
        wait_port(self.port, open_=False, timeout=timeout)
        subprocess.run(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--daemonize", "yes",
                        "--pidfile", str(self.pidfile)], check=True, capture_output=True)
        wait_port(self.port, open_=True, timeout=timeout)

    def stop(self, timeout: float = 10) -> None:
        if self.pidfile.exists():
            pid = int(self.pidfile.read_text().strip() or 0)
            if pid:
                try:
                    os.kill(pid, 15)
                except ProcessLookupError:
                    pass
        wait_port(self.port, open_=False, timeout=timeout)


def wait_port(port: int, *, open_: bool, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port, timeout=0.2) == open_:
            return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still {'closed' if open_ else 'open'} after {timeout}s")


def redis_server_available() -> bool:
    import shutil

    return shutil.which("redis-server") is not None
