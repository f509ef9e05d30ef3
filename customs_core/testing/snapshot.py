"""The shipped reference data, copied once per test database and put back after a flush.

A transactional test (`transaction=True`, every browser test) empties every table when it
ends; the next test that needs the reference data loaded it again from the files: three
seconds, some sixty times a run. `reference_snapshot_take` copies the rows every table holds
right after the first load into a table beside it, which Django's flush does not know of;
`reference_restore` copies them back into the tables a flush left empty, in one transaction
(the foreign keys are deferred to its end), and moves each id sequence past them.
"""

from django.db import connection, transaction

PREFIX = "snapshot__"
# Rows a flush's post_migrate signal writes again itself, and the migration history.
NOT_COPIED = {"django_migrations", "django_content_type", "auth_permission"}
_copied: list[tuple[str, str | None]] = []  # (table, its id sequence on PostgreSQL)


def reference_snapshot_take() -> None:
    """Copy every table's rows (the reference data just loaded) beside it."""
    _copied.clear()
    tables = connection.introspection.django_table_names(only_existing=True)
    with transaction.atomic(), connection.cursor() as cursor:
        sequences = {}
        if connection.vendor == "postgresql":
            cursor.execute("SELECT table_name, pg_get_serial_sequence(quote_ident(table_name), "
                           "'id') FROM information_schema.columns WHERE column_name = 'id' "
                           "AND table_schema = current_schema()")
            sequences = dict(cursor.fetchall())
        for table in sorted(set(tables) - NOT_COPIED):
            cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
            if cursor.fetchone() is None:
                continue
            cursor.execute(f'DROP TABLE IF EXISTS "{PREFIX}{table}"')
            cursor.execute(f'CREATE TABLE "{PREFIX}{table}" AS SELECT * FROM "{table}"')
            _copied.append((table, sequences.get(table)))


def reference_restore() -> bool:
    """Put the copied rows back into the tables a flush emptied; False when nothing was
    copied in this process (the caller loads the files instead)."""
    from customs_core import reference_cache

    if not _copied:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        for table, sequence in _copied:
            cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
            if cursor.fetchone() is not None:
                continue
            cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "{PREFIX}{table}"')
            if sequence:
                cursor.execute(f'SELECT setval(%s, COALESCE(MAX(id), 1)) FROM "{table}"',
                               [sequence])
    reference_cache.clear()
    return True


def reference_ensure() -> None:
    """The reference data in place: as it was, or loaded from the files."""
    from customs_core.models import TariffLine
    from customs_core.reference_data import reference_data_load

    if not TariffLine.objects.exists() and not reference_restore():
        reference_data_load()
