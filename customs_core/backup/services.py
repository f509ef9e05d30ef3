"""backup_create and backup_restore: what the `backup` and `restore` commands do.

A backup folder holds `database.dump` (PostgreSQL, pg_dump's custom format) or
`database.sqlite3`, `media/` (every file under MEDIA_ROOT: the declarations' documents, the
inspection attachments, the support desk's files, the report exports) and `manifest.json`. It
is written as a hidden `.NAME.*.partial` folder and renamed only once complete, the manifest
last: a folder that a crash left behind has no manifest and a name that says so.
"""

import os
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import environ
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

from . import BackupError, postgresql, sqlite
from .manifest import (
    entry,
    file_copy,
    file_digest,
    manifest_build,
    manifest_problems,
    manifest_read,
    manifest_write,
)

MEDIA_FOLDER = "media"
DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


def _no_progress(items: Iterable, **_options) -> Iterable:
    return items


@dataclass
class BackupResult:
    folder: Path
    database_bytes: int
    media_files: int
    media_bytes: int
    seconds: float
    tables: dict[str, int] = field(default_factory=dict)


@dataclass
class RestoreResult:
    database: str
    media_root: Path
    counts: list[tuple[str, int, int | None]]  # table, rows in the manifest, rows found
    media_files: int
    media_bytes: int
    seconds: float
    migrations_differ: list[str] = field(default_factory=list)

    @property
    def mismatched(self) -> list[tuple[str, int, int | None]]:
        return [row for row in self.counts if row[1] != row[2]]


def vendor_of(db: dict) -> str:
    engine = db.get("ENGINE", "")
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(_("Backups support PostgreSQL and SQLite, not %(engine)s.")
                      % {"engine": engine})


def app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


def _media_files(root: Path, *, skip: Iterable[Path] = ()) -> list[Path]:
    """Every file under root (symlinked folders not followed), the backup folders excluded."""
    if not root.is_dir():
        return []
    skipped = {path.resolve() for path in skip}
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders
                               if (Path(folder) / name).resolve() not in skipped)
        found += [Path(folder) / name for name in sorted(files)]
    return found


def _sync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup_target(output: Path | None, *, now: datetime) -> Path:
    """--output as given, or a folder named after the UTC time under BACKUP_ROOT."""
    if output is not None:
        return Path(output)
    return Path(settings.BACKUP_ROOT) / f"backup-{now:%Y%m%dT%H%M%SZ}"


def backup_create(*, output: Path | None = None,
                  progress: Callable[..., Iterable] = _no_progress) -> BackupResult:
    """Dump the default database and copy MEDIA_ROOT into a new backup folder with its
    manifest; nothing named like a backup exists until all of it is on disk."""
    started = time.monotonic()
    now = datetime.now(UTC)
    connection = connections["default"]
    vendor = vendor_of(connection.settings_dict)
    final = backup_target(output, now=now)
    if final.exists():
        raise BackupError(_("%(folder)s already exists: a backup never overwrites another.")
                          % {"folder": final})
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial",
                                    dir=final.parent))
    try:
        dump_name = DUMP_FILES[vendor]
        if vendor == "postgresql":
            database = postgresql.dump(connection.settings_dict, partial / dump_name,
                                       progress=progress)
        else:
            connection.ensure_connection()
            database = sqlite.dump(connection.connection, partial / dump_name)
        tables, migrations = database.pop("tables"), database.pop("migrations")
        digest, database_bytes = file_digest(partial / dump_name)
        files = {dump_name: entry(digest, database_bytes)}
        # After the dump: a file uploaded meanwhile is an orphan without its row, harmless.
        media_root = Path(settings.MEDIA_ROOT)
        sources = _media_files(media_root, skip=[final.parent, partial])
        media_bytes = 0
        for source in progress(sources, desc=_("Media files"), total=len(sources), unit="file"):
            relative = source.relative_to(media_root).as_posix()
            digest, size = file_copy(source, partial / MEDIA_FOLDER / relative)
            files[f"{MEDIA_FOLDER}/{relative}"] = entry(digest, size)
            media_bytes += size
        manifest = manifest_build(
            created_at=now.isoformat(timespec="seconds"), app_version=app_version(),
            migrations=migrations, database={**database, "file": dump_name}, tables=tables,
            media={"folder": MEDIA_FOLDER, "files": len(sources), "bytes": media_bytes},
            files=files)
        manifest_write(partial, manifest)
        os.sync()  # every file on disk before the name says the backup is complete
        os.rename(partial, final)
        _sync_folder(final.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return BackupResult(folder=final, database_bytes=database_bytes, media_files=len(sources),
                        media_bytes=media_bytes, seconds=time.monotonic() - started,
                        tables=tables)


def _target_database(database_url: str | None) -> dict:
    if database_url:
        try:
            return environ.Env.db_url_config(database_url)
        except Exception as exc:  # noqa: BLE001 - django-environ raises several kinds
            raise BackupError(_("Cannot read the database URL: %(error)s")
                              % {"error": exc}) from exc
    return dict(connections["default"].settings_dict)


def _code_migration_heads() -> dict[str, set[str]]:
    from django.db.migrations.loader import MigrationLoader

    heads: dict[str, set[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes():
        heads.setdefault(app, set()).add(name)
    return heads


def migrations_differing(backup: dict[str, str], code: dict[str, set[str]]) -> list[str]:
    """The apps whose latest migration in the backup is not the code's latest."""
    return sorted(app for app in set(backup) | set(code)
                  if backup.get(app) not in code.get(app, set()))


def backup_restore(*, folder: Path, database_url: str | None = None,
                   media_root: Path | None = None, force: bool = False, jobs: int = 2,
                   progress: Callable[..., Iterable] = _no_progress) -> RestoreResult:
    """Verify every checksum, refuse a non-empty target unless forced, restore the database
    and the media files, then count the rows of every table against the manifest."""
    started = time.monotonic()
    folder = Path(folder)
    manifest = manifest_read(folder)
    problems = manifest_problems(folder, manifest, progress=progress)
    if problems:
        raise BackupError(_("The backup in %(folder)s is damaged; nothing was restored:\n"
                            "%(problems)s") % {
            "folder": folder, "problems": "\n".join(f"  {p.message}" for p in problems)})
    target = _target_database(database_url)
    vendor = vendor_of(target)
    if manifest["database"].get("vendor") != vendor:
        raise BackupError(_("This is a %(backup)s backup; it cannot be restored into a "
                            "%(target)s database.") % {"backup": manifest["database"].get("vendor"),
                                                        "target": vendor})
    engine = postgresql if vendor == "postgresql" else sqlite
    media_target = Path(media_root or settings.MEDIA_ROOT)
    existing = engine.tables_present(target)
    if existing and not force:
        raise BackupError(_("The database %(name)s already has %(count)d tables: restore into "
                            "an empty database, or give --force to replace its content.")
                          % {"name": target["NAME"], "count": existing})
    if _media_files(media_target) and not force:
        raise BackupError(_("The media folder %(folder)s is not empty: restore into an empty "
                            "folder, or give --force to write over its files.")
                          % {"folder": media_target})

    dump_path = folder / manifest["database"]["file"]
    if vendor == "postgresql":
        if existing:
            postgresql.clear(target)
        postgresql.restore(target, dump_path, tables=len(manifest["tables"]), jobs=jobs,
                           progress=progress)
    else:
        if connections["default"].settings_dict.get("NAME") == target["NAME"]:
            connections["default"].close()  # nothing of ours holds the file while it changes
        sqlite.restore(target, dump_path)

    media = sorted(path for path in manifest["files"] if path.startswith(f"{MEDIA_FOLDER}/"))
    media_bytes = 0
    for relative in progress(media, desc=_("Media files"), total=len(media), unit="file"):
        media_bytes += file_copy(folder / relative,
                                 media_target / relative.removeprefix(f"{MEDIA_FOLDER}/"))[1]
    os.sync()

    found = engine.table_counts(target)
    counts = [(table, expected, found.get(table))
              for table, expected in manifest["tables"].items()]
    return RestoreResult(database=str(target["NAME"]), media_root=media_target, counts=counts,
                         media_files=len(media), media_bytes=media_bytes,
                         seconds=time.monotonic() - started,
                         migrations_differ=migrations_differing(manifest.get("migrations", {}),
                                                                _code_migration_heads()))
