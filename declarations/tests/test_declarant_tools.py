"""Goods lines from a spreadsheet into a draft (API and form), the printed declaration and
receipt routes, HS suggestions and the declarant's home card."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from declarations.models import Declaration, GoodsLine
from declarations.spreadsheet import COLUMNS, column_label
from declarations.testing import declaration_make

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = ["19023040", "17049099", "21039013"]


def row_label(number: int, column: str) -> str:
    """How a row's problem begins on a Vietnamese page (the interface's default language)."""
    with translation.override("vi"):
        return gettext("Row %(row)d, %(column)s") % {"row": number,
                                                     "column": column_label(column)}


def sheet(rows: list[list], *, name="lines.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append([column.heading for column in COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def row(n: int, *, hs=None, quantity=10):
    # hs_code, description, origin, quantity, unit, unit price, line value, preferential
    return [hs or GOOD[n % 3], f"Hàng {n}", "CN", quantity, None, 2.5, None, None]


def rows(count: int, **bad):
    out = [row(n) for n in range(count)]
    for index, values in bad.items():
        out[int(index.lstrip("r"))] = values
    return out


@pytest.fixture
def draft(declarant_a):
    return Declaration.objects.get(pk=declaration_make(state="draft", user=declarant_a).pk)


def _import(client, draft, file, **fields):
    return client.post(f"/api/v1/declarations/{draft.pk}/lines/import/",
                       {"file": file, **fields}, format="multipart")


def test_all_rows_pass_lines_are_added_and_the_total_follows(api_as, declarant_a, draft):
    response = _import(api_as(declarant_a), draft, sheet(rows(20)))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["imported"] == 20 and body["skipped_rows"] == {}
    draft.refresh_from_db()
    assert draft.lines.count() == 23
    assert draft.total_invoice_value == sum(line.line_value for line in draft.lines.all())
    assert body["declaration"]["total_duty_vnd"] != "0"
    assert response["ETag"] == draft.etag


def test_one_wrong_row_imports_nothing_and_says_row_and_column(api_as, declarant_a, draft):
    before = list(draft.lines.values_list("id", flat=True))
    version = draft.version
    response = _import(api_as(declarant_a), draft,
                       sheet(rows(30, r5=row(5, hs="99999999"), r17=row(17, quantity=-4))))
    assert response.status_code == 400
    body = response.json()
    assert set(body["rows"]) == {"7", "19"}  # the heading is row 1
    assert "hs_code" in body["rows"]["7"] and "quantity" in body["rows"]["19"]
    assert any(message.startswith(row_label(7, "hs_code")) for message in body["file"])
    draft.refresh_from_db()
    assert list(draft.lines.values_list("id", flat=True)) == before
    assert draft.version == version


def test_valid_only_imports_the_rest_and_lists_what_it_left(api_as, declarant_a, draft):
    response = _import(api_as(declarant_a), draft,
                       sheet(rows(10, r2=row(2, hs="99999999"))), valid_only=True,
                       replace=True)
    assert response.status_code == 200
    assert response.json()["imported"] == 9 and list(response.json()["skipped_rows"]) == ["4"]
    assert draft.lines.count() == 9


def test_more_than_fifty_lines_with_the_drafts_own_is_refused(api_as, declarant_a, draft):
    response = _import(api_as(declarant_a), draft, sheet(rows(48)))
    assert response.status_code == 400 and "file" in response.json()
    assert draft.lines.count() == 3


@pytest.mark.parametrize("name, content, content_type", [
    ("lines.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    ("lines.xlsx", b"PK\x03\x04 not really a workbook", XLSX),
    ("empty.csv", b"", "text/csv"),
])
def test_a_file_that_is_not_a_spreadsheet_is_a_clear_400(api_as, declarant_a, draft, name,
                                                          content, content_type):
    response = _import(api_as(declarant_a), draft,
                       SimpleUploadedFile(name, content, content_type=content_type))
    assert response.status_code == 400
    assert response.json()["file"][0]
    assert draft.lines.count() == 3


def test_formulas_fifty_one_lines_and_an_empty_sheet_are_refused(api_as, declarant_a, draft):
    client = api_as(declarant_a)
    formula = rows(3)
    formula[1][3] = "=2*5"
    for file in (sheet(formula), sheet(rows(51)), sheet([])):
        response = _import(client, draft, file, replace=True)
        assert response.status_code == 400, response.content
    assert draft.lines.count() == 3


def test_a_hundred_megabyte_upload_is_refused_before_it_is_read(api_as, declarant_a, draft):
    client = api_as(declarant_a)
    # The declared length decides: the body itself is never read.
    response = client.generic("POST", f"/api/v1/declarations/{draft.pk}/lines/import/",
                              b"x" * 1024, content_type="multipart/form-data; boundary=b",
                              CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 413
    assert "MB" in response.json()["detail"]
    assert draft.lines.count() == 3


def test_a_registered_declaration_takes_no_import(api_as, declarant_a):
    submitted = declaration_make(state="submitted", user=declarant_a)
    response = _import(api_as(declarant_a), submitted, sheet(rows(2)))
    assert response.status_code == 409


def test_exported_lines_import_back_unchanged(api_as, declarant_a, draft):
    client = api_as(declarant_a)
    exported = client.get(f"/api/v1/declarations/{draft.pk}/lines/export/")
    assert exported.status_code == 200 and exported["Content-Type"] == XLSX
    before = list(draft.lines.order_by("line_no").values_list(
        "tariff_line_id", "quantity", "unit_price", "description", "origin_country_id"))
    again = _import(client, draft, SimpleUploadedFile("back.xlsx", exported.content,
                                                      content_type=XLSX), replace=True)
    assert again.status_code == 200
    assert list(draft.lines.order_by("line_no").values_list(
        "tariff_line_id", "quantity", "unit_price", "description",
        "origin_country_id")) == before


def test_the_template_downloads_in_both_formats(client, declarant_a):
    client.force_login(declarant_a)
    xlsx = client.get("/declarations/lines-template/")
    csv = client.get("/declarations/lines-template/?as=csv")
    assert xlsx["Content-Type"] == XLSX and xlsx.content[:2] == b"PK"
    text = csv.content.decode("utf-8-sig")
    assert "Mã số HS" in text and "HS code" in text


# --- the form -----------------------------------------------------------------------------------
def test_the_form_reads_the_sheet_into_its_lines_and_marks_the_wrong_rows(client, declarant_a):
    client.force_login(declarant_a)
    response = client.post("/declarations/new/", {
        "import_lines": "1", "partner_name": "Dongxing Trading",
        "lines_file": sheet(rows(30, r5=row(5, hs="99999999")))})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-29-hs_code"' in page and 'value="99999999"' in page
    assert row_label(7, "hs_code") in page and "Dongxing Trading" in page
    assert Declaration.objects.count() == 0  # nothing saved before the declarant saves


def test_the_form_keeps_only_valid_rows_when_asked(client, declarant_a):
    client.force_login(declarant_a)
    response = client.post("/declarations/new/", {
        "import_lines": "1", "valid_only": "on",
        "lines_file": sheet(rows(5, r1=row(1, hs="99999999")))})
    page = response.content.decode()
    assert 'name="lines-3-hs_code"' in page and 'name="lines-4-hs_code"' not in page
    assert "99999999" not in page.split("lines-TOTAL_FORMS")[1]


def test_the_form_says_what_is_wrong_with_a_file_that_is_no_spreadsheet(client, declarant_a):
    client.force_login(declarant_a)
    response = client.post("/declarations/new/", {
        "import_lines": "1",
        "lines_file": SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")})
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.content.decode()


# --- printing -------------------------------------------------------------------------------------
def test_print_and_receipt_for_the_enterprise_and_officers(client, api_as, declarant_a,
                                                           doc_checker):
    cleared = declaration_make(state="cleared", user=declarant_a)
    client.force_login(declarant_a)
    printed = client.get(f"/declarations/{cleared.pk}/print/")
    assert printed.status_code == 200 and printed.content[:5] == b"%PDF-"
    assert printed["Content-Type"] == "application/pdf"
    receipt = api_as(doc_checker).get(f"/api/v1/declarations/{cleared.pk}/receipt/")
    assert receipt.status_code == 200 and receipt.content[:5] == b"%PDF-"


def test_a_receipt_needs_a_payment(api_as, declarant_a, draft):
    response = api_as(declarant_a).get(f"/api/v1/declarations/{draft.pk}/receipt/")
    assert response.status_code == 409 and response.json()["code"] == "nothing_paid"


# --- HS suggestions and the home card ----------------------------------------------------------
def test_suggestions_rank_the_enterprises_own_lines_first(api_as, declarant_a, declarant_b):
    declaration_make(state="submitted", user=declarant_a)  # 19023040, 17049099, 21039013
    mine = api_as(declarant_a).get("/api/v1/declarations/hs-suggestions/", {"q": "khac"})
    assert mine.status_code == 200
    counts = {s["hs_code"]: s["declared_before"] for s in mine.json()}
    assert counts.get("17049099") == 1
    theirs = api_as(declarant_b).get("/api/v1/declarations/hs-suggestions/", {"q": "khac"})
    assert all(s["declared_before"] == 0 for s in theirs.json())


def test_suggestions_fragment_lists_code_unit_and_rates(client, declarant_a):
    client.force_login(declarant_a)
    page = client.get("/declarations/hs-suggest/", {"q": "nuoc mam", "row": "0"}).content.decode()
    assert 'data-code="21039013"' in page and "data-hint=" in page


def test_the_home_card_lists_what_needs_the_declarant(client, declarant_a):
    draft = declaration_make(state="draft", user=declarant_a)
    owing = declaration_make(state="submitted", user=declarant_a)
    client.force_login(declarant_a)
    page = client.get("/").content.decode()
    assert f"/declarations/{draft.pk}/" in page and owing.number in page
    assert owing.outstanding_vnd > Decimal(0)
    assert GoodsLine.objects.filter(declaration=owing).exists()


def test_a_refused_file_keeps_the_lines_typed_so_far(client, declarant_a):
    client.force_login(declarant_a)
    response = client.post("/declarations/new/", {
        "import_lines": "1", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-hs_code": "21039013", "lines-0-description": "Nước mắm nhĩ",
        "lines_file": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")})
    page = response.content.decode()
    assert 'value="Nước mắm nhĩ"' in page and 'data-testid="error-summary"' in page
