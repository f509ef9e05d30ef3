"""The access audit in a real browser: the branch leader opens a declaration; the auditor,
signed in with the Vietnamese interface, goes to the audit from the top bar, searches by the
leader's username, the declaration's number and today's date typed day first, finds that read
(who, what, from where) and exports the search as CSV. The page passes axe and does not scroll
sideways."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customs_core.testing.factories import PASSWORD, UserFactory
from tests.test_browser import _axe_violations, _language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _sign_in(page, live_server, user):
    """Password, then the second factor an officer must pass (the test holds the
    authenticator). The one place that knows how signing in goes."""
    from customs_core.testing.second_factor import authenticator_of, fresh_code

    device = authenticator_of(user)
    page.context.clear_cookies()
    _language(page, live_server, "vi")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=home-title], [data-testid=otp-form]")
    if page.locator("[data-testid=otp-form]").count():
        page.fill("[data-testid=otp-code]", fresh_code(device))
        page.click("[data-testid=otp-submit]")
    page.wait_for_selector("[data-testid=home-title]")


@pytest.fixture
def people(reference_data):
    from declarations.testing import declaration_make

    return {"leader": UserFactory(username="lanh_dao", role="branch_leader"),
            "auditor": UserFactory(username="kiem_toan", role="auditor"),
            "declaration": declaration_make(state="submitted", lines=1)}


def test_the_auditor_finds_the_leaders_read_of_a_declaration(live_server, page, people):
    declaration = people["declaration"]
    _sign_in(page, live_server, people["leader"])
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    expect(page.locator("main")).to_contain_text(declaration.number)

    _sign_in(page, live_server, people["auditor"])
    expect(page.locator("[data-testid=widget-audit]")).to_contain_text("lanh_dao")
    page.locator(".mainnav a[href='/audit/']").click()
    page.wait_for_selector("[data-testid=audit-title]")
    page.fill("#id_actor", "lanh_dao")
    page.fill("#id_object", declaration.number)
    page.fill("#id_date_from", timezone.localdate().strftime("%d/%m/%Y"))
    page.click("[data-testid=audit-search]")
    rows = page.locator("[data-testid=audit-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("lanh_dao")
    expect(rows.first).to_contain_text(declaration.number)
    expect(rows.first).to_contain_text("127.0.0.1")
    assert "date_from=" in page.url and "actor=lanh_dao" in page.url
    assert page.evaluate(SIDEWAYS)
    assert _axe_violations(page, live_server) == []

    with page.expect_download() as download:
        page.click("[data-testid=audit-export-csv]")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines()[1:] if line]
    assert len(lines) == 1 and "lanh_dao" in lines[0] and "declaration_viewed" in lines[0]
