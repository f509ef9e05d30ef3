"""Learned selection in a real browser, over the demo's declarations with their inspection
outcomes: the risk officer, in Vietnamese, goes from the rules page to the learned selection
page, rebuilds the profiles and sees their lift charts drawn; then asks for a backtest from the
what-if page with its defaults (the last 90 days, 10% red), watches its progress while the
worker runs it, and sees the figures per engine and the weekly chart appear in place. The
pages pass axe, load nothing from another origin and break no Content-Security-Policy rule."""

import pytest
from playwright.sync_api import expect

from customs_core.testing.factories import UserFactory
from tests.test_browser_audit import _sign_in
from tests.test_browser_partnership import FOREIGN, UNLABELLED, _watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HISTORY = 800  # declarations over the demo's two years: enough inspections for profiles
DRAWN = "testid => !!Chart.getChart(document.querySelector(`[data-testid=${testid}]`))"


@pytest.fixture
def history(reference_data, settings, tmp_path):
    from customs_core import demo as core_demo
    from declarations import demo

    settings.MEDIA_ROOT = tmp_path
    core_demo.seed(options={}, progress=lambda it, **kw: it)
    demo.history_seed(count=HISTORY, seed=2017, progress=lambda it, **kw: it)
    return UserFactory(username="rui_ro", role="risk")


def _audit(found: dict, page, live_server, name: str) -> None:
    from tests.test_browser import _axe_violations

    problems = (_axe_violations(page, live_server) + page.evaluate(UNLABELLED)
                + page.evaluate(FOREIGN) + page.evaluate("window.__csp || []"))
    if problems:
        found[name] = problems


def test_the_risk_officer_rebuilds_profiles_and_backtests_from_the_what_if_page(
        live_server, page, history, monkeypatch):
    from declarations.risk.learned import backtest_run
    from declarations.risk.models_learning import Backtest
    from declarations.risk.services import ruleset_active
    from declarations.risk.tasks import backtest_run_task

    queued: list[int] = []  # the worker: it runs the backtest when the test says so
    monkeypatch.setattr(backtest_run_task, "delay", queued.append)
    errors: list = []
    _watch(page, errors)
    violations: dict = {}
    _sign_in(page, live_server, history)

    # From the rules page to learned selection; no profiles yet, then rebuilt now.
    page.goto(f"{live_server.url}/risk/")
    page.locator("[data-testid=learning-links] a[href='/risk/learning/']").click()
    expect(page.locator("[data-testid=no-profiles]")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator("[data-testid=rebuild-profiles]").click()
    expect(page.locator(".messages .msg-success")).to_be_visible()
    chart = page.locator("[data-testid=lift-chart-gate]")
    expect(chart).to_be_visible()
    assert page.evaluate(DRAWN, "lift-chart-gate")
    _audit(violations, page, live_server, "learned selection")

    # A backtest from the what-if page of the active ruleset, with the form's defaults.
    ruleset = ruleset_active()
    page.goto(f"{live_server.url}/risk/rulesets/{ruleset.pk}/simulate/")
    form = page.locator("[data-testid=backtest-form]")
    expect(form.locator("#id_red_share")).to_have_value("10")
    _audit(violations, page, live_server, "what-if page with the backtest form")
    form.locator("[data-testid=backtest-run]").click()
    progress = page.locator("[data-testid=backtest-progress]")
    expect(progress).to_be_visible()
    assert len(queued) == 1 and Backtest.objects.get().state == "queued"

    # The worker runs it; the page, polling, shows the figures and draws the chart in place.
    page.evaluate("window.__sameDocument = 'kept'")
    backtest_run(queued[0])
    table = page.locator("[data-testid=backtest-table]")
    expect(table).to_be_visible(timeout=10_000)
    expect(progress).to_have_count(0)
    engines = table.locator("[data-testid=engine-row]")
    expect(engines).to_have_count(3)
    assert [engines.nth(i).get_attribute("data-engine") for i in range(3)] == [
        "random", f"ruleset v{ruleset.version}", "learned"]
    expect(page.locator("[data-testid=backtest-chart]")).to_be_visible()
    assert page.evaluate(DRAWN, "backtest-chart")
    assert page.evaluate("window.__sameDocument") == "kept"
    _audit(violations, page, live_server, "backtest result")

    page.goto(f"{live_server.url}/risk/backtests/")
    expect(page.locator("[data-testid=backtests] tbody tr")).to_have_count(1)
    assert violations == {}
    assert errors == []
