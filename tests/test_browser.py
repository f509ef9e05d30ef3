"""Log in as each demo role in a real browser, land on its home, switch the language."""

import re

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


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=home-title]")


GOODS = [("19023040", "Mì ăn liền", "1200", "1,25"), ("17049099", "Kẹo các loại", "800", "2,10"),
         ("21039013", "Nước mắm", "500", "1.60")]  # decimal comma (vi) or point


def test_enterprise_files_an_import_with_a_form_e_and_submits_it(live_server, page, demo_world):
    _login(page, live_server, "declarant")
    page.goto(f"{live_server.url}/declarations/new/")
    page.fill("#id_partner_name", "Dongxing Huaxin Trading Co., Ltd.")
    page.fill("#id_invoice_number", "HX-2026-118")
    page.fill("#id_invoice_date", "20/11/2026")  # day first, as typed in Vietnam
    page.fill("#id_total_invoice_value", "3980")
    page.fill("#id_gross_weight_kg", "3150")
    page.fill("#id_packages", "240")
    page.fill("#id_containers", "CSQU3054383")
    for index, (hs_code, description, quantity, price) in enumerate(GOODS):
        if index:
            page.click("[data-testid=add-line]")
            page.wait_for_selector(f"[name=lines-{index}-hs_code]")
        page.fill(f"[name=lines-{index}-hs_code]", hs_code)
        page.fill(f"[name=lines-{index}-description]", description)
        page.fill(f"[name=lines-{index}-quantity]", quantity)
        page.fill(f"[name=lines-{index}-unit_price]", price)
        page.check(f"[name=lines-{index}-preferential_claimed]")
    # a line added and removed again leaves three lines, renumbered
    page.click("[data-testid=add-line]")
    page.wait_for_selector("[name=lines-3-hs_code]")
    page.locator("tr[data-line]").nth(3).locator("[data-remove-line]").click()
    expect(page.locator("tr[data-line]")).to_have_count(3)
    assert page.input_value("#id_lines-TOTAL_FORMS") == "3"

    page.select_option("#id_co_form", "E")
    page.fill("#id_co_reference", "E263500012345")
    page.set_input_files("#id_co_file", files=[{
        "name": "co-form-e.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"}])
    expect(page.locator("[data-testid=preview-schedule]").first).to_contain_text("ACFTA")

    page.click("[data-testid=save-declaration]")
    page.wait_for_selector("[data-testid=goods-lines]")
    expect(page.locator("[data-testid=duty-schedule]")).to_have_count(3)
    for cell in page.locator("[data-testid=duty-schedule]").all():
        expect(cell).to_contain_text("ACFTA")
    expect(page.locator("[data-testid=documents]")).to_contain_text("co-form-e.pdf")

    page.click("[data-testid=submit-declaration]")
    number = page.locator("[data-testid=declaration-number]")
    expect(number).to_have_text(re.compile(r"^10\d{10}$"))
    expect(page.locator("[data-testid=timeline]")).to_contain_text("Đã đăng ký")
