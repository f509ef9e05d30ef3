"""The reporting pages in a real browser, over the demo world with two years of history and its
rollups rebuilt: the branch leader opens the dashboard from the menu, changes the period (typed
day first, as in Vietnam) and the border gate, and the tiles and the data every chart was given
equal what the reports API answers for the same filters, without the page ever reloading; a
wrong date shows its error in place; the whole dashboard is exported to XLSX (progress, then
the download). The branch leader sets a revenue target typed the Vietnamese way. An enterprise
reads its own statistics, equal to the API's. Every page is checked with axe, in Vietnamese,
loads nothing from another origin and breaks no Content-Security-Policy rule.

Vietnamese: headings and labels are found by data-testid and by what the Vietnamese catalogue
says for them (today perhaps the English text, the translation once it is there)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.test_browser import _axe_violations, _language, _login
from tests.test_browser_partnership import FOREIGN, UNLABELLED, _watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HISTORY = 400  # declarations over the demo's two years: every month has some

# The data each chart was given, read back from Chart.js.
CHART_DATA = """() => Object.fromEntries([...document.querySelectorAll('canvas[data-report-chart]')]
    .map(c => [c.dataset.testid, {labels: Chart.getChart(c).data.labels,
                                  data: Chart.getChart(c).data.datasets.map(d => d.data)}]))"""
TILES = """() => Object.fromEntries([...document.querySelectorAll('#report [data-value]')]
    .filter(e => e.dataset.testid).map(e => [e.dataset.testid, e.dataset.value]))"""
SEGMENTS = ("registration_channel", "channel_check", "check_decision", "decision_paid",
            "paid_cleared", "cleared_gate_out")
CHANNELS = ("green", "yellow", "red")


@pytest.fixture
def history_world(reference_data):
    """The demo accounts and data with a history of declarations, its rollups rebuilt over
    the whole event log (as `rebuild_rollups` would)."""
    from reporting.rollups import history_span, rollups_rebuild

    call_command("seed_demo", declarations=HISTORY, verbosity=0)
    rollups_rebuild(*history_span())


def _vi(message: str) -> str:
    with translation.override("vi"):
        return translation.gettext(message)


def _api(page, live_server, path: str, query: str) -> dict:
    """The reports API's answer, asked with the browser's own session."""
    response = page.request.get(f"{live_server.url}/api/v1/reports/{path}/?{query}")
    assert response.status == 200, response.text()
    return response.json()


def _same(shown: str, value) -> bool:
    return shown == "" if value is None else Decimal(shown) == Decimal(str(value))


def _expected_charts(figures: dict) -> dict:
    """What the dashboard's charts must have been given, from the API's figures."""
    monthly, mix = figures["monthly"], figures["channel_mix"]
    medians = {(r["channel"], r["segment"]): r["median_seconds"] for r in figures["time_release"]}
    charts = {f"chart-monthly-{name}": [[m[key] for m in monthly],
                                        [m[f"previous_{key}"] for m in monthly]]
              for name, key in (("declarations", "declarations"), ("turnover", "turnover_usd"),
                                ("revenue", "revenue_vnd"))}
    charts["chart-channel-mix"] = [[m[c] for m in mix] for c in CHANNELS]
    charts["chart-time-release"] = [[medians[(c, s)] for c in CHANNELS] for s in SEGMENTS]
    for kind in ("top_chapters", "top_enterprises"):
        charts[f"chart-{kind.replace('_', '-')}"] = [[r["invoice_usd"] for r in figures[kind]]]
    return charts


def _assert_dashboard_is_the_api(page, live_server) -> dict:
    """Tiles and charts against GET /api/v1/reports/dashboard/ with the filters the page says
    it applied; returns the API's figures."""
    query = page.locator("#report").get_attribute("data-filters")
    figures = _api(page, live_server, "dashboard", query)
    tiles = page.evaluate(TILES)
    t, r = figures["totals"], figures["revenue"]
    for testid, value in (("tile-registered", t["registered"]), ("tile-cleared", t["cleared"]),
                          ("tile-turnover", t["invoice_usd"]),
                          ("tile-collected", t["collected_vnd"]),
                          ("tile-green-share", t["green_share"]),
                          ("tile-hit-rate", t["hit_rate"]),
                          ("tile-revenue", r["collected_vnd"]),
                          ("tile-revenue-target", r["target_vnd"]),
                          ("tile-revenue-percent", r["percent_to_date"]),
                          ("tile-revenue-projected", r["projected_vnd"])):
        assert _same(tiles[testid], value), (testid, tiles[testid], value)
    satisfaction = figures["satisfaction"]
    assert _same(tiles["tile-satisfaction"], satisfaction and satisfaction["index"])
    for row in figures["clearance"]:
        key = f"clearance-{row['channel'] or 'all'}-{row['flow'] or 'all'}"
        assert _same(tiles[f"{key}-median"], row["median_seconds"]), key
        assert _same(tiles[f"{key}-p90"], row["p90_seconds"]), key
    drawn = page.evaluate(CHART_DATA)
    for testid, data in _expected_charts(figures).items():
        assert drawn[testid]["data"] == data, testid
    assert drawn["chart-top-enterprises"]["labels"] == [
        row["label"] for row in figures["top_enterprises"]]
    assert len(drawn["chart-channel-mix"]["labels"]) == len(figures["channel_mix"])
    return figures


def _audit(found: dict, page, live_server, name: str) -> None:
    problems = (_axe_violations(page, live_server) + page.evaluate(UNLABELLED)
                + page.evaluate(FOREIGN) + page.evaluate("window.__csp || []"))
    if problems:
        found[name] = problems


def test_the_branch_leader_filters_the_dashboard_in_place_and_it_equals_the_api(
        live_server, page, history_world):
    from customs_core.models import BorderGate

    errors: list = []
    _watch(page, errors)
    violations: dict = {}
    year = timezone.localdate().year
    _language(page, live_server, "vi")
    _login(page, live_server, "leader")

    # The home card, then the dashboard from the menu: this year to date.
    expect(page.locator("[data-testid=widget-dashboard]")).to_be_visible()
    _audit(violations, page, live_server, "the branch leader's home with its dashboard card")
    page.locator(".mainnav a[href='/reports/']").click()
    expect(page.locator("[data-testid=tile-registered]")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "vi"
    expect(page.locator("#id_date_from")).to_have_value(f"01/01/{year}")
    _assert_dashboard_is_the_api(page, live_server)
    _audit(violations, page, live_server, "dashboard, this year")

    # Last year, at one border gate: typed day first, applied without a page load.
    page.evaluate("window.__sameDocument = 'kept'")
    page.fill("#id_date_from", f"01/01/{year - 1}")
    page.fill("#id_date_to", f"31/12/{year - 1}")
    page.select_option("#id_border_gate", "MCBL1")
    page.locator("[data-testid=report-apply]").click()
    report = page.locator("#report[data-filters*='border_gate=MCBL1']")
    expect(report).to_have_attribute("data-filters",
                                     f"date_from={year - 1}-01-01&date_to={year - 1}-12-31"
                                     "&flow=&regime=&border_gate=MCBL1")
    assert page.evaluate("window.__sameDocument") == "kept"
    assert "border_gate=MCBL1" in page.url and f"date_from=01%2F01%2F{year - 1}" in page.url
    expect(page.locator("#id_date_to")).to_have_value(f"31/12/{year - 1}")
    figures = _assert_dashboard_is_the_api(page, live_server)
    assert figures["totals"]["registered"] > 0  # the comparison is not of zeros
    assert len(figures["channel_mix"]) == 12
    gate = BorderGate.objects.get(code="MCBL1")
    with translation.override("vi"):
        expect(page.locator("#id_border_gate option:checked")).to_have_text(gate.name)
    _audit(violations, page, live_server, "dashboard, last year at MCBL1")

    # Another gate, then a day that does not exist: its error shows in place, the figures go.
    page.select_option("#id_border_gate", "MCKL")
    page.locator("[data-testid=report-apply]").click()
    expect(page.locator("#report")).to_have_attribute("data-filters", "date_from="
                                                      f"{year - 1}-01-01&date_to={year - 1}-12-31"
                                                      "&flow=&regime=&border_gate=MCKL")
    _assert_dashboard_is_the_api(page, live_server)
    page.fill("#id_date_from", f"31/02/{year - 1}")
    page.locator("[data-testid=report-apply]").click()
    expect(page.locator("[data-testid=error-date_from]")).to_be_visible()
    expect(page.locator("[data-testid=tile-registered]")).to_have_count(0)
    expect(page.locator("#id_date_from")).to_have_value(f"31/02/{year - 1}")
    assert page.evaluate("window.__sameDocument") == "kept"
    _audit(violations, page, live_server, "dashboard with a field error")

    # Back to a valid period: the figures return, still the same document.
    page.fill("#id_date_from", f"01/07/{year - 1}")
    page.locator("[data-testid=report-apply]").click()
    expect(page.locator("#report")).to_have_attribute("data-filters", "date_from="
                                                      f"{year - 1}-07-01&date_to={year - 1}-12-31"
                                                      "&flow=&regime=&border_gate=MCKL")
    _assert_dashboard_is_the_api(page, live_server)
    assert page.evaluate("window.__sameDocument") == "kept"

    # The whole dashboard as a workbook: progress, then the download.
    page.locator("[data-testid=export-xlsx]").click()
    expect(page.locator("[data-testid=export-progress]")).to_be_visible()
    download_link = page.locator("[data-testid=export-download]")
    expect(download_link).to_be_visible(timeout=20_000)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("window.__sameDocument") == "kept"

    # One chart's figures as CSV, for the filters applied.
    with page.expect_download() as csv_download:
        page.locator("[data-testid=csv-channel_mix]").click()
    assert csv_download.value.suggested_filename == (
        f"channel_mix-{year - 1}-07-01-{year - 1}-12-31.csv")

    # The revenue targets: one set the Vietnamese way, shown with what was collected.
    page.locator(".subnav a[href='/reports/targets/']").click()
    form = page.locator("[data-testid=target-form]")
    form.locator("#id_year").fill(str(year))
    form.locator("#id_amount_vnd").fill("1.500.000.000")
    form.locator("[data-testid=target-save]").click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    row = page.locator(f"[data-testid=target-20BB-{year}]")
    expect(row.locator("td").nth(1)).to_contain_text("1.500.000.000")
    _audit(violations, page, live_server, "revenue targets")
    form.locator("#id_amount_vnd").fill("1,5")
    form.locator("[data-testid=target-save]").click()
    expect(page.locator("[data-testid=error-amount_vnd]")).to_be_visible()
    _audit(violations, page, live_server, "revenue targets with a field error")

    assert violations == {}
    assert errors == []


def test_an_enterprise_reads_its_own_statistics_equal_to_the_api(live_server, page,
                                                                 history_world):
    errors: list = []
    _watch(page, errors)
    violations: dict = {}
    year = timezone.localdate().year
    _language(page, live_server, "vi")
    _login(page, live_server, "declarant")
    expect(page.locator("[data-testid=home-statistics-link]")).to_be_visible()
    page.locator(".mainnav a[href='/reports/mine/']").click()
    expect(page.locator("[data-testid=tile-declarations]")).to_be_visible()
    _audit(violations, page, live_server, "an enterprise's statistics")

    page.evaluate("window.__sameDocument = 'kept'")
    page.fill("#id_date_from", f"01/01/{year - 1}")
    page.fill("#id_date_to", date(year - 1, 12, 31).strftime("%d/%m/%Y"))
    page.locator("[data-testid=report-apply]").click()
    expect(page.locator("#report")).to_have_attribute(
        "data-filters", f"date_from={year - 1}-01-01&date_to={year - 1}-12-31&flow=&regime="
                        "&border_gate=")
    assert page.evaluate("window.__sameDocument") == "kept"
    figures = _api(page, live_server, "mine", page.locator("#report").get_attribute(
        "data-filters"))
    tiles = page.evaluate(TILES)
    assert int(tiles["tile-declarations"]) == figures["declarations"] > 0
    for channel in CHANNELS:
        assert int(tiles[f"tile-{channel}"]) == figures["channels"][channel]
    drawn = page.evaluate(CHART_DATA)
    rows = figures["clearance"]
    assert drawn["chart-own-channels"]["data"] == [[figures["channels"][c] for c in CHANNELS]]
    assert drawn["chart-own-paid"]["data"] == [[m["paid_vnd"] for m in figures["paid_by_month"]]]
    assert drawn["chart-own-clearance"]["data"] == [
        [r["own"]["median_seconds"] for r in rows], [r["own"]["p90_seconds"] for r in rows],
        [r["branch"]["median_seconds"] for r in rows], [r["branch"]["p90_seconds"] for r in rows]]
    _audit(violations, page, live_server, "an enterprise's statistics, last year")

    # The branch's dashboard is not an enterprise's.
    assert page.goto(f"{live_server.url}/reports/").status == 403
    assert violations == {}
    assert errors == []
