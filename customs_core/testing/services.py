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


# --- A hot standby of the local PostgreSQL cluster ---------------------------------------------
class ReplicaUnavailable(Exception):
    """This machine cannot host a replica of the test database (the test skips, or fails with
    REQUIRE_SERVICES=1)."""


# What a base backup leaves out (PostgreSQL's "Making a Base Backup Using the Low Level API"),
# and the configuration the standby gets of its own.
_NOT_COPIED = {"postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map",
               "current_logfiles", "postgresql.conf", "postgresql.auto.conf", "pg_hba.conf",
               "pg_ident.conf", "pg_internal.init"}
_COPIED_EMPTY = {"pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots",
                 "pg_stat_tmp", "pg_subtrans"}
# A hot standby refuses to start with less of these than its primary has.
_AT_LEAST_PRIMARY = ("max_connections", "max_worker_processes", "max_wal_senders",
                     "max_prepared_transactions", "max_locks_per_transaction")


class PostgresReplica:
    """A hot standby of the local PostgreSQL cluster (the one holding the test database) on
    another loopback port, which the test starts, pauses, resumes, stops and deletes: never
    the shared server.

    The stock pg_hba.conf of this machine and CI trusts every database on loopback but not the
    `replication` pseudo-database, so neither pg_basebackup nor a standby's WAL receiver may
    connect. The standby is built the way pg_basebackup works inside, in SQL and files: a
    temporary physical slot keeps the primary's WAL, pg_backup_start()/pg_backup_stop()
    bracket a copy of the data directory, and the standby's restore_command reads segments
    straight from the primary's pg_wal, the one being written included, so it replays within
    a fraction of a second. A real hot standby replaying the primary's log: read-only, able to
    lag or be paused, like a streaming one; only the transport differs.

    Only the test database and the templates are copied (in memory where there is room), so
    the start takes seconds however big the other databases of a developer's server are.
    Needs PostgreSQL 15+ on this machine, a superuser connection, and the data directory
    readable (run as root or as postgres). The slot and the backup belong to one session,
    so PostgreSQL drops them if this process dies; the standby then stops itself too (its
    restore_command checks this process)."""

    retry = "200ms"  # how often the standby looks for WAL it has not replayed yet

    def __init__(self, primary: dict):
        self.primary = primary  # a Django settings_dict
        self.port = free_port()
        self.base: Path | None = None
        self.process: subprocess.Popen | None = None
        self._primary_session = None
        self._standby_session = None

    # --- the connections ---------------------------------------------------------------------
    def _connect(self, port, **options):
        import psycopg

        return psycopg.connect(host=self.primary.get("HOST") or "127.0.0.1", port=port,
                               user=self.primary.get("USER") or "postgres",
                               password=self.primary.get("PASSWORD") or None,
                               dbname=self.primary["NAME"], autocommit=True, **options)

    def _on_primary(self, sql: str, params=()):
        return self._primary_session.execute(sql, params).fetchone()

    def on_standby(self, sql: str, params=()):
        return self._standby_session.execute(sql, params).fetchone()

    def settings_dict(self) -> dict:
        """The primary's Django settings, pointed at the standby (same test database)."""
        import copy

        replica = copy.deepcopy(self.primary)
        replica.update(HOST="127.0.0.1", PORT=str(self.port), CONN_MAX_AGE=0)
        replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": "default"}
        return replica

    # --- start -----------------------------------------------------------------------------
    def _check(self) -> tuple[Path, Path, dict]:
        """The primary's data directory, the postgres binary and the settings to match."""
        import pwd
        import shutil

        if (self.primary.get("HOST") or "localhost") not in {"127.0.0.1", "localhost", "::1"}:
            raise ReplicaUnavailable("the replica copies the primary's data directory: "
                                     "PostgreSQL must run on this machine")
        if not self._on_primary("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0]:
            raise ReplicaUnavailable("the replica needs a superuser connection (pg_backup_start, "
                                     "the data directory)")
        version = int(self._on_primary("SHOW server_version_num")[0])
        if version < 150000:
            raise ReplicaUnavailable("the replica needs PostgreSQL 15 or newer (pg_backup_start)")
        if self._on_primary("SHOW wal_level")[0] == "minimal":
            raise ReplicaUnavailable("wal_level = minimal: the primary's log cannot feed a replica")
        data = Path(self._on_primary("SHOW data_directory")[0])
        if not os.access(data / "global", os.R_OK | os.X_OK):
            raise ReplicaUnavailable(f"cannot read {data}: run the tests as root or postgres")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise ReplicaUnavailable("running as root without a postgres user") from None
        bindir = Path(f"/usr/lib/postgresql/{version // 10000}/bin")
        binary = bindir / "postgres" if (bindir / "postgres").exists() else shutil.which("postgres")
        if not binary:
            raise ReplicaUnavailable(f"no postgres binary in {bindir} or on PATH")
        matched = {name: self._on_primary(f"SHOW {name}")[0] for name in _AT_LEAST_PRIMARY}
        return data, Path(binary), matched

    def _databases(self) -> set[str]:
        """The folders under base/ to copy: the test database and the templates."""
        rows = self._primary_session.execute(
            "SELECT oid FROM pg_database WHERE datname = current_database() OR datistemplate")
        return {str(oid) for (oid,) in rows}

    def start(self, timeout: float = 30) -> None:
        """Back the primary up, start the standby on it, wait until it has caught up."""
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float) -> None:
        import tempfile

        deadline = time.monotonic() + timeout
        self._primary_session = self._connect(self.primary.get("PORT") or 5432)
        source, binary, matched = self._check()
        self.base = Path(tempfile.mkdtemp(prefix="replica-", dir=_memory_folder()))
        data = self.base / "data"
        slot = f"test_replica_{os.getpid()}"
        # The slot first: WAL from here on stays on the primary until this session ends.
        self._on_primary("SELECT pg_create_physical_replication_slot(%s, true, true)", [slot])
        self._on_primary("SELECT pg_backup_start(%s, fast => true)", [slot])
        _copy_data_directory(source, data, databases=self._databases())
        label, tablespaces = self._on_primary(
            "SELECT labelfile, spcmapfile FROM pg_backup_stop(wait_for_archive => false)")
        if tablespaces:
            raise ReplicaUnavailable("the primary has tablespaces, which this copy does not "
                                     "follow")
        (data / "backup_label").write_text(label)
        (data / "standby.signal").write_text("")
        self._configure(data, source / "pg_wal", matched)
        as_postgres = ({"user": "postgres", "group": "postgres", "extra_groups": []}
                       if os.geteuid() == 0 else {})
        with open(self.base / "postgres.log", "w") as log:
            self.process = subprocess.Popen([str(binary), "-D", str(data)], stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            **as_postgres)
        while self._standby_session is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the replica did not start: {self.log()[-3000:]}")
            try:
                self._standby_session = self._connect(self.port, connect_timeout=2)
            except Exception:  # starting up, or not consistent yet
                time.sleep(0.1)
        self.wait_replayed(timeout=max(1.0, deadline - time.monotonic()))

    def _configure(self, data: Path, wal: Path, matched: dict) -> None:
        def quoted(value) -> str:
            return "'" + str(value).replace("'", "''") + "'"

        pid = os.getpid()
        restore = (f'if test -d /proc/{pid}; then cp "{wal}/%f" "%p"; '
                   f'else kill -INT $(head -n 1 postmaster.pid); exit 1; fi')
        conf = {"port": self.port, "listen_addresses": "127.0.0.1",
                "unix_socket_directories": "", "hot_standby": "on",
                "restore_command": restore, "wal_retrieve_retry_interval": self.retry,
                # The other databases of the cluster are not copied: their pages are missing
                # here, and the log's changes to them are skipped instead of stopping replay.
                "ignore_invalid_pages": "on",
                "fsync": "off", "shared_buffers": "32MB", **matched}
        (data / "postgresql.conf").write_text(
            "".join(f"{name} = {quoted(value)}\n" for name, value in conf.items()))
        (data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        if os.geteuid() == 0:  # postgres refuses to run as root: the files become postgres's
            uid, gid = _postgres_ids()
            for folder, _subfolders, files in os.walk(self.base):
                for name in (folder, *(os.path.join(folder, f) for f in files)):
                    os.chown(name, uid, gid)
        data.chmod(0o700)

    # --- replay ----------------------------------------------------------------------------
    def wait_replayed(self, timeout: float = 20) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self._on_primary("SELECT pg_current_wal_lsn()")[0]
        try:
            wait_until(lambda: self.on_standby("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                                               [target])[0], timeout=timeout, what="")
        except pytest.fail.Exception:
            pytest.fail(f"the replica did not replay the primary's WAL to {target} in "
                        f"{timeout:.0f}s; its log:\n{self.log()[-3000:]}", pytrace=False)

    def pause(self) -> None:
        """Stop replaying: the standby keeps answering from what it has (a lagging replica)."""
        self.on_standby("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.on_standby("SELECT pg_wal_replay_resume()")

    # --- stop ------------------------------------------------------------------------------
    def stop(self, timeout: float = 15) -> None:
        import shutil
        import signal

        for session in (self._standby_session, self._primary_session):
            if session is not None:
                session.close()  # the primary drops the slot (and any unfinished backup)
        self._standby_session = self._primary_session = None
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # immediate shutdown: a throwaway copy
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)

    def log(self) -> str:
        path = self.base / "postgres.log" if self.base else None
        return path.read_text(errors="replace") if path and path.exists() else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_folder(room: int = 2 << 30) -> str | None:
    """/dev/shm when it has room, else the default temporary folder: the copy is thrown away,
    and creating its ~1,500 files took 5 ms each on this kind of machine's disk (7 s in all),
    0.2 s in memory."""
    import shutil

    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > room:
        return shm
    return None


def _postgres_ids() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def _copy_data_directory(source: Path, target: Path, *, databases: set[str]) -> None:
    """Copy a running cluster's files between pg_backup_start and pg_backup_stop, of the
    given databases only (folder names under base/). Files may vanish meanwhile (a database
    dropped elsewhere): WAL replay settles them."""
    import shutil

    for folder, subfolders, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        if relative.parts and relative.parts[0] in _COPIED_EMPTY:
            subfolders.clear()
            continue
        subfolders[:] = [name for name in subfolders if not name.startswith("pgsql_tmp")
                         and (relative != Path("base") or name in databases)]
        for name in files:
            if name in _NOT_COPIED or name.startswith("pgsql_tmp"):
                continue
            try:
                shutil.copy2(source / relative / name, target / relative / name)
            except FileNotFoundError:
                pass
    (target / "pg_wal" / "archive_status").mkdir(parents=True, exist_ok=True)
