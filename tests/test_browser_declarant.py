"""The declarant's day in a real browser, in Vietnamese (the default language).

The issue's scenario: a new declaration whose 30 goods lines come from a supplier's
spreadsheet with two wrong rows; the form reports both rows by their spreadsheet row and
column, the declarant corrects the two cells in place, saves the draft, submits it and prints
it (the PDF rendered to a PNG, its text checked). Beside it: the HS search while typing, a new
draft copied from a past declaration, the home page's "what needs you" card, and no axe
violation (WCAG 2.2 AA) on the pages these features changed.

Declarations that are set-up rather than behaviour (one waiting for payment, one cleared) are
built through the services; everything under test is done in the browser."""

import io
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.db import transaction
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401 (demo_world: a fixture, used by pytestmark)
    _axe_violations,
    _green_declaration,
    _language,
    _login,
    demo_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("demo_world")]

PDFTOPPM = "/usr/bin/pdftoppm"

# (HS code, description, unit) of the demo tariff (customs_core/data/tariff_vn.csv).
GOODS = [("19023040", "Mì ăn liền", "KGM"), ("17049099", "Kẹo các loại", "KGM"),
         ("21039013", "Nước mắm", "LTR")]
ROWS = 30
# Spreadsheet rows (the headings are row 1, goods start at row 2) and their form index.
BAD_HS_ROW, BAD_QUANTITY_ROW = 8, 20
BAD_HS_INDEX, BAD_QUANTITY_INDEX = BAD_HS_ROW - 2, BAD_QUANTITY_ROW - 2


# --- helpers --------------------------------------------------------------------------------------
def _vi(message: str) -> str:
    """What a page in Vietnamese shows for this string of the catalogue."""
    with translation.override("vi"):
        return translation.gettext(message)


def _user(username: str):
    from customs_core.models import User

    return User.objects.get(username=username)


def _supplier_sheet() -> bytes:
    """30 goods rows in the template's headings; row 8 has an HS code the tariff lacks, row 20
    a quantity that is not a number."""
    from declarations.spreadsheet import COLUMNS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([column.heading for column in COLUMNS])
    for index in range(ROWS):
        hs_code, description, unit = GOODS[index % len(GOODS)]
        values = {"hs_code": hs_code, "description": f"{description} lô {index + 1}",
                  "origin_country": "CN", "quantity": 100 + index, "unit": unit,
                  "unit_price": 1.25, "line_value": None, "preferential_claimed": "không"}
        row = index + 2
        if row == BAD_HS_ROW:
            values["hs_code"] = "99999999"
        if row == BAD_QUANTITY_ROW:
            values["quantity"] = "abc"
        sheet.append([values[column.key] for column in COLUMNS])
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.data_type, cell.number_format = "s", "@"  # codes as text, as in the template
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill_header(page) -> None:
    """The header as typed in Vietnamese: day-first date, decimal comma; the invoice total is
    left empty (it becomes the sum of the lines)."""
    invoice_date = timezone.localdate() - timedelta(days=3)
    page.fill("#id_partner_name", "Dongxing Huaxin Trading Co., Ltd.")
    page.fill("#id_invoice_number", "HX-2026-230")
    page.fill("#id_invoice_date", invoice_date.strftime("%d/%m/%Y"))
    page.fill("#id_gross_weight_kg", "3150,5")
    page.fill("#id_packages", "240")
    page.fill("#id_containers", "CSQU3054383")


def _check_axe(found: dict, page, live_server, name: str) -> None:
    violations = _axe_violations(page, live_server)
    if violations:
        found[name] = violations


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- 1. the scenario ----------------------------------------------------------------------
def test_thirty_lines_from_a_spreadsheet_two_fixed_in_place_saved_submitted_and_printed(
        live_server, page, tmp_path):
    from declarations.models import Declaration

    pdftoppm = shutil.which(PDFTOPPM)
    found = {}
    _language(page, live_server, "vi")
    _login(page, live_server, "declarant")
    page.locator("[data-testid=declarant-todo] a[href='/declarations/new/']").click()
    expect(page).to_have_url(re.compile(r"/declarations/new/$"))
    assert page.locator("html").get_attribute("lang") == "vi"
    _fill_header(page)

    # The spreadsheet replaces the goods lines; nothing is saved yet.
    before = Declaration.objects.count()
    page.set_input_files("input[name=lines_file]", files=[{
        "name": "hang-hoa-ncc.xlsx", "buffer": _supplier_sheet(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("[data-testid=import-lines]")
    summary = page.locator("[data-testid=error-summary]")
    expect(summary).to_be_visible()
    assert Declaration.objects.count() == before
    rows = page.locator("#goods-lines tr[data-line]")
    expect(rows).to_have_count(ROWS)
    assert page.input_value("#id_lines-TOTAL_FORMS") == str(ROWS)

    # The summary names both spreadsheet rows and their columns, in the page's language, and
    # links to the cells.
    row_label = _vi("Row %(row)d, %(column)s")
    entries = summary.locator("li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(row_label % {"row": BAD_HS_ROW, "column": "Mã số HS"})
    expect(entries.nth(0)).to_contain_text("99999999")
    expect(entries.nth(1)).to_contain_text(
        row_label % {"row": BAD_QUANTITY_ROW, "column": "Số lượng"})
    expect(entries.nth(1)).to_contain_text("abc")
    assert entries.nth(0).locator("a").get_attribute("href") == \
        f"#id_lines-{BAD_HS_INDEX}-hs_code"
    assert entries.nth(1).locator("a").get_attribute("href") == \
        f"#id_lines-{BAD_QUANTITY_INDEX}-quantity"

    # The header survived the import; the rows are on the form as read, numbers the Vietnamese
    # way, the two wrong cells kept as typed and marked.
    expect(page.locator("#id_partner_name")).to_have_value("Dongxing Huaxin Trading Co., Ltd.")
    expect(page.locator("#id_gross_weight_kg")).to_have_value(re.compile(r"^3150,5$"))
    expect(page.locator("#id_total_invoice_value")).to_have_value("")
    expect(page.locator("input[name=lines-0-hs_code]")).to_have_value("19023040")
    expect(page.locator("input[name=lines-0-unit_price]")).to_have_value("1,25")
    expect(page.locator("input[name=lines-29-quantity]")).to_have_value("129")
    bad_hs = page.locator(f"input[name=lines-{BAD_HS_INDEX}-hs_code]")
    bad_quantity = page.locator(f"input[name=lines-{BAD_QUANTITY_INDEX}-quantity]")
    expect(bad_hs).to_have_value("99999999")
    expect(bad_quantity).to_have_value("abc")
    expect(rows.nth(BAD_HS_INDEX).locator(".hs-cell .error")).to_be_visible()
    expect(rows.nth(BAD_QUANTITY_INDEX).locator(".error")).to_have_count(1)
    expect(page.locator("#goods-lines .error")).to_have_count(2)
    _check_axe(found, page, live_server, "declaration form after a spreadsheet with errors")

    # Corrected in place, then saved as a draft.
    bad_hs.fill("21039013")
    bad_quantity.fill("120,5")
    page.click("[data-testid=save-declaration]")
    expect(page).to_have_url(re.compile(r"/declarations/\d+/$"))
    expect(page.locator("[data-testid=submit-declaration]")).to_be_visible()
    expect(page.locator("[data-testid=goods-lines] tbody tr")).to_have_count(ROWS)
    declaration = Declaration.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    lines = {line.line_no: line for line in declaration.lines.select_related("tariff_line")}
    assert len(lines) == ROWS
    assert lines[BAD_HS_INDEX + 1].tariff_line.hs_code == "21039013"
    assert lines[BAD_QUANTITY_INDEX + 1].quantity == Decimal("120.5")
    assert declaration.total_invoice_value == sum(line.line_value for line in lines.values())
    assert declaration.invoice_number == "HX-2026-230"
    assert declaration.gross_weight_kg == Decimal("3150.5")
    for testid in ("print-declaration", "copy-declaration", "export-lines"):
        expect(page.locator(f"[data-testid={testid}]")).to_be_visible()
    _check_axe(found, page, live_server, "draft's detail page")

    # Submitted: registered under a number.
    page.click("[data-testid=submit-declaration]")
    number_cell = page.locator("[data-testid=declaration-number]")
    expect(number_cell).to_have_text(re.compile(r"^\d{12}$"))
    number = number_cell.inner_text()
    declaration.refresh_from_db()
    assert declaration.number == number and declaration.state != "draft"
    _check_axe(found, page, live_server, "submitted declaration's detail page")

    # Printed: the PDF the print button links to, fetched with the page's session.
    href = page.locator("[data-testid=print-declaration]").get_attribute("href")
    assert href == f"/declarations/{declaration.pk}/print/"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"declaration-{number}.pdf"
    pdf.write_bytes(response.body())
    assert pdf.read_bytes().startswith(b"%PDF-")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(str(pdf)).pages)
    assert number in text
    assert "TỜ KHAI" in text and "Nước mắm" in text
    assert found == {}

    if pdftoppm is None:
        from customs_core.testing.services import service_missing

        service_missing(f"{PDFTOPPM} is not installed (apt-get install -y poppler-utils): "
                        "page 1 of the PDF was not rendered")
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60, capture_output=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1, pngs
    png = pngs[0].read_bytes()
    width, height = _png_size(png)
    assert min(width, height) > 300, (width, height)  # A4 at 60 dpi is 496 x 702
    assert len(png) > 10_000, len(png)  # a blank A4 page at 60 dpi is a few hundred bytes
    from PIL import Image

    with Image.open(pngs[0]) as image:
        low, high = image.convert("L").getextrema()
    assert low < 100 < high, (low, high)  # dark text on a light page


# --- 2. HS search while typing ----------------------------------------------------------------
def test_hs_code_found_by_words_without_diacritics_and_chosen_with_the_keyboard(
        live_server, page):
    found = {}
    _login(page, live_server, "declarant")
    page.goto(f"{live_server.url}/declarations/new/")
    hs = page.locator("input[name=lines-0-hs_code]")
    description = page.locator("input[name=lines-0-description]")
    row = page.locator("#goods-lines tr[data-line]").nth(0)
    hs.press_sequentially("nuoc mam", delay=20)
    options = row.locator("[data-hs-option]")
    expect(options.first).to_be_visible()
    expect(hs).to_have_attribute("aria-expanded", "true")
    codes = [option.get_attribute("data-code") for option in options.all()]
    assert "21039013" in codes, codes
    _check_axe(found, page, live_server, "declaration form with HS suggestions open")
    for _ in range(codes.index("21039013") + 1):
        hs.press("ArrowDown")
    chosen = row.locator("[data-hs-option][data-code='21039013']")
    expect(chosen).to_have_attribute("aria-selected", "true")
    expect(hs).to_have_attribute("aria-activedescendant", chosen.get_attribute("id"))
    hs.press("Enter")
    expect(hs).to_have_value("21039013")
    expect(description).to_have_value("Nước mắm")
    hint = row.locator("[data-hs-hint]")
    expect(hint).to_contain_text("LTR")
    expect(hint).to_contain_text("%")
    expect(hs).to_have_attribute("aria-expanded", "false")
    expect(row.locator("[data-hs-suggest]")).to_be_hidden()
    assert page.url.endswith("/declarations/new/")  # Enter chose; it did not submit the form

    # A second line: words with diacritics, chosen with the mouse; a description typed first
    # is kept.
    page.click("[data-testid=add-line]")
    second = page.locator("#goods-lines tr[data-line]").nth(1)
    page.fill("input[name=lines-1-description]", "Mì gói Hảo Hảo")
    second.locator("input[data-hs-input]").press_sequentially("mì ăn", delay=20)
    option = second.locator("[data-hs-option][data-code='19023040']")
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("input[name=lines-1-hs_code]")).to_have_value("19023040")
    expect(page.locator("input[name=lines-1-description]")).to_have_value("Mì gói Hảo Hảo")
    expect(second.locator("[data-hs-hint]")).to_contain_text("KGM")
    assert found == {}


# --- 3. a new draft from a past declaration ---------------------------------------------------
def test_new_from_this_declaration_opens_a_draft_with_the_lines_and_no_invoice_number(
        live_server, page):
    from declarations.models import Declaration

    source = _green_declaration(_user("declarant"))
    source_lines = list(source.lines.select_related("tariff_line").order_by("line_no"))
    _login(page, live_server, "declarant")
    page.goto(f"{live_server.url}/declarations/{source.pk}/")
    page.click("[data-testid=copy-declaration]")
    expect(page).to_have_url(re.compile(r"/declarations/\d+/edit/$"))
    copy_pk = int(re.search(r"/declarations/(\d+)/edit/", page.url)[1])
    assert copy_pk != source.pk
    copy = Declaration.objects.get(pk=copy_pk)
    assert copy.state == "draft" and copy.number in ("", None)
    expect(page.locator("h1")).to_contain_text(f"#{copy_pk}")
    expect(page.locator(".messages")).to_contain_text(source.number)
    expect(page.locator("#id_invoice_number")).to_have_value("")
    expect(page.locator("#id_partner_name")).to_have_value(source.partner_name)
    expect(page.locator("#goods-lines tr[data-line]")).to_have_count(len(source_lines))
    for index, line in enumerate(source_lines):
        expect(page.locator(f"input[name=lines-{index}-hs_code]")).to_have_value(
            line.tariff_line.hs_code)
        expect(page.locator(f"input[name=lines-{index}-description]")).to_have_value(
            line.description)
        assert page.input_value(f"input[name=lines-{index}-quantity]") != ""


# --- 4. the declarant's home page -------------------------------------------------------------
def test_home_lists_drafts_declarations_to_pay_and_recent_clearances(live_server, page):
    from customs_core.templatetags.customs import money
    from declarations import services
    from declarations.testing import DeclarationFactory, declaration_payload, parse

    declarant = _user("declarant")
    draft = services.declaration_create_draft(
        user=declarant, data=parse(declaration_payload(partner_name="Guangxi Draft Co.")))
    unpaid = _green_declaration(declarant)
    with transaction.atomic():  # see test_browser_partnership._cleared
        cleared = DeclarationFactory(state="cleared", user=declarant)
    cleared.refresh_from_db()
    assert cleared.state == "cleared" and cleared.number

    _login(page, live_server, "declarant")
    card = page.locator("[data-testid=declarant-todo]")
    expect(card).to_be_visible()
    drafts = card.locator("[data-testid=todo-drafts]")
    expect(drafts.locator(f"a[href='/declarations/{draft.pk}/']")).to_contain_text(
        f"#{draft.pk}")
    expect(drafts).to_contain_text("Guangxi Draft Co.")
    to_pay = card.locator("[data-testid=todo-unpaid]")
    expect(to_pay.locator(f"a[href='/declarations/{unpaid.pk}/']")).to_have_text(unpaid.number)
    with translation.override("vi"):
        owed = money(unpaid.outstanding_vnd, "VND")
    expect(to_pay).to_contain_text(owed)
    cleared_list = card.locator("[data-testid=todo-cleared]")
    expect(cleared_list.locator(f"a[href='/declarations/{cleared.pk}/']")).to_have_text(
        cleared.number)
    expect(drafts).not_to_contain_text(unpaid.number)
    expect(cleared_list).not_to_contain_text(unpaid.number)
    violations = _axe_violations(page, live_server)
    assert violations == [], violations
