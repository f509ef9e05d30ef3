"""The dashboard's figures (reporting.selectors), read from rollup rows written here by hand:
revenue against the target and its projection, the period's totals and shares, months beside
the same months a year before, the top lists, and an enterprise's own figures (never anyone
else's declarations)."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from customs_core.models import BorderGate
from reporting import histogram
from reporting.models import RevenueTarget, Rollup, SegmentRollup, ValueRollup
from reporting.rollups import months_recompute, stale_refresh
from reporting.selectors import (
    ReportFilters,
    clearance_times,
    enterprise_figures,
    monthly,
    revenue_progress,
    time_release,
    top,
    totals,
)
from reporting.testing import (
    Filing,
    History,
    histories_insert,
    history_random,
    local,
    scene_make,
    timed,
    walk,
)

pytestmark = pytest.mark.django_db

M = Decimal(1_000_000)


@pytest.fixture
def gates(reference_data):
    """Two gates of 20BB and the gate of a second office."""
    scene = scene_make(enterprises=1)
    return scene.gates


def _rollup(gate: BorderGate, day: date, channel: str = "green", regime: str = "A11",
            **figures) -> Rollup:
    flow = "export" if regime.startswith("B") else "import"
    row = Rollup.objects.create(day=day, office_id=gate.office_id, border_gate=gate, flow=flow,
                                regime_id=regime, channel=channel, **figures)
    months_recompute(day, day)  # as the rollup jobs do after writing a day
    return row


def _target(office_id: int, year: int, amount: Decimal, leader) -> None:
    RevenueTarget.objects.create(office_id=office_id, year=year, amount_vnd=amount,
                                 updated_by=leader)


# --- revenue against the target ----------------------------------------------------------------
def test_revenue_to_date_against_the_target_projected_linearly_without_last_year(gates,
                                                                                  leader):
    gate = gates[0]
    _target(gate.office_id, 2025, 1000 * M, leader)
    _rollup(gate, date(2025, 1, 15), collected_vnd=100 * M)
    _rollup(gate, date(2025, 3, 31), collected_vnd=150 * M)
    _rollup(gate, date(2025, 4, 1), collected_vnd=999 * M)  # after "today"
    figures = revenue_progress(2025, today=date(2025, 3, 31))
    assert figures["target_vnd"] == 1000 * M
    assert figures["collected_vnd"] == 250 * M
    assert figures["percent_to_date"] == 25.0
    assert figures["profile"] == "linear"
    # 90 of 365 days gone: 250 M x 365 / 90
    assert figures["projected_vnd"] == Decimal("1013888889")
    assert figures["percent_projected"] == 101.4


def test_revenue_is_projected_with_last_years_profile(gates, leader):
    gate = gates[0]
    _target(gate.office_id, 2025, 400 * M, leader)
    for day, amount in ((date(2024, 1, 10), 60), (date(2024, 3, 31), 40), (date(2024, 4, 1), 100),
                        (date(2024, 12, 31), 200), (date(2025, 2, 1), 75)):
        _rollup(gate, day, collected_vnd=amount * M)
    figures = revenue_progress(2025, today=date(2025, 3, 31))
    # by 31 March last year a quarter of last year's 400 M had come in
    assert figures["profile"] == "last_year"
    assert figures["projected_vnd"] == 300 * M
    assert (figures["percent_to_date"], figures["percent_projected"]) == (18.8, 75.0)


def test_revenue_without_a_target_has_no_percentages(gates):
    _rollup(gates[0], date(2025, 2, 1), collected_vnd=10 * M)
    figures = revenue_progress(2025, today=date(2025, 2, 1))
    assert figures["target_vnd"] is figures["percent_to_date"] is None
    assert figures["percent_projected"] is None
    assert figures["collected_vnd"] == 10 * M


def test_revenue_of_one_office_counts_its_own_target_and_collections(gates, leader):
    main, other = gates[0], gates[2]
    _target(main.office_id, 2025, 100 * M, leader)
    _target(other.office_id, 2025, 300 * M, leader)
    _rollup(main, date(2025, 1, 2), collected_vnd=10 * M)
    _rollup(other, date(2025, 1, 2), collected_vnd=90 * M)
    mine = revenue_progress(2025, today=date(2025, 6, 30), office_id=main.office_id)
    assert (mine["target_vnd"], mine["collected_vnd"], mine["percent_to_date"]) == (
        100 * M, 10 * M, 10.0)
    branch = revenue_progress(2025, today=date(2025, 6, 30))
    assert (branch["target_vnd"], branch["collected_vnd"], branch["percent_to_date"]) == (
        400 * M, 100 * M, 25.0)


def test_a_past_years_revenue_is_its_whole_year(gates):
    _rollup(gates[0], date(2024, 12, 31), collected_vnd=7 * M)
    _rollup(gates[0], date(2025, 1, 1), collected_vnd=5 * M)
    figures = revenue_progress(2024, today=date(2025, 3, 1))
    assert figures["collected_vnd"] == 7 * M
    assert figures["projected_vnd"] == 7 * M


# --- totals --------------------------------------------------------------------------------------
def test_totals_sum_the_period_and_share_the_routed_channels(gates):
    gate = gates[0]
    day = date(2025, 3, 10)
    _rollup(gate, day, "green", registered=6, cleared=5, invoice_usd=Decimal("100.50"),
            total_duty_vnd=1000, collected_vnd=900)
    _rollup(gate, day, "yellow", registered=3, document_checks=3, checks_concluded=4,
            checks_with_violation=1, violations=1, penalties_vnd=5 * M)
    _rollup(gate, day, "red", registered=1, inspections=1)
    _rollup(gate, day, "", registered=2)  # not routed yet: registered, in no channel
    _rollup(gate, day - timedelta(days=1), "green", registered=50)  # outside the period
    figures = totals(ReportFilters(day, day))
    assert figures["registered"] == 12
    assert figures["channels"] == {"green": 6, "yellow": 3, "red": 1}
    assert figures["green_share"] == 60.0  # 6 of the 10 routed
    assert figures["hit_rate"] == 25.0  # 1 violation in 4 concluded checks
    assert (figures["cleared"], figures["invoice_usd"], figures["collected_vnd"]) == (
        5, Decimal("100.50"), Decimal(900))
    assert (figures["document_checks"], figures["inspections"], figures["penalties_vnd"]) == (
        3, 1, 5 * M)


def test_totals_follow_the_flow_regime_and_gate_filters(gates):
    day = date(2025, 3, 10)
    _rollup(gates[0], day, regime="A11", registered=1)
    _rollup(gates[0], day, regime="B11", registered=10)
    _rollup(gates[1], day, regime="A12", registered=100)

    def registered(**filters) -> int:
        return totals(ReportFilters(day, day, **filters))["registered"]

    assert registered() == 111
    assert registered(flow="export") == 10
    assert registered(flow="import") == 101
    assert registered(regime="A12") == 100
    assert registered(border_gate=gates[0].pk) == 11
    assert registered(border_gate=gates[0].pk, flow="import") == 1


def test_shares_are_none_without_anything_to_share(gates):
    day = date(2025, 3, 10)
    _rollup(gates[0], day, "", registered=4)
    figures = totals(ReportFilters(day, day))
    assert figures["green_share"] is None and figures["hit_rate"] is None


def test_clearance_medians_come_from_the_buckets(gates):
    day = date(2025, 3, 10)
    gate = gates[0]
    for seconds, count, channel in ((100, 3, "green"), (1000, 1, "green"), (7200, 2, "red")):
        SegmentRollup.objects.create(
            day=day, office_id=gate.office_id, border_gate=gate, flow="import", regime_id="A11",
            channel=channel, segment="end_to_end", bucket=histogram.bucket_of(seconds),
            count=count, seconds=seconds * count)
    months_recompute(day, day)
    rows = {(r["channel"], r["flow"]): r for r in clearance_times(ReportFilters(day, day))}
    green = rows[("green", "import")]
    assert green["count"] == 4 and green["mean_seconds"] == 325
    assert green["median_seconds"] == histogram.bucket_value(histogram.bucket_of(100))
    assert green["p90_seconds"] == histogram.bucket_value(histogram.bucket_of(1000))
    everything = rows[("", "")]
    assert everything["count"] == 6  # green 100,100,100,1000 and red 7200,7200
    assert everything["median_seconds"] == histogram.bucket_value(histogram.bucket_of(100))
    assert everything["p90_seconds"] == histogram.bucket_value(histogram.bucket_of(7200))
    assert rows[("yellow", "")]["median_seconds"] is None


# --- whole months from the month-grain copies ---------------------------------------------------
@pytest.mark.parametrize("first, last", [
    (date(2024, 1, 1), date(2024, 5, 31)),  # whole months only
    (date(2024, 1, 14), date(2024, 4, 2)),  # partial months at both ends
    (date(2024, 2, 1), date(2024, 2, 29)),  # one whole (leap) month
    (date(2024, 2, 2), date(2024, 2, 28)),  # inside one month
    (date(2024, 1, 31), date(2024, 2, 1)),  # two partial months, no whole one
    (date(2024, 3, 5), date(2024, 5, 31)),  # ends on a month's last day
    (date(2023, 12, 20), date(2024, 1, 31)),  # across the year, ends with a whole month
])
def test_a_period_reads_the_same_figures_from_months_and_days_as_from_days(gates, first, last):
    day = date(2023, 12, 1)
    n = 0
    while day <= date(2024, 6, 10):
        n += 1
        _rollup(gates[n % 2], day, channel=("green", "red")[n % 3 == 0], registered=n,
                collected_vnd=1000 * n)
        day += timedelta(days=3)
    figures = totals(ReportFilters(first, last))
    days = Rollup.objects.filter(day__range=(first, last))
    assert figures["registered"] == sum(days.values_list("registered", flat=True))
    assert figures["collected_vnd"] == sum(days.values_list("collected_vnd", flat=True))
    assert figures["channels"]["red"] == sum(
        days.filter(channel="red").values_list("registered", flat=True))
    gate = totals(ReportFilters(first, last, border_gate=gates[0].pk))
    assert gate["registered"] == sum(
        days.filter(border_gate=gates[0]).values_list("registered", flat=True))


@pytest.mark.parametrize("first, last", [
    (date(2024, 1, 1), date(2024, 5, 31)), (date(2024, 1, 14), date(2024, 4, 2)),
    (date(2024, 2, 2), date(2024, 2, 28)), (date(2023, 12, 20), date(2024, 1, 31))])
def test_segments_and_top_lists_read_the_same_from_months_per_flow_as_from_days(
        gates, first, last):
    """Without a gate or regime filter whole months come from the per-flow month sums; with
    one, from the month rows; either way the figures of the day rows."""
    day, n = date(2023, 12, 1), 0
    while day <= date(2024, 6, 10):
        n += 1
        gate, regime = gates[n % 2], ("A11", "B11", "A12")[n % 3]
        flow = "export" if regime.startswith("B") else "import"
        for channel in ("green", "red"):
            SegmentRollup.objects.create(
                day=day, office_id=gate.office_id, border_gate=gate, flow=flow,
                regime_id=regime, channel=channel, segment="end_to_end",
                bucket=histogram.bucket_of(60 * n), count=n, seconds=60 * n * n)
        ValueRollup.objects.create(day=day, office_id=gate.office_id, border_gate=gate,
                                   flow=flow, regime_id=regime, kind="chapter",
                                   ref=f"{10 + n % 7}", declarations=1,
                                   invoice_usd=Decimal(n))
        months_recompute(day, day)
        day += timedelta(days=3)
    for f in (ReportFilters(first, last), ReportFilters(first, last, flow="export"),
              ReportFilters(first, last, border_gate=gates[1].pk),
              ReportFilters(first, last, regime="A12")):
        segments = SegmentRollup.objects.filter(day__range=(first, last), channel="red")
        values = ValueRollup.objects.filter(day__range=(first, last))
        for name, value in (("flow", f.flow), ("border_gate", f.border_gate),
                            ("regime_id", f.regime)):
            if value:
                segments, values = (segments.filter(**{name: value}),
                                    values.filter(**{name: value}))
        red = next(row for row in time_release(f)
                   if row["channel"] == "red" and row["segment"] == "end_to_end")
        assert red["count"] == sum(segments.values_list("count", flat=True)), f
        chapters = {row["ref"]: row["invoice_usd"] for row in top(f, "chapter", n=99)}
        expected: dict = {}
        for ref, usd in values.values_list("ref", "invoice_usd"):
            expected[ref] = expected.get(ref, 0) + usd
        assert chapters == expected, f


# --- months beside last year's -------------------------------------------------------------------
def test_each_month_sits_beside_the_same_month_a_year_before(gates):
    gate = gates[0]
    _rollup(gate, date(2024, 1, 31), registered=1, invoice_usd=Decimal("10"),
            collected_vnd=100)
    _rollup(gate, date(2024, 2, 29), registered=2, collected_vnd=200)  # a leap day
    _rollup(gate, date(2023, 2, 28), registered=20, collected_vnd=2000)
    _rollup(gate, date(2023, 1, 5), registered=10, invoice_usd=Decimal("5.5"))
    _rollup(gate, date(2023, 3, 1), registered=99)  # after the shifted period
    months = monthly(ReportFilters(date(2024, 1, 1), date(2024, 2, 29)))
    assert months == [
        {"month": "2024-01", "declarations": 1, "turnover_usd": Decimal("10"),
         "revenue_vnd": Decimal(100), "previous_declarations": 10,
         "previous_turnover_usd": Decimal("5.5"), "previous_revenue_vnd": Decimal(0)},
        {"month": "2024-02", "declarations": 2, "turnover_usd": Decimal(0),
         "revenue_vnd": Decimal(200), "previous_declarations": 20,
         "previous_turnover_usd": Decimal(0), "previous_revenue_vnd": Decimal(2000)}]


# --- top lists -----------------------------------------------------------------------------------
def _value(gate, day, kind, ref, declarations, usd, regime="A11"):
    ValueRollup.objects.create(day=day, office_id=gate.office_id, border_gate=gate,
                               flow="import", regime_id=regime, kind=kind, ref=ref,
                               declarations=declarations, invoice_usd=Decimal(usd))
    months_recompute(day, day)


def test_top_chapters_are_ordered_by_value_then_chapter_and_cut_at_n(gates):
    day = date(2025, 3, 10)
    _value(gates[0], day, "chapter", "87", 1, "500")
    _value(gates[1], day + timedelta(days=1), "chapter", "87", 2, "250")  # summed: 750
    _value(gates[0], day, "chapter", "19", 4, "750")  # a tie with 87: by chapter
    _value(gates[0], day, "chapter", "21", 1, "10")
    _value(gates[0], day, "chapter", "17", 9, "1000")
    _value(gates[0], day + timedelta(days=30), "chapter", "99", 1, "99999")  # outside
    rows = top(ReportFilters(day, day + timedelta(days=1)), ValueRollup.Kind.CHAPTER, n=3)
    assert [(r["ref"], r["label"], r["declarations"], r["invoice_usd"]) for r in rows] == [
        ("17", "17", 9, Decimal("1000")), ("19", "19", 4, Decimal("750")),
        ("87", "87", 3, Decimal("750"))]


def test_top_enterprises_carry_their_names(gates, enterprise_a, enterprise_b):
    day = date(2025, 3, 10)
    _value(gates[0], day, "enterprise", str(enterprise_a.pk), 2, "20")
    _value(gates[0], day, "enterprise", str(enterprise_b.pk), 1, "30")
    rows = top(ReportFilters(day, day), ValueRollup.Kind.ENTERPRISE)
    assert [(r["label"], r["declarations"]) for r in rows] == [
        (enterprise_b.name, 1), (enterprise_a.name, 2)]


# --- an enterprise's own figures -----------------------------------------------------------------
def test_an_enterprises_figures_never_include_another_enterprises_declarations(reference_data):
    scene = scene_make(enterprises=2)
    mine, theirs = scene.enterprises
    rng = random.Random(11)
    histories = [history_random(rng, start=local(date(2025, 3, 10))) for _ in range(30)]
    for n, history in enumerate(histories):
        history.filing.enterprise = n % 2
    histories_insert(scene, histories)
    stale_refresh()
    f = ReportFilters(date(2025, 3, 1), date(2025, 3, 31))
    before = enterprise_figures(mine, f)

    # the other enterprise files much more: its own figures move, mine do not
    more = [history_random(rng, start=local(date(2025, 3, 10))) for _ in range(30)]
    for history in more:
        history.filing.enterprise = 1
    histories_insert(scene, more)
    stale_refresh()
    after = enterprise_figures(mine, f)
    assert after["channels"] == before["channels"]
    assert after["declarations"] == before["declarations"]
    assert after["paid_by_month"] == before["paid_by_month"]
    assert [row["own"] for row in after["clearance"]] == [row["own"] for row in before["clearance"]]
    assert enterprise_figures(theirs, f)["declarations"] > before["declarations"] > 0

    # and what it shows is exactly its own rows
    own = [h for h in histories if h.filing.enterprise == 0
           and any(frm == "draft" and to == "submitted" for frm, to, _at in h.events)]
    assert before["declarations"] == len(own)
    paid = sum((amount for h in own for amount, _at in h.payments), Decimal(0))
    assert sum(row["paid_vnd"] for row in before["paid_by_month"]) == paid


def test_an_enterprises_clearance_counts_what_cleared_in_the_period_as_the_branchs_does(
        reference_data):
    """Own and branch clearance times are both anchored on the day of clearance: a declaration
    registered before the period and cleared in it counts, one registered in it and cleared
    after does not."""
    scene = scene_make(enterprises=1)
    path = walk([0] * 5)  # submitted, scored, green, cleared, gate-out
    assert [to for _frm, to in path][-2:] == ["cleared", "gate_out"]
    histories = [History(filing=Filing(enterprise=0),
                         events=timed(path, local(date(2025, 3, day), 10), [timedelta(days=1)]))
                 for day in (1, 4, 9)]  # cleared on 4, 7 and 12 March
    histories_insert(scene, histories)
    stale_refresh()
    for first, last, cleared in ((date(2025, 3, 3), date(2025, 3, 8), 2),
                                 (date(2025, 3, 9), date(2025, 3, 11), 0),
                                 (date(2025, 3, 1), date(2025, 3, 31), 3)):
        f = ReportFilters(first, last)
        own = {row["channel"]: row["own"] for row in
               enterprise_figures(scene.enterprises[0], f)["clearance"]}
        branch = {row["channel"]: row for row in clearance_times(f) if row["flow"] == ""}
        assert own[""]["count"] == branch[""]["count"] == cleared, f
        assert own["green"]["median_seconds"] == branch["green"]["median_seconds"]
