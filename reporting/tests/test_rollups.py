"""The rollup engine (reporting.rollups): the triggers that mark declarations stale, the
incremental refresh and the recomputation of days, and the definitions the figures follow
(channel as last decided, a green declaration's decision, segments on their end's local day,
USD at the registration week's rate, the top lists), then the whole path through the real
services and a real Celery worker on the reporting queue."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.models import Declaration, Violation
from reporting.histogram import bucket_of
from reporting.models import (
    DeclarationTimes,
    Rollup,
    SegmentRollup,
    StaleDeclaration,
    ValueRollup,
)
from reporting.rollups import days_recompute, rollups_rebuild, stale_refresh
from reporting.testing import (
    Filing,
    assert_rollups_match,
    declarations_insert,
    events_insert,
    histories_insert,
    history_days,
    history_random,
    local,
    outcomes_insert,
    payments_insert,
    scene_make,
    usd_rates_publish,
    violations_insert,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 3, 10)
T = local(MONDAY, 9)  # Monday 10 March 2025, 09:00 in Mong Cai


@pytest.fixture
def scene(reference_data):
    scene = scene_make()
    usd_rates_publish({date(2025, 3, 3): Decimal("25000"), MONDAY: Decimal("20000")})
    return scene


def _stale() -> set[int]:
    return set(StaleDeclaration.objects.values_list("declaration_id", flat=True))


def _registered(scene, at=T, **filing) -> int:
    """A declaration with its registration event (the marks of both are cleared)."""
    [pk] = declarations_insert(scene, [Filing(**filing)])
    events_insert([(pk, "draft", "submitted", at)])
    StaleDeclaration.objects.all().delete()
    return pk


def _snapshot() -> dict:
    """Every reporting row, without the surrogate ids a recomputation renews."""
    out = {}
    for model in (DeclarationTimes, Rollup, SegmentRollup, ValueRollup):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        out[model.__name__] = sorted(map(repr, model.objects.values_list(*names)))
    return out


def _many(scene, n: int = 25, seed: int = 18) -> tuple[date, date]:
    rng = random.Random(seed)
    histories = [history_random(rng, start=local(MONDAY)) for _ in range(n)]
    histories_insert(scene, histories)
    return history_days(histories)


# --- the triggers ------------------------------------------------------------------------------
def test_an_event_marks_its_declaration_stale(scene):
    a, b = declarations_insert(scene, [Filing(), Filing()])
    assert _stale() == set()  # a new declaration has nothing to report yet
    events_insert([(a, "draft", "submitted", T)])
    assert _stale() == {a}


def test_a_payment_marks_its_declaration_stale(scene):
    pk = _registered(scene)
    payments_insert([(pk, Decimal(1000), T)], by=scene.declarant)
    assert _stale() == {pk}


def test_a_check_outcome_marks_its_declaration_stale(scene):
    pk = _registered(scene)
    outcomes_insert([(pk, "doc_check", "conform", T)])
    assert _stale() == {pk}


def test_a_violation_marks_its_declaration_stale_when_found_and_when_changed(scene):
    pk = _registered(scene)
    violations_insert([(pk, Decimal(5_000_000), T)])
    assert _stale() == {pk}
    StaleDeclaration.objects.all().delete()
    Violation.objects.filter(declaration_id=pk).update(penalty_vnd=Decimal(7_500_000))
    assert _stale() == {pk}


@pytest.mark.parametrize("change", [
    {"border_gate_id": "HMHM"}, {"regime_id": "A12"}, {"flow": "export"},
    {"enterprise": 1}, {"currency_id": "CNY"}, {"total_invoice_value": Decimal("77.5")},
    {"exchange_rate": Decimal("3650")}, {"import_duty_vnd": Decimal(1)},
    {"vat_vnd": Decimal(10)}, {"total_duty_vnd": Decimal(11)}])
def test_a_registered_declaration_is_marked_when_a_reported_field_changes(scene, change):
    pk = _registered(scene)
    if "border_gate_id" in change:
        gate = scene.gates[2]
        change = {"border_gate": gate, "office_id": gate.office_id}
    if "enterprise" in change:
        change = {"enterprise": scene.enterprises[1]}
    Declaration.objects.filter(pk=pk).update(**change)
    assert _stale() == {pk}


def test_a_drafts_changes_mark_nothing(scene):
    [pk] = declarations_insert(scene, [Filing()], states=["draft"])
    Declaration.objects.filter(pk=pk).update(total_invoice_value=Decimal("5"),
                                             vat_vnd=Decimal(9), regime_id="A12")
    assert _stale() == set()


def test_changes_the_rollups_do_not_read_mark_nothing(scene):
    pk = _registered(scene)
    Declaration.objects.filter(pk=pk).update(partner_name="Công ty khác", paid_vnd=Decimal(5),
                                             state="scored", packages=99,
                                             total_invoice_value=Decimal("1000"))  # unchanged
    assert _stale() == set()


# --- refreshing and recomputing ------------------------------------------------------------------
def test_a_refresh_consumes_the_marks_and_a_second_run_changes_nothing(scene):
    first, last = _many(scene)
    marked = _stale()
    assert stale_refresh() == len(marked)
    assert _stale() == set()
    assert_rollups_match(first, last)
    rows = _snapshot()
    assert Rollup.objects.exists() and SegmentRollup.objects.exists()
    assert stale_refresh() == 0
    assert _snapshot() == rows


def test_recomputing_days_twice_gives_the_same_rows(scene):
    first, last = _many(scene)
    stale_refresh()
    rows = _snapshot()
    days_recompute(first, last)
    assert _snapshot() == rows
    days_recompute(first, last)
    assert _snapshot() == rows


def test_a_rebuild_gives_the_rows_the_incremental_refresh_gave(scene):
    first, last = _many(scene)
    stale_refresh()
    rows = _snapshot()
    for model in (DeclarationTimes, Rollup, SegmentRollup, ValueRollup):
        model.objects.all().delete()
    assert rollups_rebuild(first, last, chunk_days=2) == -(-((last - first).days + 1) // 2)
    assert _snapshot() == rows


def test_a_refresh_takes_every_mark_when_one_declaration_fills_a_batch(scene):
    a, b = declarations_insert(scene, [Filing(), Filing()])
    for n, (frm, to) in enumerate([("draft", "submitted"), ("submitted", "scored"),
                                   ("scored", "green")]):
        events_insert([(a, frm, to, T + timedelta(minutes=n))])  # one mark each
    events_insert([(b, "draft", "submitted", T)])
    stale_refresh(batch=3)
    assert _stale() == set()
    assert set(DeclarationTimes.objects.values_list("declaration_id", flat=True)) == {a, b}


def test_a_violation_moved_to_another_day_no_longer_counts_on_the_first(scene):
    pk = _registered(scene)
    violations_insert([(pk, Decimal(1_000_000), T + timedelta(days=1))])
    stale_refresh()
    assert Rollup.objects.get(day=MONDAY + timedelta(days=1)).violations == 1
    Violation.objects.filter(declaration_id=pk).update(found_at=T + timedelta(days=2))
    stale_refresh()
    assert_rollups_match(MONDAY, MONDAY + timedelta(days=2))


# --- what the figures mean -----------------------------------------------------------------------
def _rows_by_channel(day: date) -> dict[str, int]:
    return dict(Rollup.objects.filter(day=day).values_list("channel", "registered"))


def test_a_raised_channel_moves_the_registration_to_the_new_channels_row(scene):
    pk = _registered(scene)
    events_insert([(pk, "submitted", "scored", T + timedelta(seconds=5)),
                   (pk, "scored", "green", T + timedelta(seconds=6))])
    stale_refresh()
    assert _rows_by_channel(MONDAY) == {"green": 1}
    events_insert([(pk, "green", "yellow", T + timedelta(days=1, hours=2))])  # next day
    stale_refresh()
    assert _rows_by_channel(MONDAY) == {"yellow": 1}
    assert DeclarationTimes.objects.get(pk=pk).channel_at == T + timedelta(seconds=6)
    assert SegmentRollup.objects.get(segment="registration_channel").channel == "yellow"


def test_a_green_declaration_is_decided_when_it_turned_green(scene):
    pk = _registered(scene)
    green = T + timedelta(seconds=10)
    events_insert([(pk, "submitted", "scored", T + timedelta(seconds=1)),
                   (pk, "scored", "green", green),
                   (pk, "green", "cleared", T + timedelta(seconds=110))])
    payments_insert([(pk, Decimal(5000), T + timedelta(seconds=100))], by=scene.declarant)
    stale_refresh()
    times = DeclarationTimes.objects.get(pk=pk)
    assert (times.check_started_at, times.decided_at) == (None, green)
    segments = dict(SegmentRollup.objects.values_list("segment", "seconds"))
    assert segments == {"registration_channel": 10, "decision_paid": 90, "paid_cleared": 10,
                        "end_to_end": 110}


def test_a_checked_declaration_is_decided_when_its_last_check_ended(scene):
    pk = _registered(scene)
    events_insert([(pk, "submitted", "scored", T), (pk, "scored", "green", T),
                   (pk, "green", "yellow", T + timedelta(minutes=5)),
                   (pk, "yellow", "doc_check", T + timedelta(minutes=10)),
                   (pk, "doc_check", "red", T + timedelta(minutes=20)),
                   (pk, "red", "inspection", T + timedelta(minutes=30)),
                   (pk, "inspection", "cleared", T + timedelta(minutes=90))])
    stale_refresh()
    times = DeclarationTimes.objects.get(pk=pk)
    assert times.channel == "red"
    assert times.check_started_at == T + timedelta(minutes=10)
    assert times.decided_at == T + timedelta(minutes=90)
    row = Rollup.objects.get(day=MONDAY)
    assert (row.document_checks, row.inspections, row.registered, row.cleared) == (1, 1, 1, 1)


def test_segments_fall_on_the_local_day_their_end_falls_on(scene):
    """23:59:50 Sunday to 00:00:05 Monday in Mong Cai: both on Sunday in UTC."""
    sunday = MONDAY - timedelta(days=1)
    pk = _registered(scene, at=local(sunday, 23, 59, 50))
    events_insert([(pk, "submitted", "scored", local(sunday, 23, 59, 55)),
                   (pk, "scored", "yellow", local(MONDAY, 0, 0, 5))])
    stale_refresh()
    assert _rows_by_channel(sunday) == {"yellow": 1}
    segment = SegmentRollup.objects.get()
    assert (segment.day, segment.segment, segment.seconds, segment.bucket) == (
        MONDAY, "registration_channel", 15, bucket_of(15))
    assert_rollups_match(sunday, MONDAY)


def test_usd_values_use_the_usd_rate_of_the_registration_week(scene):
    sunday = MONDAY - timedelta(days=1)
    cny = {"currency": "CNY", "value": Decimal("1000"), "exchange_rate": Decimal("3650")}
    late_sunday = _registered(scene, at=local(sunday, 23, 0), **cny)  # the week of 3 March
    early_monday = _registered(scene, at=local(MONDAY, 0, 30), **cny)  # Sunday 17:30 in UTC
    in_usd = _registered(scene, at=local(MONDAY, 8), currency="USD", value=Decimal("123.4550"))
    before_any_rate = _registered(scene, at=local(date(2025, 3, 1), 8), **cny)
    rollups_rebuild(date(2025, 3, 1), MONDAY)
    usd = dict(DeclarationTimes.objects.values_list("declaration_id", "invoice_usd"))
    assert usd == {late_sunday: Decimal("146.00"),  # 1000 x 3650 / 25000
                   early_monday: Decimal("182.50"),  # 1000 x 3650 / 20000
                   in_usd: Decimal("123.46"), before_any_rate: Decimal("0.00")}
    assert Rollup.objects.get(day=MONDAY, regime_id="A11").invoice_usd == Decimal("305.96")
    assert_rollups_match(date(2025, 3, 1), MONDAY)


def test_value_rollups_count_chapters_by_goods_line_and_enterprises_by_declaration(scene):
    _registered(scene, value=Decimal("300"), enterprise=0,
                lines=[(0, Decimal("100")), (1, Decimal("50")), (0, Decimal("150"))])
    _registered(scene, value=Decimal("30"), enterprise=0, lines=[(0, Decimal("30"))])
    _registered(scene, value=Decimal("10"), enterprise=1, lines=[(2, Decimal("10"))])
    rollups_rebuild(MONDAY, MONDAY)
    values = {(v.kind, v.ref): (v.declarations, v.invoice_usd) for v in ValueRollup.objects.all()}
    a, b = (str(e.pk) for e in scene.enterprises[:2])
    assert values == {("chapter", "19"): (2, Decimal("280.00")),
                      ("chapter", "17"): (1, Decimal("50.00")),
                      ("chapter", "21"): (1, Decimal("10.00")),
                      ("enterprise", a): (2, Decimal("330.00")),
                      ("enterprise", b): (1, Decimal("10.00"))}


# --- through the real services -------------------------------------------------------------------
@pytest.fixture
def rates(reference_data):
    from declarations.testing import publish_rates

    publish_rates()


def test_declarations_filed_routed_paid_checked_and_cleared_show_in_the_rollups(rates,
                                                                                declarant_a):
    from declarations import services
    from declarations.testing import declaration_make
    from inspection import services as checks
    from inspection.testing import crew_make, open_check_of

    crew = crew_make("GSKT1", prefix="rp")
    green = declaration_make(state="gate_out", user=declarant_a)  # submit, green, pay, clear
    yellow = declaration_make(state="yellow", user=declarant_a)
    services.declaration_pay(declaration=yellow, user=declarant_a,
                             amount_vnd=yellow.outstanding_vnd, reference="KB-RP-000001")
    check = open_check_of(yellow)
    checks.check_clear(check=check, by=check.officer, conclusion="Hồ sơ phù hợp")
    checks.gate_exit_confirm(declaration=Declaration.objects.get(pk=yellow.pk), by=crew.insp1)

    assert _stale() >= {green.pk, yellow.pk}
    assert stale_refresh() == 2
    today = timezone.localdate()
    rows = Rollup.objects.filter(day=today)
    assert {r.channel: r.registered for r in rows} == {"green": 1, "yellow": 1}
    assert sum(r.cleared for r in rows) == 2
    assert sum(r.collected_vnd for r in rows) == green.total_duty_vnd + yellow.total_duty_vnd
    yellow_row = rows.get(channel="yellow")
    assert (yellow_row.document_checks, yellow_row.checks_concluded) == (1, 1)
    assert yellow_row.total_duty_vnd == yellow.total_duty_vnd > 0
    assert SegmentRollup.objects.filter(day=today, segment="end_to_end").count() >= 1
    assert sum(SegmentRollup.objects.filter(day=today, segment="cleared_gate_out")
               .values_list("count", flat=True)) == 2
    assert_rollups_match(today, today)


# --- a real worker on the reporting queue --------------------------------------------------------
@pytest.fixture
def reporting_celery_worker(transactional_db, reference_data):
    """A worker started as production starts the reporting one: `-Q reporting` only."""
    from django.db import connection

    from customs_core.testing.services import CeleryWorker, require_postgresql, require_redis

    connection.ensure_connection()
    require_postgresql()
    worker = CeleryWorker(broker=require_redis(), queues="reporting", name="reporting")
    worker.start()
    yield worker
    worker.stop()


@pytest.mark.services
@pytest.mark.broker
def test_the_reporting_worker_refreshes_the_rollups(reporting_celery_worker):
    from customs_core.testing.services import wait_until
    from reporting.tasks import rollups_refresh_task

    command = reporting_celery_worker.command()
    assert command[command.index("-Q") + 1] == "reporting"
    scene = scene_make()
    first, last = _many(scene, n=10)
    assert _stale()

    rollups_refresh_task.delay()

    wait_until(lambda: not _stale() and Rollup.objects.exists(), timeout=60,
               what=f"the reporting worker to refresh\n{reporting_celery_worker.log()[-3000:]}")
    assert_rollups_match(first, last)
