"""Log in as each demo role in a real browser, land on its home, switch the language."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from customs_core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_world(reference_data):
    call_command("seed_demo", verbosity=0)


def test_every_demo_role_logs_in_lands_home_and_switches_language(live_server, page, demo_world):
    for username, _role, _name, _enterprise in DEMO_ACCOUNTS:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("[data-testid=login-submit]")
        page.wait_for_selector("[data-testid=home-title]")
        assert page.url.rstrip("/") == live_server.url, username
        assert page.locator("html").get_attribute("lang") == "vi"
        assert "Đăng xuất" in page.inner_text("header")
        vi_title = page.inner_text("[data-testid=home-title]")

        page.click("[data-testid=lang-en]")
        page.wait_for_selector("html[lang=en]")
        assert "Log out" in page.inner_text("header")
        en_title = page.inner_text("[data-testid=home-title]")
        assert en_title != vi_title, username

        page.click("[data-testid=lang-vi]")
        page.wait_for_selector("html[lang=vi]")


def test_tariff_search_updates_results_in_place(live_server, page, demo_world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "doccheck")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.goto(f"{live_server.url}/tariff/")
    everything = page.inner_text("[data-testid=tariff-count]")
    page.fill("[data-testid=tariff-q]", "durian")
    expect(page.locator("[data-testid=tariff-count]")).not_to_have_text(everything)
    expect(page.locator("[data-testid=tariff-table]")).to_contain_text("0810")
    assert "q=durian" in page.url
