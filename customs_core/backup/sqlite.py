"""SQLite: the online backup API (a consistent copy while others write), both ways."""

import sqlite3
import time
from pathlib import Path

from django.utils.translation import gettext as _

from . import BackupError

TABLES_SQL = ("SELECT name FROM sqlite_master WHERE type = 'table' "
              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")


SQLITE_BUSY, SQLITE_LOCKED = 5, 6
LOCK_TIMEOUT_SECONDS = 20.0  # as the app's connections wait (settings: OPTIONS["timeout"])


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, *, name: str) -> None:
    """source.backup(target), given up when a lock blocks it this long: Python's loop retries
    a locked database forever (a writer's open transaction, or the caller's own)."""
    blocked_since = None

    def watch(status: int, _remaining: int, _total: int) -> None:
        nonlocal blocked_since
        if status not in (SQLITE_BUSY, SQLITE_LOCKED):
            blocked_since = None
            return
        blocked_since = blocked_since or time.monotonic()
        if time.monotonic() - blocked_since > LOCK_TIMEOUT_SECONDS:
            raise BackupError(_("The SQLite database %(name)s stayed locked for %(seconds)s s "
                                "(a transaction writing to it): nothing was copied.")
                              % {"name": name, "seconds": LOCK_TIMEOUT_SECONDS})

    source.backup(target, progress=watch, sleep=0.1)


def _database_name(connection: sqlite3.Connection) -> str:
    return next((file or "memory" for _seq, name, file in
                 connection.execute("PRAGMA database_list") if name == "main"), "main")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_counts_of(connection: sqlite3.Connection) -> dict[str, int]:
    return {table: connection.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0]
            for (table,) in connection.execute(TABLES_SQL).fetchall()}


def migration_heads_of(connection: sqlite3.Connection) -> dict[str, str]:
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                              "AND name = 'django_migrations'").fetchone():
        return {}
    return dict(connection.execute("SELECT app, name FROM django_migrations ORDER BY id"))


def _path_of(db: dict) -> Path:
    name = str(db["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("An in-memory SQLite database cannot be a restore target: give "
                            "--database-url sqlite:////path/to/file.sqlite3."))
    return Path(name)


def table_counts(db: dict) -> dict[str, int]:
    with sqlite3.connect(_path_of(db)) as connection:
        return table_counts_of(connection)


def tables_present(db: dict) -> int:
    path = _path_of(db)
    if not path.exists():
        return 0
    connection = sqlite3.connect(path)
    try:
        return len(connection.execute(TABLES_SQL).fetchall())
    finally:
        connection.close()


def dump(source: sqlite3.Connection, path: Path) -> dict:
    """Copy the database behind `source` (Django's open connection, so an in-memory test
    database works too) into the file `path`; counts and heads are read from the copy."""
    target = sqlite3.connect(path)
    try:
        _copy(source, target, name=_database_name(source))
        # A self-contained file: no -wal/-shm beside it once closed, whatever the source used.
        target.execute("PRAGMA journal_mode=DELETE")
        tables = table_counts_of(target)
        migrations = migration_heads_of(target)
        version = target.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        target.close()
    return {"vendor": "sqlite", "server_version": version, "name": path.name,
            "format": "sqlite3 online backup", "tables": tables, "migrations": migrations}


def restore(db: dict, path: Path) -> None:
    """Copy the backup's file into the target database page by page (replacing its content)."""
    target_path = _path_of(db)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        _copy(source, target, name=str(target_path))
    except sqlite3.Error as exc:
        raise BackupError(_("The SQLite restore failed: %(error)s") % {"error": exc}) from exc
    finally:
        target.close()
        source.close()
