"""Dashboard exports: the workbook holds the selectors' figures (the dashboard's numbers), one
sheet per figure, numbers as numbers in the requester's language; the build records its
progress and ends done or failed; only leaders export, each reads only their own exports."""

import io
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from reporting import exports, selectors
from reporting.exports import XLSX, export_build, export_request, export_visible_to
from reporting.models import ReportExport, Segment
from reporting.serializing import plain
from reporting.tests.test_api import branch_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(declarant_a, declarant_b):
    return branch_world(declarant_a, declarant_b)


@pytest.fixture
def english_leader(leader):
    leader.language = "en"
    leader.save(update_fields=["language"])
    return leader


def _built(user, filters, django_capture_on_commit_callbacks) -> ReportExport:
    """An export asked for and built as in production: queued on commit, run by the task."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = export_request(user=user, filters=filters)
    assert [c.__qualname__ for c in callbacks] == ["export_request.<locals>.publish_export"]
    export.refresh_from_db()
    return export


def _book(export: ReportExport):
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def _table(sheet) -> list[list]:
    """The rows under the headings."""
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _labelled(sheet) -> dict:
    """{label: value} of a sheet of two columns (the totals, the revenue)."""
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}


def _seconds(value) -> int | None:
    return None if value is None else round(value.total_seconds())


def _figures(cells) -> dict:
    count, mean, median, p90 = cells
    return {"count": count, "mean_seconds": _seconds(mean), "median_seconds": _seconds(median),
            "p90_seconds": _seconds(p90)}


def test_the_workbook_holds_the_dashboards_figures(english_leader, world,
                                                   django_capture_on_commit_callbacks):
    export = _built(english_leader, world.filters, django_capture_on_commit_callbacks)
    assert export.state == ReportExport.State.DONE and export.progress == 100
    assert export.finished_at and not export.error
    figures = plain(selectors.dashboard(world.filters))
    book = _book(export)
    assert book.sheetnames == ["Totals", "By month", "Channel mix", "Time release",
                               "Clearance time", "Top HS chapters", "Top enterprises",
                               "Budget revenue"]

    totals, t = _labelled(book["Totals"]), figures["totals"]
    assert totals["Declarations registered"] == t["registered"] == 6
    assert totals["Declarations cleared"] == t["cleared"]
    assert Decimal(str(totals["Turnover (USD)"])).quantize(Decimal("0.01")) == \
        Decimal(t["invoice_usd"])
    assert Decimal(totals["Budget revenue collected (VND)"]) == Decimal(t["collected_vnd"])
    assert Decimal(totals["Duties assessed (VND)"]) == Decimal(t["total_duty_vnd"])
    assert [totals["Green channel"], totals["Yellow channel"], totals["Red channel"]] == \
        [t["channels"]["green"], t["channels"]["yellow"], t["channels"]["red"]]
    assert totals["Green channel share"] * 100 == pytest.approx(t["green_share"])
    assert totals["From"].date() == world.filters.date_from

    monthly = _table(book["By month"])
    assert len(monthly) == len(figures["monthly"])
    for row, month in zip(monthly, figures["monthly"], strict=True):
        assert row[0].strftime("%Y-%m") == month["month"]
        assert row[1] == month["declarations"] and row[4] == month["previous_declarations"]
        assert Decimal(str(row[2])).quantize(Decimal("0.01")) == Decimal(month["turnover_usd"])
        assert Decimal(row[3]) == Decimal(month["revenue_vnd"])

    mix = _table(book["Channel mix"])
    assert [[r[0].strftime("%Y-%m"), *r[1:]] for r in mix] == [
        [m["month"], m["green"], m["yellow"], m["red"]] for m in figures["channel_mix"]]

    release = _table(book["Time release"])
    assert len(release) == len(figures["time_release"])
    for row, expected in zip(release, figures["time_release"], strict=True):
        with translation.override("en"):  # the requester reads English
            assert row[1] == str(Segment(expected["segment"]).label)
        assert _figures(row[2:]) == {k: expected[k] for k in _figures(row[2:])}

    clearance = _table(book["Clearance time"])
    for row, expected in zip(clearance, figures["clearance"], strict=True):
        assert _figures(row[2:]) == {k: expected[k] for k in _figures(row[2:])}
    assert clearance[-1][:2] == ["All channels", "Imports and exports"]

    for sheet, key in (("Top HS chapters", "top_chapters"),
                       ("Top enterprises", "top_enterprises")):
        rows = _table(book[sheet])
        assert [[r[0], r[1], r[2]] for r in rows] == [
            [n, e["label"], e["declarations"]] for n, e in enumerate(figures[key], start=1)]
        assert [Decimal(str(r[3])).quantize(Decimal("0.01")) for r in rows] == [
            Decimal(e["invoice_usd"]) for e in figures[key]]

    revenue, r = _labelled(book["Budget revenue"]), figures["revenue"]
    assert revenue["Year"] == r["year"]
    assert Decimal(revenue["Collected to date (VND)"]) == Decimal(r["collected_vnd"])


def test_numbers_are_numbers_with_number_formats(english_leader, world,
                                                 django_capture_on_commit_callbacks):
    book = _book(_built(english_leader, world.filters, django_capture_on_commit_callbacks))
    cells = {row[0].value: row[1] for row in book["Totals"].iter_rows() if row[0].value}
    assert isinstance(cells["Declarations registered"].value, int)
    assert cells["Turnover (USD)"].number_format == "#,##0.00"
    assert cells["Budget revenue collected (VND)"].number_format == "#,##0"
    assert cells["Green channel share"].number_format == "0.0%"
    assert cells["From"].number_format == "dd/mm/yyyy"
    median = book["Clearance time"]["E2"]
    assert median.number_format == "[h]:mm:ss"
    assert isinstance(median.value, timedelta)


def test_headings_are_in_the_requesters_language(leader, world,
                                                 django_capture_on_commit_callbacks):
    assert leader.language == "vi"
    book = _book(_built(leader, world.filters, django_capture_on_commit_callbacks))
    with translation.override("vi"):
        assert book.sheetnames[0] == translation.gettext("Totals")
        assert book[translation.gettext("By month")]["A1"].value == translation.gettext("Month")


def test_the_progress_is_recorded_sheet_by_sheet(english_leader, world, monkeypatch):
    export = ReportExport.objects.create(requested_by=english_leader,
                                         filters=world.filters.as_params())
    seen = []
    original = exports._workbook

    def watching(export, *, progress):
        def record(percent):
            seen.append(percent)
            return progress(percent)

        return original(export, progress=record)

    monkeypatch.setattr(exports, "_workbook", watching)
    export_build(export.pk)
    export.refresh_from_db()
    assert len(seen) == len(exports.SHEETS) and seen == sorted(seen) and seen[-1] == 99
    assert export.progress == 100 and export.state == ReportExport.State.DONE


def test_a_failed_build_says_why_and_is_logged(english_leader, world, monkeypatch, caplog):
    export = ReportExport.objects.create(requested_by=english_leader,
                                         filters=world.filters.as_params())

    def broken(filters, **kwargs):
        raise RuntimeError("the replica is down")

    monkeypatch.setattr(selectors, "dashboard", broken)
    with caplog.at_level(logging.ERROR, logger="reporting.exports"):
        export_build(export.pk)
    export.refresh_from_db()
    assert export.state == ReportExport.State.FAILED and export.finished_at
    assert "the replica is down" in export.error and not export.file
    assert any("report export" in record.getMessage() for record in caplog.records)


def test_filters_that_no_longer_hold_fail_the_build(english_leader):
    export = ReportExport.objects.create(requested_by=english_leader, filters={
        "date_from": "2026-01-01", "date_to": "2026-01-31", "border_gate": "GONE"})
    export_build(export.pk)
    export.refresh_from_db()
    assert export.state == ReportExport.State.FAILED and "border_gate" in export.error


def test_a_requester_no_longer_a_leader_gets_no_figures(leader, world):
    export = ReportExport.objects.create(requested_by=leader, filters=world.filters.as_params())
    leader.role = "doc_check"
    leader.save(update_fields=["role"])
    export_build(export.pk)
    export.refresh_from_db()
    assert export.state == ReportExport.State.FAILED and not export.file


def test_a_second_delivery_of_the_task_builds_nothing(english_leader, world,
                                                      django_capture_on_commit_callbacks):
    export = _built(english_leader, world.filters, django_capture_on_commit_callbacks)
    name, finished = export.file.name, export.finished_at
    export_build(export.pk)
    export.refresh_from_db()
    assert (export.file.name, export.finished_at) == (name, finished)


def test_a_failed_export_is_built_again_when_run_again(english_leader, world):
    export = ReportExport.objects.create(requested_by=english_leader,
                                         filters=world.filters.as_params(),
                                         state=ReportExport.State.FAILED, error="earlier")
    export_build(export.pk)
    export.refresh_from_db()
    assert export.state == ReportExport.State.DONE and not export.error


def test_exports_lost_on_the_way_are_queued_again_and_built(english_leader, world, settings,
                                                             monkeypatch):
    """The broker was down when the export was published, or the worker building it died: the
    sweeper queues it again; a fresh one, one being built, a finished one are left alone."""
    from reporting import tasks

    now = timezone.now()
    settings.ROUTING_SWEEP_AFTER_SECONDS, settings.REPORT_EXPORT_STUCK_SECONDS = 60, 900

    def export(state, age_seconds):
        row = ReportExport.objects.create(requested_by=english_leader, state=state,
                                          filters=world.filters.as_params())
        ReportExport.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(seconds=age_seconds))
        return row.pk

    State = ReportExport.State  # noqa: N806
    lost, dead = export(State.QUEUED, 120), export(State.RUNNING, 1000)
    for state, age in ((State.QUEUED, 10), (State.RUNNING, 300), (State.DONE, 5000),
                       (State.FAILED, 5000)):
        export(state, age)
    queued = []
    monkeypatch.setattr(tasks.report_export_task, "delay", queued.append)
    assert tasks.report_exports_requeue_task() == 2
    assert sorted(queued) == sorted([lost, dead])
    for export_id in queued:  # what the worker then does with them
        export_build(export_id)
    assert set(ReportExport.objects.filter(pk__in=[lost, dead]).values_list("state", flat=True)) \
        == {State.DONE}


@pytest.mark.parametrize("who", ["declarant_a", "doc_checker", "risk_officer"])
def test_only_leaders_export(request, world, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        export_request(user=request.getfixturevalue(who), filters=world.filters)
    assert not ReportExport.objects.exists()


def test_each_user_sees_only_their_own_exports(leader, team_leader, world):
    mine = export_request(user=leader, filters=world.filters)
    export_request(user=team_leader, filters=world.filters)
    assert list(export_visible_to(leader)) == [mine]


# --- through the API -----------------------------------------------------------------------------
def test_an_export_through_the_api(api_as, english_leader, world,
                                   django_capture_on_commit_callbacks):
    client = api_as(english_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report-export-list"),
                               {"date_from": "2026-01-01", "flow": "import"}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "queued" and body["progress"] == 0 and body["url"] is None
    assert body["filters"]["flow"] == "import" and body["filters"]["date_from"] == "2026-01-01"
    export = ReportExport.objects.get(pk=body["id"])
    assert export.requested_by == english_leader and export.state == ReportExport.State.DONE

    status = client.get(reverse("report-export-detail", args=[export.pk])).json()
    assert status["state"] == "done" and status["progress"] == 100
    assert status["url"].endswith(reverse("report-export-download", args=[export.pk]))
    listed = client.get(reverse("report-export-list")).json()
    assert [row["id"] for row in listed["results"]] == [export.pk]

    download = client.get(reverse("report-export-download", args=[export.pk]),
                          HTTP_ACCEPT="application/json")
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert download["Cache-Control"] == "private, no-store"
    assert "attachment" in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames[0] == "Totals"


def test_a_download_before_it_is_built_is_a_409(api_as, leader, world):
    export = export_request(user=leader, filters=world.filters)  # not committed: not run
    response = api_as(leader).get(reverse("report-export-download", args=[export.pk]))
    assert response.status_code == 409
    assert response.json()["code"] == "export_not_ready"
    assert response.json()["current_state"] == "queued"


@pytest.mark.parametrize("route", ["report-export-detail", "report-export-download"])
def test_another_users_export_is_a_404(api_as, leader, team_leader, world, route,
                                       django_capture_on_commit_callbacks):
    theirs = _built(team_leader, world.filters, django_capture_on_commit_callbacks)
    response = api_as(leader).get(reverse(route, args=[theirs.pk]))
    assert response.status_code == 404
    assert api_as(leader).get(reverse("report-export-list")).json()["count"] == 0


@pytest.mark.parametrize("who", ["declarant_a", "doc_checker"])
def test_an_enterprise_or_an_officer_may_not_export(api_as, request, who):
    response = api_as(request.getfixturevalue(who)).post(reverse("report-export-list"), {},
                                                         format="json")
    assert response.status_code == 403
    assert not ReportExport.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
    ({"regime": "ZZZ"}, "regime"), ({"flow": "sideways"}, "flow"),
    ({"date_from": "yesterday"}, "date_from"), ({"colour": "red"}, "colour"),
])
def test_bad_export_filters_are_a_400_and_nothing_is_queued(api_as, leader, body, field):
    response = api_as(leader).post(reverse("report-export-list"), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not ReportExport.objects.exists()


def test_the_same_idempotency_key_asks_once(api_as, leader, world):
    client = api_as(leader)
    first = client.post(reverse("report-export-list"), {}, format="json",
                        HTTP_IDEMPOTENCY_KEY="export-1")
    again = client.post(reverse("report-export-list"), {}, format="json",
                        HTTP_IDEMPOTENCY_KEY="export-1")
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"] and ReportExport.objects.count() == 1


def test_options_on_the_exports_say_what_post_takes(api_as, leader):
    body = api_as(leader).options(reverse("report-export-list")).json()
    assert set(body["actions"]["POST"]) == {"date_from", "date_to", "flow", "regime",
                                            "border_gate"}
