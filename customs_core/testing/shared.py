"""Rows built once for a whole test module instead of once per test.

A module whose tests all read the same world (the schema fuzzing: about 125 operations times
five users; the route matrices) builds it inside a transaction that stays open around the
module's tests and is rolled back after the last one. Each test's own `django_db` transaction
is then a savepoint inside it: what a test writes is undone after it, the world is not, and
nothing of it outlives the module. Building the fuzzing world took two seconds of every
fuzzing test's three.

Only for modules without transactional tests (`transaction=True`, `live_server`): those
commit and flush, which an open transaction around them would break. Anything in such a module
that calls the WSGI application directly must keep `close_old_connections` off the request
signals (Django's test client does): in a transaction, the connection looks obsolete and would
be closed under the world.

The people of a shared world are named with a prefix, so a test of the same module that takes
the function-scoped personas of conftest (`declarant_a`, ...) gets its own rows, not these.
"""

from contextlib import contextmanager
from types import SimpleNamespace

from django.db import transaction

from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory, UserFactory

# The personas of conftest (STYLE.md): declarant_b must never see anything of declarant_a's.
ENTERPRISE_NAMES = {"enterprise_a": "Công ty TNHH Xuất nhập khẩu Hải Hà (A)",
                    "enterprise_b": "Công ty Cổ phần Nông sản Bắc Luân (B)"}
OFFICER_ROLES = {"doc_checker": "doc_check", "inspector": "inspection", "risk_officer": "risk",
                 "team_leader": "team_leader", "leader": "branch_leader"}


@contextmanager
def module_rows(django_db_blocker):
    """Open a transaction for rows that many tests read; roll it back when the block ends."""
    from customs_core.testing.snapshot import reference_ensure

    with django_db_blocker.unblock(), transaction.atomic():
        reference_ensure()  # a transactional test of this process may have flushed
        yield
        transaction.set_rollback(True)


def personas_make(prefix: str) -> SimpleNamespace:
    """The conftest personas as rows of a shared world: declarant_a and declarant_b of two
    enterprises, and one officer of each role, their usernames prefixed."""
    enterprises = {key: EnterpriseFactory(name=name) for key, name in ENTERPRISE_NAMES.items()}
    people = {
        "enterprise_a": enterprises["enterprise_a"], "enterprise_b": enterprises["enterprise_b"],
        "declarant_a": DeclarantFactory(username=f"{prefix}_declarant_a",
                                        enterprise=enterprises["enterprise_a"]),
        "declarant_b": DeclarantFactory(username=f"{prefix}_declarant_b",
                                        enterprise=enterprises["enterprise_b"]),
    }
    for key, role in OFFICER_ROLES.items():
        people[key] = UserFactory(username=f"{prefix}_{key}", role=role)
    people["admin_user"] = UserFactory(username=f"{prefix}_administrator", role="admin",
                                       is_staff=True, is_superuser=True)
    return SimpleNamespace(**people)
