"""Bulk inserts of plain rows: COPY on PostgreSQL, executemany elsewhere.

RECIPES.md: COPY loads 100k rows in ~0.8 s where the ORM's bulk_create takes ~4 s; for a few
hundred rows it still costs a third of bulk_create, whose UNNEST arrays psycopg escapes in
Python value by value. Used by the data generators and by hot paths that insert append-only
rows nothing reads back (routing's events and assessments). Rows are tuples in the order of
`columns`; nothing here runs model validation, defaults or signals.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from django.db import connection

BATCH_ROWS = 20_000


class BulkWriter:
    """Buffers rows of one table and writes them in batches."""

    def __init__(self, model, columns: Sequence[str]):
        self.table = model._meta.db_table
        self.columns = list(columns)
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY {self.table} ({quoted}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v
                                        for v in row])
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})",
                                   [tuple(map(_sqlite_value, row)) for row in self.rows])
        self.written += len(self.rows)
        self.rows.clear()


def insert_rows(model, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert `rows` (tuples in the order of `columns`) at once."""
    writer = BulkWriter(model, columns)
    writer.rows = list(rows)
    writer.flush()


def reserve_ids(model, count: int) -> int:
    """The first of `count` primary keys nobody else will get (the sequence moves past them)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            current_max = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            start = max(cursor.fetchone()[0], current_max + 1)
            cursor.execute("SELECT setval(%s, %s)", [sequence, start + count])
            return start
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def _sqlite_value(value):
    """What Django itself would store in SQLite: naive UTC datetimes, text decimals, JSON."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value
