"""The audit table is append-only in the database itself: raw SQL through the application's
own connection cannot UPDATE, DELETE (or on PostgreSQL TRUNCATE) a row. Runs on SQLite and,
with DATABASE_URL=postgres://..., on PostgreSQL."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from customs_core.audit.choices import AuditAction
from customs_core.audit.guard import guard_lifted, is_test_database
from customs_core.audit.models import AppendOnlyError, AuditEvent
from customs_core.audit.services import record
from customs_core.testing.services import require_postgresql

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(doc_checker):
    return record(None, AuditAction.DECLARATION_VIEWED, doc_checker, actor=doc_checker)


def _refused(sql, params=()):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert "append-only" in str(refused.value)


def _as_written(event) -> tuple:
    return tuple(AuditEvent.objects.filter(pk=event.pk).values_list(
        "action", "actor_username", "object_label", "details").get())


def test_the_database_refuses_an_update(event):
    written = _as_written(event)
    _refused(f"UPDATE {TABLE} SET actor_username = %s, details = %s WHERE id = %s",
             ["someone-else", "{}", event.pk])
    assert _as_written(event) == written


def test_the_database_refuses_a_delete(event):
    _refused(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    _refused(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _foreign_keys_checked_now():
    """PostgreSQL checks foreign keys at commit (Django makes them deferrable) and refuses
    TRUNCATE and ALTER TABLE while a check is pending; the test's transaction never commits."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_postgresql_refuses_truncate_and_a_delete_that_matches_nothing(event):
    require_postgresql()
    _foreign_keys_checked_now()
    _refused(f"TRUNCATE {TABLE}")
    _refused(f"DELETE FROM {TABLE} WHERE id = -1")  # a statement trigger: refused as such
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserting_stays_possible_with_raw_sql_too(event):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (occurred_at, actor_username, actor_role, action, "
                       "object_type, object_id, object_label, details, user_agent, request_id) "
                       "SELECT occurred_at, actor_username, actor_role, action, object_type, "
                       f"object_id, object_label, details, user_agent, request_id FROM {TABLE} "
                       "WHERE id = %s", [event.pk])
    assert AuditEvent.objects.count() >= 2


def test_the_model_refuses_to_save_a_change_or_delete(event):
    event.actor_username = "someone-else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "doc_checker"


def test_only_the_test_databases_flush_lifts_the_guard_and_puts_it_back(event):
    assert is_test_database(connection)
    _foreign_keys_checked_now()
    with guard_lifted(connection), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    again = record(None, AuditAction.DECLARATION_VIEWED)
    _refused(f"DELETE FROM {TABLE} WHERE id = %s", [again.pk])


def test_flush_refuses_a_database_the_tests_did_not_make(event, monkeypatch):
    from customs_core.audit.management.commands import flush

    monkeypatch.setattr(flush, "is_test_database", lambda connection: False)
    with translation.override("en"), pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
