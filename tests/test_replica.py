"""Dashboards, reports and exports read the rollups from a PostgreSQL replica when one is
configured (customs_core.db_routers): first the router's decisions, then a real hot standby of
the test database, paused to show that the dashboard reads it and shows what it has."""

import copy
import runpy
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.utils import timezone

from customs_core.db_routers import REPLICA, ReplicaRouter, primary
from customs_core.models import CustomsOffice, Enterprise, User
from customs_core.testing.services import (
    PostgresReplica,
    ReplicaUnavailable,
    require_postgresql,
    service_missing,
)
from declarations.models import Declaration, DutyPayment
from reporting.models import (
    DeclarationTimes,
    ReportExport,
    RevenueTarget,
    Rollup,
    RollupState,
    SegmentRollup,
    StaleDeclaration,
    ValueRollup,
)
from reporting.rollups import history_span, rollups_rebuild
from reporting.selectors import dashboard, default_filters
from reporting.serializing import plain
from reporting.services import revenue_target_set
from reporting.testing import Filing, History, histories_insert, scene_make, timed, walk

ON_REPLICA = (DeclarationTimes, Rollup, SegmentRollup, ValueRollup, RollupState)
ON_PRIMARY = (RevenueTarget, ReportExport, StaleDeclaration, Declaration, DutyPayment,
              Enterprise, CustomsOffice, User)


# --- the router --------------------------------------------------------------------------------
@pytest.fixture
def replica_alias():
    """A "replica" database in the settings, never connected to: the router only asks whether
    there is one. Its connection object goes too (Django keeps one per alias and thread: a
    later test's real replica must not inherit this one)."""
    connections.settings[REPLICA] = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def test_the_router_is_installed():
    assert settings.DATABASE_ROUTERS == ["customs_core.db_routers.ReplicaRouter"]


def test_without_a_replica_the_router_decides_nothing(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    replica_router = ReplicaRouter()
    assert replica_router.db_for_read(Rollup) is None
    assert replica_router.db_for_write(Rollup) is None
    assert replica_router.allow_migrate(DEFAULT_DB_ALIAS, "reporting", "rollup") is None
    assert Rollup.objects.all().db == DEFAULT_DB_ALIAS


def test_the_rollups_are_read_from_the_replica(replica_alias):
    for model in ON_REPLICA:
        assert router.db_for_read(model) == REPLICA, model
        assert model.objects.all().db == REPLICA, model


def test_everything_else_is_read_from_the_primary(replica_alias):
    for model in ON_PRIMARY:
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model
        assert model.objects.all().db == DEFAULT_DB_ALIAS, model


def test_every_write_goes_to_the_primary(replica_alias):
    for model in ON_REPLICA + ON_PRIMARY:
        assert router.db_for_write(model) == DEFAULT_DB_ALIAS, model
    # select_for_update and get_or_create read for a write: the rollup task's lock row
    assert RollupState.objects.select_for_update().db == DEFAULT_DB_ALIAS


def test_reads_inside_primary_go_to_the_primary_in_that_thread_only(replica_alias):
    seen_by_another_thread = []
    with primary():
        assert Rollup.objects.all().db == DEFAULT_DB_ALIAS
        other = threading.Thread(
            target=lambda: seen_by_another_thread.append(Rollup.objects.all().db))
        other.start()
        other.join()
    assert seen_by_another_thread == [REPLICA]
    assert Rollup.objects.all().db == REPLICA


def test_reads_inside_a_transaction_on_the_primary_stay_there(replica_alias, db):
    with transaction.atomic():
        assert Rollup.objects.all().db == DEFAULT_DB_ALIAS


def test_migrations_never_target_the_replica(replica_alias):
    assert router.allow_migrate(REPLICA, "reporting", model_name="rollup") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "reporting", model_name="rollup") is True


def test_objects_of_both_databases_may_be_related(replica_alias):
    rollup, office = Rollup(), CustomsOffice()
    rollup._state.db, office._state.db = REPLICA, DEFAULT_DB_ALIAS
    assert router.allow_relation(rollup, office) is True


def _databases_of(monkeypatch, environment: dict) -> dict:
    """settings.DATABASES as the settings module builds them from this environment."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings.BASE_DIR) / "customs_core" / "settings.py"))[
        "DATABASES"]


def test_database_replica_url_adds_the_replica_as_the_primarys_test_mirror(monkeypatch):
    databases = _databases_of(monkeypatch, {
        "DATABASE_URL": "postgres://customs@db-primary:5432/customs",
        "DATABASE_REPLICA_URL": "postgres://reader@db-replica:5432/customs",
        "CONN_MAX_AGE": "30"})
    replica = databases[REPLICA]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("db-replica", "reader",
                                                                   "customs")
    assert replica["CONN_MAX_AGE"] == 30 and replica["CONN_HEALTH_CHECKS"] is True
    assert replica["TEST"] == {"MIRROR": DEFAULT_DB_ALIAS}  # no test database of its own
    assert REPLICA not in _databases_of(monkeypatch, {"DATABASE_URL": "sqlite:///:memory:",
                                                      "DATABASE_REPLICA_URL": ""})


# --- a real replica ----------------------------------------------------------------------------
def _cleared(scene, n: int) -> None:
    """n declarations registered, routed green, paid and cleared in the last half hour, then
    the rollups rebuilt, as the reporting worker would."""
    start = timezone.now() - timedelta(minutes=30)
    histories_insert(scene, [
        History(filing=Filing(value=Decimal(1000 * (k + 1))),
                events=timed(walk([0] * 4), start, [timedelta(minutes=1)]),
                payments=[(Decimal(2_000_000), start + timedelta(minutes=3))])
        for k in range(n)])
    rollups_rebuild(*history_span())


@pytest.fixture(scope="class")
def replica(django_db_setup):
    """A hot standby of the test database on another loopback port, known to Django as the
    "replica" database; stopped and deleted after the class's tests. Class-scoped: the alias
    must exist before pytest-django sets up the test's database access (so that the test
    may name it), and be gone before the tests outside the class."""
    from django.db import connection

    require_postgresql()
    standby = PostgresReplica(connection.settings_dict)
    try:
        standby.start()
    except ReplicaUnavailable as why:
        service_missing(str(why))
    connections.settings[REPLICA] = standby.settings_dict()
    try:
        yield standby
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        standby.stop()


@pytest.mark.services
@pytest.mark.broker  # after the parallel run, alone: it starts a second PostgreSQL
class TestRealReplica:
    """A class for the scope of its `replica` fixture (scope="class")."""

    @pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
    def test_the_dashboard_reads_the_replica_and_shows_what_it_has(
            self, replica, reference_data, leader, client, api_as):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone() == (True,)  # the standby, not the primary
        scene = scene_make()
        figures = default_filters()
        _cleared(scene, 2)
        replica.wait_replayed()
        replayed = plain(dashboard(figures))
        assert replayed["totals"]["registered"] == 2
        assert replayed["totals"]["collected_vnd"] == "4000000"

        # The replica lags: it has stopped replaying; the primary moves on.
        replica.pause()
        _cleared(scene, 1)
        target = revenue_target_set(office=scene.gates[0].office, year=figures.date_to.year,
                                    amount_vnd=Decimal(5_000_000_000), by=leader)
        with primary():
            on_primary = plain(dashboard(figures))
        assert on_primary["totals"]["registered"] == 3

        # Through the router: the rollups as the replica has them, and the target just set
        # read from the primary (a leader sees their own write at once).
        behind = plain(dashboard(figures))
        assert behind["totals"]["registered"] == 2
        assert {k: v for k, v in behind.items() if k != "revenue"} == {
            k: v for k, v in replayed.items() if k != "revenue"}
        assert behind["revenue"]["target_vnd"] == "5000000000"
        assert behind["revenue"]["collected_vnd"] == replayed["revenue"]["collected_vnd"]
        # The page and the API read the same way.
        client.force_login(leader)
        assert client.get("/reports/").context["data"] == behind
        assert api_as(leader).get("/api/v1/reports/dashboard/").json() == behind

        # The write went to the primary: the paused replica has not got it, and it refuses
        # writes anyway.
        assert not RevenueTarget.objects.using(REPLICA).filter(pk=target.pk).exists()
        with pytest.raises(DatabaseError, match="read-only"):
            Rollup.objects.using(REPLICA).update(registered=0)

        replica.resume()
        replica.wait_replayed()
        assert plain(dashboard(figures)) == on_primary
        assert RevenueTarget.objects.using(REPLICA).filter(pk=target.pk).exists()
