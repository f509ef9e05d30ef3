"""Rollup runs at the same time as each other and as the writers, on PostgreSQL with real
threads and connections (SQLite serialises writers and has no row locks): two beat runs that
overlap, a rebuild during a refresh, while declarations, late events and payments keep being
committed. Afterwards one more refresh leaves the rollups exactly equal to the direct
computation, and no run failed (no duplicate key, no deadlock)."""

import random
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from customs_core.testing.services import require_postgresql
from declarations.models import Declaration
from reporting.models import StaleDeclaration
from reporting.rollups import rollups_rebuild, stale_refresh
from reporting.testing import (
    assert_rollups_match,
    events_insert,
    histories_insert,
    history_random,
    local,
    payments_insert,
    scene_make,
    stored_days,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

START = local(date(2025, 3, 10))
ROUNDS = 8


@pytest.fixture
def scene(request):
    require_postgresql()  # before reloading the reference data a transactional test flushed
    request.getfixturevalue("reference_data")
    scene = scene_make()
    rng = random.Random(1)
    histories_insert(scene, [history_random(rng, start=START) for _ in range(20)])
    return scene


def _at_once(*jobs) -> list[BaseException]:
    """Run the jobs in threads started together; the errors they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as error:  # every failure is reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _writer(scene, seed: int):
    """New declarations with their rows, and late events and payments on existing ones (some
    dated before rows already refreshed), each committed on its own."""
    def write():
        rng = random.Random(seed)
        for _ in range(ROUNDS):
            histories_insert(scene, [history_random(rng, start=START) for _ in range(3)])
            existing = list(Declaration.objects.exclude(number=None)
                            .values_list("pk", flat=True))
            late = rng.sample(existing, min(3, len(existing)))
            events_insert([(pk, "green", "yellow", START + timedelta(hours=rng.randrange(72)))
                           for pk in late])
            payments_insert([(late[0], Decimal(rng.randrange(1, 10 ** 6)),
                              START + timedelta(minutes=rng.randrange(5000)))], by=scene.declarant)
    return write


def _refresher():
    for _ in range(ROUNDS):
        stale_refresh(batch=7)  # small batches: many claims interleave with the writers


def test_two_refreshes_at_once_while_rows_arrive_leave_exact_rollups(scene):
    errors = _at_once(_refresher, _refresher, _writer(scene, 2), _writer(scene, 3))
    assert errors == []
    stale_refresh()
    assert not StaleDeclaration.objects.exists()
    assert_rollups_match(*stored_days())


def test_a_rebuild_during_a_refresh_while_rows_arrive_leaves_exact_rollups(scene):
    first, last = stored_days()

    def rebuild():
        for _ in range(ROUNDS // 2):
            rollups_rebuild(first, last, chunk_days=1)

    errors = _at_once(rebuild, _refresher, _writer(scene, 4))
    assert errors == []
    stale_refresh()
    assert_rollups_match(*stored_days())


def test_a_late_event_committed_while_a_range_rebuild_rewrites_milestones_is_no_duplicate(
        scene, monkeypatch):
    """The range rebuild deletes and inserts the milestones of the declarations with a raw row
    in the range. A late event committed between its DELETE and its INSERT puts one more
    declaration in the range, whose milestones the DELETE did not see: the INSERT must not
    write them a second time (it did: duplicate key, seen in CI)."""
    import reporting.rollups as rollups

    late = Declaration.objects.exclude(number=None).order_by("pk").last()
    day = stored_days()[1] + timedelta(days=5)  # no raw row yet: the rebuilt range
    events_insert([(late.pk, "green", "yellow", local(day + timedelta(days=5), 9))])
    stale_refresh()  # its milestones are stored
    building = rollups._times_insert

    def meanwhile(subset_sql):
        # another transaction commits a late event of `late` dated inside the range
        errors = _at_once(lambda: events_insert([(late.pk, "yellow", "green", local(day, 10))]))
        assert errors == []
        return building(subset_sql)

    monkeypatch.setattr(rollups, "_times_insert", meanwhile)
    rollups_rebuild(day, day, chunk_days=1)
    monkeypatch.undo()
    stale_refresh()
    assert_rollups_match(*stored_days())


def test_a_rebuild_of_the_whole_history_during_a_refresh_while_rows_arrive_leaves_exact_rollups(
        scene):
    """The whole-history rebuild empties the tables and drops their indexes in its
    transaction: what arrives meanwhile is counted by the next refresh, and every index and
    unique constraint is back afterwards."""
    from reporting.rollups import DERIVED_TABLES

    def definitions() -> list:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                           "ORDER BY 1, 2", [list(DERIVED_TABLES)])
            return cursor.fetchall()

    before = definitions()
    assert len(before) > len(DERIVED_TABLES)  # more than the primary keys

    def rebuild():
        for _ in range(ROUNDS // 2):
            rollups_rebuild(*stored_days())

    errors = _at_once(rebuild, _refresher, _writer(scene, 5))
    assert errors == []
    stale_refresh()
    assert_rollups_match(*stored_days())
    assert definitions() == before
