"""manage.py backup / restore: a manifest that catches damage, refusals that touch nothing, and
round trips that bring back every row, every document byte and every declaration event."""

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from customs_core.backup import BackupError
from customs_core.backup.manifest import (
    FORMAT_VERSION,
    MANIFEST,
    entry,
    file_digest,
    manifest_build,
    manifest_problems,
    manifest_read,
    manifest_write,
)


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted below, in English whatever the catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- the manifest, on files alone -----------------------------------------------------------
def write_backup(folder: Path, contents: dict[str, bytes]) -> dict:
    files = {}
    for relative, content in contents.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
        files[relative] = entry(*file_digest(folder / relative))
    manifest = manifest_build(created_at="2026-12-03T01:00:00+00:00", app_version="0.1.0",
                              migrations={"declarations": "0007_documents_expected"},
                              database={"vendor": "sqlite", "file": "database.sqlite3"},
                              tables={"declarations_declaration": 3},
                              media={"folder": "media", "files": 1, "bytes": 9}, files=files)
    manifest_write(folder, manifest)
    return manifest


@pytest.fixture
def backup_folder(tmp_path):
    write_backup(tmp_path, {"database.sqlite3": b"SQLite format 3\x00" + bytes(range(256)),
                            "media/declarations/7/invoice/invoice.pdf": b"%PDF-1.4\n"})
    return tmp_path


def test_an_intact_backup_matches_its_manifest(backup_folder):
    manifest = manifest_read(backup_folder)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest_problems(backup_folder, manifest) == []


def test_a_flipped_byte_is_found_by_its_checksum(backup_folder):
    path = backup_folder / "database.sqlite3"
    content = bytearray(path.read_bytes())
    content[100] ^= 0x01  # same size: only the checksum can tell
    path.write_bytes(bytes(content))
    problems = manifest_problems(backup_folder, manifest_read(backup_folder))
    assert [(p.path, p.reason) for p in problems] == [("database.sqlite3", "checksum")]
    assert "corrupted" in problems[0].message


def test_a_missing_file_is_found(backup_folder):
    (backup_folder / "media/declarations/7/invoice/invoice.pdf").unlink()
    problems = manifest_problems(backup_folder, manifest_read(backup_folder))
    assert [(p.path, p.reason) for p in problems] == [
        ("media/declarations/7/invoice/invoice.pdf", "missing")]


def test_a_truncated_file_is_found_by_its_size(backup_folder):
    path = backup_folder / "database.sqlite3"
    path.write_bytes(path.read_bytes()[:-1])
    problems = manifest_problems(backup_folder, manifest_read(backup_folder))
    assert [(p.path, p.reason, p.expected, p.found) for p in problems] == [
        ("database.sqlite3", "size", 272, 271)]


def test_a_manifest_path_outside_the_backup_folder_is_refused(tmp_path):
    (tmp_path / "outside.txt").write_bytes(b"x")
    folder = tmp_path / "backup"
    folder.mkdir()
    manifest = write_backup(folder, {"database.sqlite3": b"db"})
    manifest["files"]["../outside.txt"] = entry(*file_digest(tmp_path / "outside.txt"))
    manifest_write(folder, manifest)
    problems = manifest_problems(folder, manifest_read(folder))
    assert [(p.path, p.reason) for p in problems] == [("../outside.txt", "unsafe")]


def test_a_folder_without_its_manifest_is_not_a_backup(backup_folder):
    (backup_folder / MANIFEST).unlink()
    with pytest.raises(BackupError, match="no manifest.json"):
        manifest_read(backup_folder)


def test_a_newer_format_version_is_refused(backup_folder):
    manifest = json.loads((backup_folder / MANIFEST).read_text())
    manifest["format_version"] = FORMAT_VERSION + 1
    (backup_folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="newer"):
        manifest_read(backup_folder)


# --- the commands, on whichever database the tests run ----------------------------------------
def digests(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_ROOT = tmp_path / "backups"
    (settings.MEDIA_ROOT / "declarations/1/invoice").mkdir(parents=True)
    (settings.MEDIA_ROOT / "declarations/1/invoice/invoice.pdf").write_bytes(b"%PDF-1.4 a\n")
    return settings.MEDIA_ROOT


def _backup_root() -> Path:
    from django.conf import settings

    return Path(settings.BACKUP_ROOT)


def test_backup_writes_a_timestamped_folder_with_counts_heads_and_checksums(media, db, capsys):
    from customs_core.models import TariffLine

    call_command("backup")
    (folder,) = _backup_root().iterdir()
    assert folder.name.startswith("backup-") and folder.name.endswith("Z")
    manifest = manifest_read(folder)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["customs_core_tariffline"] == TariffLine.objects.count() > 0
    assert manifest["migrations"]["declarations"].startswith("00")
    assert manifest["files"]["media/declarations/1/invoice/invoice.pdf"] == {
        "sha256": hashlib.sha256(b"%PDF-1.4 a\n").hexdigest(), "size": 11}
    assert set(manifest["files"]) == {manifest["database"]["file"],
                                      "media/declarations/1/invoice/invoice.pdf"}
    assert manifest_problems(folder, manifest) == []
    assert f"Backup written to {folder}" in capsys.readouterr().out


def test_a_failed_backup_leaves_nothing_that_looks_complete(media, db, monkeypatch):
    from customs_core.backup import services

    def broken_copy(source, target):
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "file_copy", broken_copy)
    with pytest.raises(OSError, match="No space left"):
        call_command("backup", verbosity=0)
    assert list(_backup_root().iterdir()) == []


def test_a_backup_never_overwrites_another(media, db, tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=tmp_path / "taken", verbosity=0)


def test_restoring_a_corrupted_backup_fails_before_touching_anything(media, db, tmp_path):
    from customs_core.models import TariffLine

    call_command("backup", output=tmp_path / "b", verbosity=0)
    dump = tmp_path / "b" / manifest_read(tmp_path / "b")["database"]["file"]
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    rows = TariffLine.objects.count()
    # even --force into the live database: the checksums come first
    with pytest.raises(CommandError, match="damaged; nothing was restored") as failure:
        call_command("restore", tmp_path / "b", media_root=tmp_path / "restored", force=True,
                     verbosity=0)
    assert dump.name in str(failure.value)
    assert TariffLine.objects.count() == rows
    assert not (tmp_path / "restored").exists()


@pytest.fixture
def occupied_database_url(db, tmp_path) -> str:
    """A database of the tests' vendor that has a table: the test database itself on
    PostgreSQL, a file with one table on SQLite (whose test database lives in memory)."""
    from customs_core.testing.services import database_url_of_test_database

    if connection.vendor == "postgresql":
        return database_url_of_test_database()
    path = tmp_path / "occupied.sqlite3"
    with sqlite3.connect(path) as occupied:
        occupied.execute("CREATE TABLE kept (note TEXT)")
        occupied.execute("INSERT INTO kept VALUES ('still here')")
    return f"sqlite:///{path}"


def test_restore_refuses_a_database_that_has_tables(media, occupied_database_url, tmp_path):
    call_command("backup", output=tmp_path / "b", verbosity=0)
    with pytest.raises(CommandError, match="already has .* tables"):
        call_command("restore", tmp_path / "b", database_url=occupied_database_url,
                     media_root=tmp_path / "restored", verbosity=0)
    assert not (tmp_path / "restored").exists()
    if connection.vendor == "sqlite":
        with sqlite3.connect(occupied_database_url.removeprefix("sqlite:///")) as occupied:
            assert occupied.execute("SELECT note FROM kept").fetchall() == [("still here",)]


# --- SQLite round trip --------------------------------------------------------------------------
def sqlite_rows(raw: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [name for (name,) in raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {table: sorted(repr(row) for row in raw.execute(f'SELECT * FROM "{table}"'))
            for table in tables}


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (the PostgreSQL one is below)")


@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_brings_back_every_row_and_file(sqlite_only, media, tmp_path,
                                                          make_declaration):
    from declarations.models import DeclarationEvent, Document
    from declarations.testing import publish_rates

    publish_rates()
    make_declaration(preferential=True, state="submitted")  # routed: its events
    make_declaration(preferential=True, invoice_number="HX-2026-119")
    assert Document.objects.count() == 2 and DeclarationEvent.objects.count() >= 3
    call_command("backup", output=tmp_path / "b", verbosity=0)
    target = tmp_path / "restored.sqlite3"
    call_command("restore", tmp_path / "b", database_url=f"sqlite:///{target}",
                 media_root=tmp_path / "restored", verbosity=0)

    connection.ensure_connection()
    restored = sqlite3.connect(target, detect_types=sqlite3.PARSE_DECLTYPES)
    try:
        assert sqlite_rows(restored) == sqlite_rows(connection.connection)
    finally:
        restored.close()
    assert digests(tmp_path / "restored") == digests(media)
    for document in Document.objects.all():
        assert (tmp_path / "restored" / document.file.name).read_bytes() == document.file.read()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_media_folder_with_files(sqlite_only, media, tmp_path):
    call_command("backup", output=tmp_path / "b", verbosity=0)
    (tmp_path / "restored").mkdir()
    (tmp_path / "restored" / "keep.pdf").write_bytes(b"someone's file")
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", tmp_path / "b", media_root=tmp_path / "restored",
                     database_url=f"sqlite:///{tmp_path / 'restored.sqlite3'}", verbosity=0)
    assert digests(tmp_path / "restored") == {
        "keep.pdf": hashlib.sha256(b"someone's file").hexdigest()}
    assert not (tmp_path / "restored.sqlite3").exists()


# --- PostgreSQL round trip (the test) ----------------------------------------------------
@pytest.fixture
def fresh_database():
    """A new, empty PostgreSQL database beside the test database, dropped afterwards."""
    import psycopg

    from customs_core.testing.services import require_postgresql

    require_postgresql()
    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    server = {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432,
              "user": db.get("USER") or "postgres", "password": db.get("PASSWORD") or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    target = psycopg.connect(dbname=name, autocommit=True, **server)
    target.execute("SET TIME ZONE 'UTC'")  # as Django's connection: the same text for a time
    try:
        yield name, target
    finally:
        target.close()
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ROWS_DIGEST = ("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
               "FROM {} t")


def every_row(cursor) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: its row count and an MD5 of all its rows as text."""
    from psycopg import sql

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [table for (table,) in cursor.fetchall()]
    found = {}
    for table in tables:
        cursor.execute(sql.SQL(ROWS_DIGEST).format(sql.Identifier(table)))
        found[table] = tuple(cursor.fetchone())
    return found


EVENTS = "SELECT id, e::text FROM declarations_declarationevent e ORDER BY id"


def sequences(cursor) -> dict[str, int | None]:
    cursor.execute("SELECT sequencename, last_value FROM pg_sequences "
                   "WHERE schemaname = 'public'")
    return dict(cursor.fetchall())


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_brings_back_every_row_document_byte_and_event(
        fresh_database, media, tmp_path, reference_data, make_declaration):
    from declarations.documents import document_attach
    from declarations.models import DeclarationEvent, Document
    from declarations.testing import pdf_file, publish_rates

    name, target = fresh_database
    call_command("seed_demo", declarations=150, verbosity=0)  # commits: pg_dump must see it
    publish_rates()
    for n, declaration in enumerate([make_declaration(preferential=True),
                                     make_declaration(invoice_number="HX-2026-120")]):
        document_attach(declaration=declaration, user=declaration.declarant,
                        doc_type="invoice", file=pdf_file(f"invoice-{n}.pdf"))
    documents = list(Document.objects.all())
    events = DeclarationEvent.objects.count()
    assert len({d.file.name for d in documents}) >= 4 and events > 150

    call_command("backup", output=tmp_path / "b", verbosity=0)
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    out = tmp_path / "restore.txt"
    with open(out, "w") as stdout:
        call_command("restore", tmp_path / "b", database_url=f"{url}/{name}",
                     media_root=tmp_path / "restored", stdout=stdout)
    assert "all counts as in the manifest" in out.read_text()

    with connection.cursor() as source:
        expected_rows, expected_sequences = every_row(source), sequences(source)
        source.execute(EVENTS)
        expected_events = source.fetchall()
    with target.cursor() as restored:
        assert every_row(restored) == expected_rows  # every table, every row
        assert sequences(restored) == expected_sequences  # the next ids follow on
        restored.execute(EVENTS)
        assert restored.fetchall() == expected_events and len(expected_events) == events
    assert digests(tmp_path / "restored") == digests(media)  # every byte of every file
    for document in documents:
        restored_file = tmp_path / "restored" / document.file.name
        assert restored_file.read_bytes() == document.file.open("rb").read()


@pytest.mark.django_db
def test_a_sqlite_backup_blocked_by_a_writing_transaction_gives_up(sqlite_only, media, tmp_path,
                                                                   monkeypatch):
    from customs_core.backup import sqlite
    from customs_core.models import Enterprise

    monkeypatch.setattr(sqlite, "LOCK_TIMEOUT_SECONDS", 0.3)
    Enterprise.objects.update(name="renamed, not committed")  # the test's open transaction
    with pytest.raises(CommandError, match="stayed locked"):
        call_command("backup", output=tmp_path / "b", verbosity=0)
    assert [path.name for path in tmp_path.iterdir()] == ["media"]  # no .partial left either
