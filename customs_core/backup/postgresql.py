"""PostgreSQL: pg_dump and pg_restore, and the row counts that prove a restore complete.

The connection comes from a Django settings dict; the host, user and password reach pg_dump
and pg_restore through libpq's environment variables (never on a command line, which every
user of the machine can read) and `--no-password`, so nothing ever waits for a prompt.
"""

import os
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from . import BackupError

# Django OPTIONS that libpq also reads from the environment.
LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                 "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
                 "application_name": "PGAPPNAME", "service": "PGSERVICE",
                 "passfile": "PGPASSFILE"}
SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema')"
TABLES_SQL = (f"SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN "
              f"{SYSTEM_SCHEMAS} AND schemaname NOT LIKE 'pg\\_%' ORDER BY 1, 2")


def libpq_environment(db: dict) -> dict[str, str]:
    """The process environment with the database's connection in PG* variables."""
    environment = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            environment[variable] = str(db[key])
    for option, variable in LIBPQ_OPTIONS.items():
        if (db.get("OPTIONS") or {}).get(option):
            environment[variable] = str(db["OPTIONS"][option])
    return environment


def connect(db: dict, **options):
    """A psycopg connection of its own (not Django's: it may name another database)."""
    import psycopg

    params = {"dbname": db["NAME"], "host": db.get("HOST") or None,
              "port": db.get("PORT") or None, "user": db.get("USER") or None,
              "password": db.get("PASSWORD") or None}
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in LIBPQ_OPTIONS})
    try:
        return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **options)
    except psycopg.OperationalError as exc:
        raise BackupError(_("Cannot connect to the database %(name)s: %(error)s")
                          % {"name": db["NAME"], "error": str(exc).strip()}) from exc


def _label(schema: str, table: str) -> str:
    return table if schema == "public" else f"{schema}.{table}"


def table_counts_of(connection) -> dict[str, int]:
    """Rows per table, in the connection's current transaction (its snapshot)."""
    from psycopg import sql

    counts = {}
    for schema, table in connection.execute(TABLES_SQL).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema),
                                                             sql.Identifier(table))
        counts[_label(schema, table)] = connection.execute(query).fetchone()[0]
    return counts


def migration_heads_of(connection) -> dict[str, str]:
    """The migration applied last in each app (django_migrations in insertion order)."""
    exists = connection.execute("SELECT to_regclass('django_migrations')").fetchone()[0]
    if not exists:
        return {}
    rows = connection.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    return dict(rows)


def table_counts(db: dict) -> dict[str, int]:
    with connect(db, autocommit=True) as connection:
        return table_counts_of(connection)


def tables_present(db: dict) -> int:
    """How many tables the database holds outside the system schemas."""
    with connect(db, autocommit=True) as connection:
        return connection.execute(f"SELECT count(*) FROM ({TABLES_SQL}) t").fetchone()[0]


def _run(command: list[str], *, db: dict, markers: tuple[str, ...], progress: Callable,
         desc: str, total: int) -> None:
    """Run pg_dump or pg_restore --verbose, advancing the bar on each line holding a marker;
    a failure raises BackupError with the tool's error lines."""
    tail: deque[str] = deque(maxlen=40)

    def lines(stream) -> Iterator[str]:
        for line in stream:
            line = line.rstrip("\n")
            tail.append(line)
            if any(marker in line for marker in markers):
                yield line

    try:
        process = subprocess.Popen(command, env=libpq_environment(db), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   errors="replace")
    except FileNotFoundError as exc:
        raise BackupError(_("%(tool)s is not installed (the PostgreSQL client tools, the "
                            "server's major version or newer).") % {"tool": command[0]}) from exc
    with process:
        for _line in progress(lines(process.stderr), desc=desc, total=total, unit="table"):
            pass
    if process.returncode != 0:
        errors = [line for line in tail if any(word in line for word in
                                               ("error", "ERROR", "FATAL", "DETAIL", "HINT"))]
        raise BackupError(_("%(tool)s failed (exit code %(code)s):\n%(output)s")
                          % {"tool": command[0], "code": process.returncode,
                             "output": "\n".join(errors or tail)})


def dump(db: dict, path: Path, *, progress: Callable[..., Iterable]) -> dict:
    """pg_dump --format=custom of the database into `path`. The row counts and migration heads
    are read in the very snapshot the dump is taken from (pg_export_snapshot), so the manifest
    describes the dump exactly even while the application keeps writing."""
    with connect(db, autocommit=False) as connection:
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        server_version = connection.execute("SHOW server_version").fetchone()[0]
        tables = connection.execute(f"SELECT count(*) FROM ({TABLES_SQL}) t").fetchone()[0]
        found: dict = {}

        def count() -> None:  # beside pg_dump: two cores, and both only read
            try:
                found["tables"] = table_counts_of(connection)
                found["migrations"] = migration_heads_of(connection)
            except Exception as exc:  # noqa: BLE001 - reported below, in this thread
                found["error"] = exc

        counter = threading.Thread(target=count)
        counter.start()
        try:
            # the exporting transaction stays open until pg_dump has imported the snapshot
            _run(["pg_dump", "--format=custom", "--no-password", "--verbose",
                  f"--snapshot={snapshot}", f"--file={path}", "--dbname", db["NAME"]],
                 db=db, markers=("dumping contents of table",), progress=progress,
                 desc=_("Database dump"), total=tables)
        finally:
            counter.join()
        if "error" in found:
            raise BackupError(_("Counting the rows of the snapshot failed: %(error)s")
                              % {"error": found["error"]}) from found["error"]
    return {"vendor": "postgresql", "server_version": server_version, "name": db["NAME"],
            "format": "pg_dump --format=custom", "tables": found["tables"],
            "migrations": found["migrations"]}


def clear(db: dict) -> None:
    """Drop the public schema with everything in it and create it again, empty (--force)."""
    with connect(db, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
        connection.execute("CREATE SCHEMA public")


def restore(db: dict, path: Path, *, tables: int, jobs: int,
            progress: Callable[..., Iterable]) -> None:
    """pg_restore into the (empty) database: objects owned by the connecting user, `jobs`
    parallel workers for the data and the indexes."""
    _run(["pg_restore", "--no-owner", "--exit-on-error", "--no-password", "--verbose",
          f"--jobs={max(1, jobs)}", "--dbname", db["NAME"], str(path)],
         db=db, markers=("processing data for table",), progress=progress,
         desc=_("Database restore"), total=tables)
