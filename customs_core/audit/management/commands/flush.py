"""Django's flush, which empties every table, made to live with the append-only audit table:
on a test database (TransactionTestCase flushes after each test) it lifts the table's guard for
its own transaction; on any other database the guard holds and the flush is refused (drop the
database and create it again to start afresh)."""

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections
from django.utils.translation import gettext as _

from ...guard import guard_lifted, is_test_database


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if not is_test_database(connection):
            raise CommandError(_("The access audit is append-only: this database cannot be "
                                 "flushed. Drop it and create it again instead."))
        with guard_lifted(connection):
            return super().handle(**options)
