"""The reporting pages: who opens which page, the filters (Vietnamese dates, field errors with a
400, never a 500; applied in place for htmx), the tiles, charts and CSV files equal to the
selectors' figures, the XLSX export that only its requester sees, the revenue targets' form
(Vietnamese amounts), an enterprise's own statistics and nobody else's, the menus and the
branch leader's home card. The declarations are real ones (the factories walk the services and
transitions) and the rollups are rebuilt from them."""

import csv
import html
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from declarations.testing import declaration_make, publish_rates
from reporting import selectors
from reporting.forms import filters_from
from reporting.models import ReportExport, RevenueTarget
from reporting.rollups import history_span, rollups_rebuild
from reporting.serializing import plain
from reporting.views import CSV_CHARTS

pytestmark = pytest.mark.django_db

DASHBOARD = "/reports/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def branch_world(declarant_a, declarant_b) -> SimpleNamespace:
    """A: two cleared declarations at Bac Luan I and a yellow one at Bac Luan II; B: a cleared
    and a red one at Bac Luan I; the rollups rebuilt over the whole log."""
    publish_rates()
    a = [declaration_make(state="cleared", user=declarant_a, lines=1) for _ in range(2)]
    a.append(declaration_make(state="yellow", user=declarant_a, lines=1, border_gate="MCBL2"))
    b = [declaration_make(state="cleared", user=declarant_b, lines=3),
         declaration_make(state="red", user=declarant_b, lines=2)]
    rollups_rebuild(*history_span())
    return SimpleNamespace(a=a, b=b, filters=filters_from({})[0])


@pytest.fixture
def world(declarant_a, declarant_b):
    return branch_world(declarant_a, declarant_b)


def _value(page: str, testid: str) -> str:
    """The data-value of the element with this test id."""
    found = re.search(rf'data-testid="{re.escape(testid)}"[^>]*?data-value="([^"]*)"', page)
    assert found, f"no {testid} with a data-value"
    return html.unescape(found.group(1))


def _chart(page: str, testid: str) -> dict:
    """What a canvas hands dashboard.js."""
    found = re.search(rf'data-report-chart="([^"]*)" data-testid="{re.escape(testid)}"', page)
    assert found, f"no chart {testid}"
    return json.loads(html.unescape(found.group(1)))


def _same(shown: str, value) -> bool:
    return shown == "" if value is None else Decimal(shown) == Decimal(str(value))


def _speak(client, language: str) -> None:
    """The language switch's cookie (without it: the user's language, else Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def _vi(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


# --- who opens what -------------------------------------------------------------------------------
@pytest.mark.parametrize("persona, status", [
    ("leader", 200), ("team_leader", 200), ("doc_checker", 403), ("inspector", 403),
    ("risk_officer", 403), ("admin_user", 403), ("declarant_a", 403)])
def test_leaders_open_the_dashboard_and_nobody_else(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(DASHBOARD).status_code == status
    assert client.get(reverse("reporting:csv", args=["monthly"])).status_code == status
    if status == 403:
        assert client.post(reverse("reporting:export-new")).status_code == 403
        assert not ReportExport.objects.exists()


@pytest.mark.parametrize("persona, status", [
    ("leader", 200), ("team_leader", 403), ("doc_checker", 403), ("declarant_a", 403)])
def test_only_the_branch_leader_sets_targets(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:targets")).status_code == status


@pytest.mark.parametrize("persona, status", [
    ("declarant_a", 200), ("leader", 403), ("team_leader", 403), ("doc_checker", 403)])
def test_only_enterprises_open_their_statistics(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reporting:mine")).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(client, reference_data):
    for name in ("dashboard", "targets", "mine"):
        response = client.get(reverse(f"reporting:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the dashboard's figures ----------------------------------------------------------------------
def test_the_tiles_are_the_selectors_figures(client, leader, world):
    client.force_login(leader)
    page = client.get(DASHBOARD).content.decode()
    figures = plain(selectors.dashboard(world.filters))
    t, r = figures["totals"], figures["revenue"]
    assert (t["registered"], t["cleared"]) == (5, 3)
    assert t["channels"] == {"green": 3, "yellow": 1, "red": 1}
    for testid, value in (("tile-registered", t["registered"]), ("tile-cleared", t["cleared"]),
                          ("tile-turnover", t["invoice_usd"]),
                          ("tile-collected", t["collected_vnd"]),
                          ("tile-green-share", t["green_share"]),
                          ("tile-hit-rate", t["hit_rate"]),
                          ("tile-revenue", r["collected_vnd"])):
        assert _same(_value(page, testid), value), testid
    assert Decimal(t["collected_vnd"]) > 0 and t["green_share"] == 60.0
    assert 'data-testid="tile-revenue-no-target"' in page  # no target set yet
    for row in figures["clearance"]:
        key = f"clearance-{row['channel'] or 'all'}-{row['flow'] or 'all'}"
        assert _same(_value(page, f"{key}-median"), row["median_seconds"]), key
        assert _same(_value(page, f"{key}-p90"), row["p90_seconds"]), key


def test_the_revenue_tile_measures_against_the_target(client, leader, world):
    from customs_core.models import CustomsOffice

    RevenueTarget.objects.create(office=CustomsOffice.objects.get(code="20BB"),
                                 year=timezone.localdate().year, amount_vnd=10 ** 9,
                                 updated_by=leader)
    client.force_login(leader)
    page = client.get(DASHBOARD).content.decode()
    revenue = plain(selectors.revenue_progress(timezone.localdate().year))
    assert _value(page, "tile-revenue-target") == "1000000000"
    assert _same(_value(page, "tile-revenue-percent"), revenue["percent_to_date"])
    assert _same(_value(page, "tile-revenue-projected"), revenue["projected_vnd"])
    assert _same(_value(page, "tile-revenue-projected-percent"), revenue["percent_projected"])


def test_the_charts_are_given_the_selectors_figures(client, leader, world):
    client.force_login(leader)
    page = client.get(DASHBOARD).content.decode()
    figures = plain(selectors.dashboard(world.filters))
    monthly = figures["monthly"]
    for testid, key in (("chart-monthly-declarations", "declarations"),
                        ("chart-monthly-turnover", "turnover_usd"),
                        ("chart-monthly-revenue", "revenue_vnd")):
        data = [d["data"] for d in _chart(page, testid)["datasets"]]
        assert data == [[m[key] for m in monthly], [m[f"previous_{key}"] for m in monthly]]
    mix = _chart(page, "chart-channel-mix")
    assert [d["data"] for d in mix["datasets"]] == [
        [m[c] for m in figures["channel_mix"]] for c in selectors.CHANNELS]
    assert mix["stacked"] is True and len(mix["labels"]) == len(figures["channel_mix"])
    release = _chart(page, "chart-time-release")
    medians = {(r["channel"], r["segment"]): r["median_seconds"] for r in figures["time_release"]}
    assert len(release["datasets"]) == 6  # the stages; registration to clearance is the table's
    for dataset in release["datasets"]:
        assert len(dataset["data"]) == 3
    assert [d["data"] for d in release["datasets"]] == [
        [medians[(c, s)] for c in selectors.CHANNELS]
        for s in ("registration_channel", "channel_check", "check_decision", "decision_paid",
                  "paid_cleared", "cleared_gate_out")]
    for kind in ("top_chapters", "top_enterprises"):
        chart = _chart(page, f"chart-{kind.replace('_', '-')}")
        assert chart["datasets"][0]["data"] == [r["invoice_usd"] for r in figures[kind]]
    enterprises = _chart(page, "chart-top-enterprises")["labels"]
    assert enterprises == [r["label"] for r in figures["top_enterprises"]]
    assert len(enterprises) == 2


def test_the_dashboard_reads_in_a_bounded_number_of_queries(client, leader, world,
                                                            django_assert_max_num_queries):
    """30 today (the session, the user, the menu's badges, up to three per figure: the whole
    months, and the days of the partial months at either end); however long the history,
    since every figure reads the rollups."""
    client.force_login(leader)
    with django_assert_max_num_queries(40):
        assert client.get(DASHBOARD).status_code == 200


# --- filters --------------------------------------------------------------------------------------
def test_the_filters_apply_to_every_figure(client, leader, world):
    client.force_login(leader)
    gate = client.get(DASHBOARD, {"border_gate": "MCBL2"}).content.decode()
    assert _value(gate, "tile-registered") == "1"
    assert _value(gate, "tile-green-share") == "0.0"
    exports = client.get(DASHBOARD, {"flow": "export"}).content.decode()
    assert _value(exports, "tile-registered") == "0"
    regime = client.get(DASHBOARD, {"regime": "A11", "flow": "import"}).content.decode()
    assert _value(regime, "tile-registered") == "5"
    # The links of the page carry the filters applied (as parameters, the API's).
    assert "border_gate=MCBL2" in gate and 'data-filters="date_from=' in gate


def test_vietnamese_dates_are_read_day_first(client, leader, world):
    client.force_login(leader)
    _speak(client, "vi")
    today = timezone.localdate()
    last_year = date(today.year - 1, 1, 1)
    response = client.get(DASHBOARD, {"date_from": last_year.strftime("%d/%m/%Y"),
                                      "date_to": f"31/12/{today.year - 1}"})
    assert response.status_code == 200
    assert response.context["data"]["filters"]["date_from"] == last_year.isoformat()
    assert response.context["data"]["filters"]["date_to"] == f"{today.year - 1}-12-31"
    page = response.content.decode()
    assert _value(page, "tile-registered") == "0"  # every declaration is of today
    assert f'value="01/01/{today.year - 1}"' in page  # the form shows the period, day first
    this_day = client.get(DASHBOARD, {"date_from": today.strftime("%d/%m/%Y"),
                                      "date_to": today.strftime("%d/%m/%Y")})
    assert _value(this_day.content.decode(), "tile-registered") == "5"


def test_without_filters_the_period_is_this_year_to_date(client, leader, world):
    client.force_login(leader)
    response = client.get(DASHBOARD)
    today = timezone.localdate()
    assert response.context["data"]["filters"] == {
        "date_from": f"{today.year}-01-01", "date_to": today.isoformat(), "flow": "",
        "regime": "", "border_gate": ""}
    assert f'value="01/01/{today.year}"' in response.content.decode()


@pytest.mark.parametrize("params, field", [
    ({"date_from": "31/02/2026"}, "date_from"),
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_from": "01/05/2026", "date_to": "01/04/2026"}, "date_to"),
    ({"date_from": "01/01/2020", "date_to": "01/01/2026"}, "date_to"),
    ({"date_from": "01/01/0001", "date_to": "31/12/0001"}, "date_from"),  # no year before it
    ({"flow": "sideways"}, "flow"),
    ({"regime": "ZZZ"}, "regime"),
    ({"border_gate": "NOWHERE"}, "border_gate"),
])
def test_invalid_filters_show_field_errors_with_a_400(client, leader, reference_data, params,
                                                      field):
    client.force_login(leader)
    for headers in ({}, HTMX):
        response = client.get(DASHBOARD, params, **headers)
        assert response.status_code == 400
        page = response.content.decode()
        assert f'data-testid="error-{field}"' in page
        assert 'data-testid="tile-registered"' not in page
    response = client.get(reverse("reporting:csv", args=["monthly"]), params)
    assert response.status_code == 400 and field in response.content.decode()


def test_htmx_gets_the_form_and_figures_only(client, leader, world):
    client.force_login(leader)
    response = client.get(DASHBOARD, {"border_gate": "MCBL1"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.startswith('<div id="report"') and 'hx-history="false"' in page
    assert _value(page, "tile-registered") == "4"
    assert "HX-Request" in response["Vary"]
    # Restoring the page from history asks for all of it.
    restore = client.get(DASHBOARD, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


# --- CSV ------------------------------------------------------------------------------------------
def _csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("chart", CSV_CHARTS)
def test_every_chart_downloads_as_csv_with_the_selectors_figures(client, leader, world, chart):
    client.force_login(leader)
    params = {"border_gate": "MCBL1"}
    found = filters_from(params)[0]
    expected = plain(selectors.dashboard(found))[chart]
    _speak(client, "en")
    rows = _csv_rows(client.get(reverse("reporting:csv", args=[chart]), params))
    assert len(rows) == len(expected) + 1
    numbers = {"monthly": ["declarations", "turnover_usd", "revenue_vnd",
                           "previous_declarations", "previous_turnover_usd",
                           "previous_revenue_vnd"],
               "channel_mix": ["green", "yellow", "red"],
               "time_release": ["count", "mean_seconds", "median_seconds", "p90_seconds"],
               "clearance": ["count", "mean_seconds", "median_seconds", "p90_seconds"],
               "top_chapters": ["declarations", "invoice_usd"],
               "top_enterprises": ["declarations", "invoice_usd"]}[chart]
    for row, figure in zip(rows[1:], expected, strict=True):
        assert row[-len(numbers):] == ["" if figure[k] is None else str(figure[k])
                                       for k in numbers]
    if chart in ("monthly", "channel_mix"):
        assert [row[0] for row in rows[1:]] == [m["month"] for m in expected]
    if chart == "top_enterprises":
        assert [row[0] for row in rows[1:]] == [r["label"] for r in expected]


def test_csv_headings_are_in_the_page_language(client, leader, world):
    client.force_login(leader)
    url = reverse("reporting:csv", args=["clearance"])
    _speak(client, "en")
    english = _csv_rows(client.get(url))
    assert english[0] == ["Channel", "Flow", "Declarations", "Mean (seconds)",
                          "Median (seconds)", "90th percentile (seconds)"]
    assert english[-1][:2] == ["All channels", "Imports and exports"]
    _speak(client, "vi")
    vietnamese = _csv_rows(client.get(url))
    assert vietnamese[0][:2] == [_vi("Channel"), _vi("Flow")]
    assert vietnamese[1][0] == _vi("Green")
    response = client.get(url)
    assert response["Content-Disposition"].startswith('attachment; filename="clearance-')


def test_an_unknown_chart_has_no_csv(client, leader, reference_data):
    client.force_login(leader)
    assert client.get(reverse("reporting:csv", args=["totals"])).status_code == 404


# --- the XLSX export ------------------------------------------------------------------------------
def _export_params() -> dict:
    today = timezone.localdate()
    return {"date_from": f"{today.year}-01-01", "date_to": today.isoformat(), "flow": "",
            "regime": "", "border_gate": "MCBL1"}


def test_an_export_is_asked_for_built_and_downloaded_by_its_requester(
        client, leader, world, django_capture_on_commit_callbacks):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:export-new"), _export_params())
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export", args=[export.pk])
    assert export.requested_by == leader and export.filters == _export_params()
    export.refresh_from_db()
    assert export.state == ReportExport.State.DONE  # the task ran on commit (eager)
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-download"' in page and 'hx-trigger="every 1s"' not in page
    listed = client.get(DASHBOARD).content.decode()
    assert f'href="{reverse("reporting:export", args=[export.pk])}"' in listed
    download = client.get(reverse("reporting:export-download", args=[export.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"  # a zip: the XLSX


def test_another_user_gets_404_on_an_export_not_theirs(client, leader, team_leader, world):
    export = ReportExport.objects.create(requested_by=leader, filters=_export_params(),
                                         state=ReportExport.State.DONE, progress=100)
    client.force_login(team_leader)
    for name in ("reporting:export", "reporting:export-download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404
    assert 'data-testid="export-list"' not in client.get(DASHBOARD).content.decode()


def test_an_export_polls_its_progress_until_it_is_done(client, leader, reference_data):
    client.force_login(leader)
    response = client.post(reverse("reporting:export-new"), _export_params(), **HTMX)
    export = ReportExport.objects.get(requested_by=leader)
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment
    assert 'data-state="queued"' in fragment
    ReportExport.objects.filter(pk=export.pk).update(state="running", progress=40)
    running = client.get(reverse("reporting:export", args=[export.pk]), **HTMX).content.decode()
    assert 'value="40"' in running and 'hx-trigger="every 1s"' in running
    assert 'data-testid="export-download"' not in running
    assert client.get(reverse("reporting:export-download",
                              args=[export.pk])).status_code == 404  # nothing yet
    ReportExport.objects.filter(pk=export.pk).update(state="failed", error="boom")
    failed = client.get(reverse("reporting:export", args=[export.pk]), **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' not in failed and 'role="alert"' in failed
    assert "boom" not in failed  # the error's text is the administrator's, in the log


def test_an_export_with_invalid_filters_is_refused_with_a_400(client, leader, reference_data):
    client.force_login(leader)
    response = client.post(reverse("reporting:export-new"),
                           {**_export_params(), "date_from": "31/02/2026"}, **HTMX)
    assert response.status_code == 400 and 'data-testid="export-refused"' in (
        response.content.decode())
    assert not ReportExport.objects.exists()


# --- revenue targets ------------------------------------------------------------------------------
def test_a_target_typed_the_vietnamese_way_is_set(client, leader, world):
    client.force_login(leader)
    _speak(client, "vi")
    year = timezone.localdate().year
    response = client.post(reverse("reporting:targets"),
                           {"office": "20BB", "year": str(year), "amount_vnd": "1.500.000.000"})
    assert response.status_code == 302
    target = RevenueTarget.objects.get(office__code="20BB", year=year)
    assert target.amount_vnd == Decimal(1_500_000_000) and target.updated_by == leader
    page = client.get(reverse("reporting:targets")).content.decode()
    progress = plain(selectors.revenue_progress(year, office_id=target.office_id))
    row = page[page.index(f'data-testid="target-20BB-{year}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-value="1500000000"' in row
    assert f'data-value="{progress["collected_vnd"]}"' in row
    assert f'data-value="{progress["percent_to_date"]}"' in row
    assert "1.500.000.000" in row  # the amount written the Vietnamese way


def test_a_second_target_for_the_same_year_replaces_the_first(client, leader, reference_data):
    client.force_login(leader)
    year = timezone.localdate().year
    _speak(client, "en")
    for amount in ("2,000,000,000", "2500000000"):
        response = client.post(reverse("reporting:targets"),
                               {"office": "20BB", "year": year, "amount_vnd": amount})
        assert response.status_code == 302
    assert RevenueTarget.objects.get().amount_vnd == 2_500_000_000


@pytest.mark.parametrize("data, field", [
    ({"amount_vnd": "1,5"}, "amount_vnd"),  # a decimal comma: VND are whole
    ({"amount_vnd": "1.500.00"}, "amount_vnd"),  # not groups of three
    ({"amount_vnd": "-5"}, "amount_vnd"),
    ({"amount_vnd": ""}, "amount_vnd"),
    ({"year": "1990"}, "year"),  # the service's range
    ({"year": "năm nay"}, "year"),
    ({"office": "99XX"}, "office"),
])
def test_a_wrong_target_shows_the_field_error(client, leader, reference_data, data, field):
    client.force_login(leader)
    response = client.post(reverse("reporting:targets"),
                           {"office": "20BB", "year": "2026", "amount_vnd": "1.000.000",
                            **data})
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not RevenueTarget.objects.exists()


def test_a_team_leader_cannot_post_a_target(client, team_leader, reference_data):
    client.force_login(team_leader)
    response = client.post(reverse("reporting:targets"),
                           {"office": "20BB", "year": "2026", "amount_vnd": "1000000"})
    assert response.status_code == 403 and not RevenueTarget.objects.exists()


# --- an enterprise's statistics -------------------------------------------------------------------
def test_an_enterprise_sees_its_own_figures_and_the_branchs_times(client, declarant_a,
                                                                  declarant_b, world):
    for user, own in ((declarant_a, world.a), (declarant_b, world.b)):
        client.force_login(user)
        response = client.get(reverse("reporting:mine"))
        page = response.content.decode()
        figures = plain(selectors.enterprise_figures(user.enterprise, world.filters))
        assert response.context["data"] == figures
        assert _value(page, "tile-declarations") == str(len(own))
        for channel in selectors.CHANNELS:
            assert _value(page, f"tile-{channel}") == str(figures["channels"][channel])
        channels = _chart(page, "chart-own-channels")
        assert channels["datasets"][0]["data"] == [figures["channels"][c]
                                                   for c in selectors.CHANNELS]
        paid = _chart(page, "chart-own-paid")["datasets"][0]["data"]
        assert paid == [m["paid_vnd"] for m in figures["paid_by_month"]]
        clearance = _chart(page, "chart-own-clearance")["datasets"]
        assert [d["data"] for d in clearance] == [
            [r["own"]["median_seconds"] for r in figures["clearance"]],
            [r["own"]["p90_seconds"] for r in figures["clearance"]],
            [r["branch"]["median_seconds"] for r in figures["clearance"]],
            [r["branch"]["p90_seconds"] for r in figures["clearance"]]]
        for row in figures["clearance"]:
            key = row["channel"] or "all"
            assert _value(page, f"own-{key}-count") == str(row["own"]["count"])
            assert _same(_value(page, f"branch-{key}-median"), row["branch"]["median_seconds"])
    # B's page says nothing of A's: A's yellow declaration is only A's.
    assert _value(page, "tile-yellow") == "0"
    assert declarant_a.enterprise.name not in page


def test_an_enterprise_filters_its_figures(client, declarant_a, world):
    client.force_login(declarant_a)
    gate = client.get(reverse("reporting:mine"), {"border_gate": "MCBL2"}, **HTMX)
    assert gate.status_code == 200 and "<html" not in gate.content.decode()
    assert _value(gate.content.decode(), "tile-declarations") == "1"
    wrong = client.get(reverse("reporting:mine"), {"date_to": "32/01/2026"})
    assert wrong.status_code == 400 and 'data-testid="error-date_to"' in wrong.content.decode()


# --- menus and the home page ----------------------------------------------------------------------
def _menu(client) -> list[str]:
    page = client.get("/").content.decode()
    nav = page[page.index('class="mainnav"'):page.index("</nav>")]
    return re.findall(r'href="(/reports/[^"]*)"', nav)


def test_each_role_finds_its_reporting_pages_in_the_menu(client, leader, team_leader,
                                                         declarant_a, doc_checker):
    """The targets are reached from the dashboard's own sub-navigation, not the top bar."""
    for user, expected in ((leader, ["/reports/"]),
                           (team_leader, ["/reports/"]), (declarant_a, ["/reports/mine/"]),
                           (doc_checker, [])):
        client.force_login(user)
        assert _menu(client) == expected, user.role
    client.force_login(leader)
    assert 'href="/reports/targets/"' in client.get("/reports/").content.decode()


def test_the_branch_leaders_home_shows_three_figures_and_the_dashboard(client, leader, world):
    client.force_login(leader)
    page = client.get("/").content.decode()
    totals = plain(selectors.totals(selectors.default_filters()))
    assert _value(page, "widget-registered") == str(totals["registered"])
    assert _same(_value(page, "widget-green-share"), totals["green_share"])
    assert 'data-testid="widget-revenue"' in page
    assert 'href="/reports/"' in page


def test_the_period_can_reach_into_last_year(client, leader, world):
    """A period across the turn of the year: the months of both years, none missing."""
    client.force_login(leader)
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=400)).replace(day=1)
    response = client.get(DASHBOARD, {"date_from": first.isoformat(),
                                      "date_to": today.isoformat()})
    labels = _chart(response.content.decode(), "chart-channel-mix")["labels"]
    assert labels[0] == first.strftime("%m/%Y") and labels[-1] == today.strftime("%m/%Y")
    assert len(labels) == len(response.context["data"]["channel_mix"])
