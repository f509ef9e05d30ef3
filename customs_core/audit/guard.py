"""The database's append-only guard on the audit table (installed by migration 0002), and the
one place that lifts it: emptying a test database between tests (management/commands/flush.py).
"""

from contextlib import contextmanager

from django.db import transaction

from .models import AuditEvent


def is_test_database(connection) -> bool:
    """A database the test runner made: test_<name>, or an in-memory SQLite."""
    name = str(connection.settings_dict["NAME"])
    return name.startswith("test_") or name == ":memory:" or "mode=memory" in name


@contextmanager
def guard_lifted(connection):
    """Within one transaction: the triggers off (PostgreSQL) or dropped and made again from
    their own SQL (SQLite, which cannot disable one)."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = %s", [AuditEvent._meta.db_table])
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield
