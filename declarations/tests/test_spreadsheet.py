"""Goods lines from a spreadsheet: every row checked as a hand-typed line, errors per row and
column, whole-file refusals for what is not a sheet of goods lines, and an export that imports
back unchanged."""

import io
import random
import time
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from declarations.spreadsheet import (
    COLUMNS,
    MAX_SPREADSHEET_BYTES,
    Row,
    SheetError,
    lines_csv,
    lines_xlsx,
    read_rows,
    row_messages,
    rows_check,
    template_csv,
    template_xlsx,
)
from declarations.testing import LINES, pdf_file

COMBINED = [column.heading for column in COLUMNS]
VIETNAMESE = [column.heading_vi for column in COLUMNS]
ENGLISH = [column.heading_en for column in COLUMNS]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def good_row(**changes) -> list:
    """A valid goods line in the template's column order."""
    values = {"hs_code": "19023040", "description": "Mì ăn liền", "origin_country": "CN",
              "quantity": 1200, "unit": "KGM", "unit_price": 1.25, "line_value": 1500,
              "preferential_claimed": "không"}
    values.update(changes)
    return [values[column.key] for column in COLUMNS]


def xlsx_file(rows: list[list], *, headings: list | None = None,
              name: str = "lines.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COMBINED if headings is None else headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(text: str, *, bom: bool = True) -> SimpleUploadedFile:
    return SimpleUploadedFile("lines.csv", (("\ufeff" if bom else "") + text).encode("utf-8"))


def refusal(file) -> str:
    with pytest.raises(SheetError) as raised:
        read_rows(file)
    return raised.value.message


def check(file):
    return rows_check(read_rows(file))


# --- a supplier's sheet, row by row -------------------------------------------------------------
@pytest.mark.django_db
def test_thirty_rows_with_two_wrong_ones_report_just_those_two():
    rows = [good_row(description=f"Mì ăn liền {n}") for n in range(30)]
    rows[7] = good_row(hs_code="99999999")  # sheet row 9
    rows[19] = good_row(quantity=-5)  # sheet row 21

    lines, errors = check(xlsx_file(rows))

    assert len(lines) == 30
    assert [line["row"] for line in lines] == list(range(2, 32))
    assert set(errors) == {9, 21}
    assert list(errors[9]) == ["hs_code"]
    assert list(errors[21]) == ["quantity"]
    clean = [line for line in lines if line["row"] not in errors]
    assert len(clean) == 28
    assert clean[0] == {"hs_code": "19023040", "description": "Mì ăn liền 0",
                        "origin_country": "CN", "quantity": Decimal("1200"),
                        "unit_price": Decimal("1.25"), "line_value": Decimal("1500"),
                        "preferential_claimed": False, "row": 2}
    messages = row_messages(errors)
    assert messages[0] == "Row 9, HS code: HS code 99999999 is not in the tariff."
    assert messages[1].startswith("Row 21, Quantity: ")
    assert len(messages) == 2


@pytest.mark.django_db
def test_row_messages_name_the_column_in_the_active_language():
    with translation.override("vi"):
        messages = row_messages({7: {"unit_price": ["x"], "hs_code": ["y"]}})
    assert "Mã số HS" in messages[0] and messages[0].endswith("y")
    assert "Đơn giá" in messages[1]


@pytest.mark.django_db
def test_blank_rows_are_skipped_and_row_numbers_stay_the_users():
    rows = read_rows(xlsx_file([good_row(), [None] * 8, ["", " "], good_row()]))
    assert [row.number for row in rows] == [2, 5]


@pytest.mark.django_db
def test_headings_may_start_below_blank_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"] = "HS code"
    for index, heading in enumerate(ENGLISH, start=1):
        sheet.cell(row=3, column=index, value=heading)
    for index, value in enumerate(good_row(), start=1):
        sheet.cell(row=4, column=index, value=value)
    out = io.BytesIO()
    workbook.save(out)
    assert [row.number for row in read_rows(SimpleUploadedFile("a.xlsx", out.getvalue()))] == [4]


@pytest.mark.django_db
def test_an_unparseable_value_is_kept_as_typed_with_its_error():
    lines, errors = check(xlsx_file([good_row(quantity="abc", preferential_claimed="maybe")]))
    assert lines[0]["quantity"] == "abc"
    assert lines[0]["preferential_claimed"] == "maybe"
    assert errors[2]["quantity"] == ["abc is not a number."]
    assert "is not yes or no" in errors[2]["preferential_claimed"][0]
    assert set(errors[2]) == {"quantity", "preferential_claimed"}


@pytest.mark.django_db
def test_a_blank_required_cell_is_required():
    lines, errors = check(xlsx_file([good_row(origin_country=None, line_value=None)]))
    assert errors == {2: {"origin_country": ["This field is required."]}}
    assert lines[0]["line_value"] is None


@pytest.mark.django_db
def test_line_value_must_match_quantity_times_price():
    _lines, errors = check(xlsx_file([good_row(line_value=1400)]))
    assert list(errors[2]) == ["line_value"]
    assert "1,500" in errors[2]["line_value"][0]


@pytest.mark.django_db
def test_a_shape_error_is_not_repeated_by_the_meaning_check():
    _lines, errors = check(xlsx_file([good_row(hs_code="1902")]))
    assert errors == {2: {"hs_code": ["An HS code has 8 digits."]}}


# --- numbers, codes and answers as people type them ---------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "value"), [
    ("1234.5", "1234.5"), ("1234,5", "1234.5"), ("1,234.5", "1234.5"), ("1.234,5", "1234.5"),
    ("1 234,5", "1234.5"), ("1\u00a0234\u00a0567", "1234567"), ("1.234.567", "1234567"),
    ("0,125", "0.125"), ("12", "12"), ("1.2500", "1.25"),
])
def test_text_numbers_in_either_language(typed, value):
    lines, errors = check(xlsx_file([good_row(quantity=typed, line_value=None)]))
    assert lines[0]["quantity"] == Decimal(value)
    assert errors == {}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1.200", "1,200", "1,2,3", "12 34", "1e5", "$12", "1.2.3,4"])
def test_ambiguous_or_odd_text_is_not_a_number(typed):
    lines, errors = check(xlsx_file([good_row(quantity=typed, line_value=None)]))
    assert lines[0]["quantity"] == typed
    assert "is not a number" in errors[2]["quantity"][0]


@pytest.mark.django_db
def test_vietnamese_decimal_comma_in_the_price():
    lines, errors = check(xlsx_file([good_row(unit_price="1,25", line_value="1.500,00")]))
    assert errors == {}
    assert (lines[0]["unit_price"], lines[0]["line_value"]) == (Decimal("1.25"), Decimal(1500))


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "code"), [
    (2023000, "02023000"), (2023000.0, "02023000"), ("2023000", "02023000"),
    (19023040, "19023040"), ("1902.30.40", "19023040"), ("0202 30 00", "02023000"),
])
def test_hs_codes_as_numbers_or_dotted_text(typed, code):
    lines, errors = check(xlsx_file([good_row(hs_code=typed)]))
    assert lines[0]["hs_code"] == code
    assert errors == {}


@pytest.mark.django_db
def test_a_dotted_code_that_excel_made_a_number_is_not_padded():
    lines, errors = check(xlsx_file([good_row(hs_code=1902.304)]))
    assert lines[0]["hs_code"] == "1902.304"
    assert errors == {2: {"hs_code": ["An HS code has 8 digits."]}}


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "claimed"), [
    ("Có", True), ("co", True), ("YES", True), ("x", True), (1, True), (True, True),
    ("true", True), ("Không", False), ("khong", False), ("no", False), (None, False),
    (0, False), ("FALSE", False),
])
def test_preferential_answers(typed, claimed):
    lines, errors = check(xlsx_file([good_row(preferential_claimed=typed)]))
    assert lines[0]["preferential_claimed"] is claimed
    assert errors == {}


@pytest.mark.django_db
def test_origin_is_upper_cased():
    lines, errors = check(xlsx_file([good_row(origin_country="cn")]))
    assert (lines[0]["origin_country"], errors) == ("CN", {})


@pytest.mark.django_db
def test_a_unit_that_is_not_the_tariff_lines_is_an_error_on_the_unit():
    lines, errors = check(xlsx_file([good_row(unit="LTR"), good_row(unit="kgm"),
                                     good_row(unit=None)]))
    assert errors == {2: {"unit": ["The tariff line's unit is KGM, not LTR."]}}
    assert len(lines) == 3


# --- headings ---------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("headings", [
    VIETNAMESE, ENGLISH, COMBINED,
    [heading.upper() for heading in ENGLISH],
    ["ma so hs", "mo ta hang hoa", "XUAT XU", "so luong", "DON VI TINH", "đơn  giá",
     "tri gia", "huong uu dai (c/o)"],
    ["HS code", None, "Origin", "Quantity", None, "Unit price", None, None],
])
def test_headings_in_either_language_or_both(headings):
    rows = read_rows(xlsx_file([good_row()], headings=headings))
    assert rows[0].values["hs_code"] == "19023040"
    assert rows[0].values["unit_price"] == 1.25


@pytest.mark.django_db
def test_columns_may_come_in_any_order():
    rows = read_rows(xlsx_file([["CN", 1.25, 1200, "19023040"]],
                               headings=["Origin", "Unit price", "Quantity", "HS code"]))
    assert rows[0].values == {"hs_code": "19023040", "description": None,
                              "origin_country": "CN", "quantity": 1200, "unit": None,
                              "unit_price": 1.25, "line_value": None,
                              "preferential_claimed": None}


@pytest.mark.django_db
def test_unknown_missing_and_repeated_headings_are_refused_together():
    message = refusal(xlsx_file([["19023040", "CN", 1, 1, "x"]],
                                headings=["HS code", "Origin", "Quantity", "Quantity",
                                          "Amount"]))
    assert "Column E: the heading “Amount” is not one of the template's." in message
    assert "The column Quantity appears twice (columns C and D)." in message
    assert "The column Unit price is missing." in message


# --- CSV ----------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_or_without_bom(bom):
    text = ",".join(COMBINED) + "\r\n19023040,Mì ăn liền,CN,1200,KGM,1.25,1500,có\r\n"
    lines, errors = check(csv_file(text, bom=bom))
    assert errors == {}
    assert lines[0]["description"] == "Mì ăn liền"
    assert lines[0]["preferential_claimed"] is True


@pytest.mark.django_db
def test_csv_with_semicolons_and_decimal_commas():
    text = ("Mã số HS;Xuất xứ;Số lượng;Đơn giá;Trị giá\n"
            "19023040;CN;1200,5;1,25;1500,625\n"
            "\n"
            "2023000;AU;10;5,2;\n")
    lines, errors = check(csv_file(text))
    assert errors == {}
    assert [line["row"] for line in lines] == [2, 4]
    assert lines[0]["quantity"] == Decimal("1200.5")
    assert lines[1]["hs_code"] == "02023000"


@pytest.mark.django_db
def test_csv_quoted_cell_over_two_lines_is_one_row():
    text = ('HS code,Description,Origin,Quantity,Unit price\n'
            '19023040,"Mì\năn liền",CN,1,1\n'
            '17049099,Kẹo,CN,1,1\n')
    rows = read_rows(csv_file(text))
    assert [row.number for row in rows] == [2, 3]


# --- whole-file refusals ------------------------------------------------------------------------
def test_pdf_is_refused():
    assert refusal(pdf_file()) == ("This is a PDF file, not a spreadsheet. Upload an Excel "
                                   "workbook (.xlsx) or a CSV file (UTF-8).")


def test_png_is_refused():
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    assert refusal(SimpleUploadedFile("lines.png", png)).startswith("This is a PNG file")


def test_old_xls_is_refused_with_how_to_save_it():
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)
    assert "Excel 97-2003 workbook (.xls)" in refusal(SimpleUploadedFile("lines.xls", xls))


def test_random_binary_is_refused():
    junk = random.Random(7).randbytes(4096)
    assert refusal(SimpleUploadedFile("lines.xlsx", junk)).startswith(
        "This file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8.")


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refusal(SimpleUploadedFile("lines.xlsx", out.getvalue())).startswith(
        "This file is neither")


def test_a_csv_in_a_windows_code_page_is_refused():
    text = ",".join(ENGLISH) + "\n19023040,Café instant noodles,CN,1,KGM,1,1,no\n"
    assert refusal(SimpleUploadedFile("lines.csv", text.encode("cp1252"))).startswith(
        "This file is neither")


def test_a_file_over_2_mb_is_refused():
    big = SimpleUploadedFile("lines.csv", b"a" * (3 * 1024 * 1024))
    assert refusal(big) == ("The spreadsheet is larger than 2 MB; a sheet of goods lines is far "
                            "smaller.")


def test_a_file_whose_size_lies_is_refused():
    big = SimpleUploadedFile("lines.csv", b"a" * (MAX_SPREADSHEET_BYTES + 10))
    big.size = 100
    assert refusal(big).startswith("The spreadsheet is larger than 2 MB")


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    """The template plus a member of 50 MB of zeros (~50 KB packed): openpyxl itself would open
    it, so only the declared-size check refuses it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template_xlsx())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            bomb.writestr(info, source.read(info))
        with bomb.open("xl/media/image1.bin", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(50):
                member.write(chunk)
    assert len(out.getvalue()) < MAX_SPREADSHEET_BYTES
    assert refusal(SimpleUploadedFile("lines.xlsx", out.getvalue())).startswith(
        "This workbook unpacks to more than 20 MB")


@pytest.mark.django_db
def test_fifty_lines_are_fine_fifty_one_are_refused():
    assert len(read_rows(xlsx_file([good_row()] * 50))) == 50
    assert refusal(xlsx_file([good_row()] * 51)) == (
        "At most 50 goods lines per declaration; the spreadsheet has 51.")
    assert refusal(xlsx_file([good_row()] * 250)) == (
        "At most 50 goods lines per declaration; the spreadsheet has 250.")


def test_a_whole_price_list_is_refused_without_reading_it_all():
    assert refusal(xlsx_file([good_row()] * 2000)) == (
        "At most 50 goods lines per declaration; the spreadsheet has more than 250.")


@pytest.mark.parametrize("last_row", [10_001, 2_000_000_000])
def test_a_sheet_that_goes_on_for_ever_is_refused_quickly(last_row):
    """A cell at row 2,000,000,000 costs a few bytes, and openpyxl yields every row before it
    (Excel stops at 1,048,576; the file is edited to go further, as an attacker's would)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COMBINED)
    sheet.append(good_row())
    sheet.cell(row=1_048_576, column=1, value="x")
    saved = io.BytesIO()
    workbook.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as edited:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"1048576", str(last_row).encode())
            edited.writestr(info, content)
    started = time.monotonic()
    assert refusal(SimpleUploadedFile("a.xlsx", out.getvalue())).startswith(
        "The spreadsheet goes on past row 10,000")
    assert time.monotonic() - started < 5


def test_a_formula_in_a_workbook_is_refused_with_its_row_and_column():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COMBINED)
    sheet.append(good_row())
    sheet.append(good_row())
    sheet.append(good_row(quantity="=D2*2"))
    out = io.BytesIO()
    workbook.save(out)
    assert refusal(SimpleUploadedFile("a.xlsx", out.getvalue())) == (
        "Row 4, Quantity: formulas are not accepted; paste the values.")


def test_a_formula_in_an_unnamed_column_is_refused_too():
    file = xlsx_file([good_row() + [None, "=1+1"]])
    assert refusal(file) == "Row 2, column J: formulas are not accepted; paste the values."


def test_a_csv_cell_starting_with_equals_is_refused():
    text = ",".join(ENGLISH) + '\n19023040,"=HYPERLINK(""http://x"")",CN,1,KGM,1,1,no\n'
    assert refusal(csv_file(text)) == (
        "Row 2, Description: formulas are not accepted; paste the values.")


@pytest.mark.parametrize("file", [
    pytest.param(lambda: SimpleUploadedFile("a.xlsx", _empty_workbook()), id="empty-xlsx"),
    pytest.param(lambda: xlsx_file([]), id="headings-only-xlsx"),
    pytest.param(lambda: csv_file(""), id="empty-csv"),
    pytest.param(lambda: SimpleUploadedFile("a.csv", template_csv()), id="headings-only-csv"),
    pytest.param(lambda: SimpleUploadedFile("a.xlsx", template_xlsx()), id="template"),
])
def test_no_goods_lines_is_refused(file):
    assert refusal(file()) == "The spreadsheet has no goods lines."


def _empty_workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


# --- templates and export -----------------------------------------------------------------------
def test_the_xlsx_template_has_the_goods_sheet_first_and_instructions_second():
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    goods, guide = workbook.worksheets
    assert [cell.value for cell in goods[1]] == COMBINED
    assert COMBINED[0] == "Mã số HS / HS code"
    assert all(cell.font.bold for cell in goods[1])
    assert goods.column_dimensions["B"].width > goods.column_dimensions["A"].width
    assert guide.title == "Hướng dẫn - Instructions"
    assert [row[0] for row in guide.iter_rows(min_row=2, max_row=9, values_only=True)] \
        == COMBINED


def test_the_csv_template_has_a_bom_and_the_headings():
    assert template_csv() == ("\ufeff" + ",".join(COMBINED) + "\r\n").encode("utf-8")


@pytest.fixture
def declaration(make_declaration):
    lines = [
        dict(LINES[0], description="=2+3 gói", quantity="1.234", unit_price="2.5"),
        dict(LINES[1], description="-10% kẹo", quantity="100", unit_price="123456.123456"),
        {"hs_code": "02023000", "description": "Thịt bò", "origin_country": "AU",
         "quantity": "100", "unit_price": "5.2"},
        LINES[2],
    ]
    total = sum(Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines)
    return make_declaration(lines=lines, preferential=True,
                            total_invoice_value=str(total.quantize(Decimal("0.0001"))))


def _expected(declaration) -> list[dict]:
    return [{"hs_code": line.tariff_line.hs_code, "description": line.description,
             "origin_country": line.origin_country_id, "quantity": line.quantity,
             "unit_price": line.unit_price, "line_value": line.line_value,
             "preferential_claimed": line.preferential_claimed, "row": number}
            for number, line in enumerate(
                declaration.lines.select_related("tariff_line", "origin_country"), start=2)]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("export", "name"), [(lines_xlsx, "lines.xlsx"),
                                              (lines_csv, "lines.csv")])
def test_an_exported_file_imports_back_unchanged(declaration, export, name, language):
    with translation.override(language):
        content = export(declaration.lines.select_related("tariff_line", "origin_country"))
    lines, errors = check(SimpleUploadedFile(name, content))
    assert errors == {}
    assert lines == _expected(declaration)
    assert lines[0]["description"] == "=2+3 gói"
    assert lines[2]["hs_code"] == "02023000"


@pytest.mark.django_db
def test_exported_text_stays_text_and_numbers_stay_numbers(declaration):
    content = lines_xlsx(declaration.lines.select_related("tariff_line", "origin_country"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == "=2+3 gói"
    assert sheet["A4"].value == "02023000"
    assert isinstance(sheet["D2"].value, float) and sheet["D2"].value == 1.234
    exported = lines_csv(declaration.lines.select_related("tariff_line", "origin_country"))
    assert exported.startswith("\ufeff".encode())
    assert "'=2+3 gói" in exported.decode("utf-8-sig")
    assert "'-10% kẹo" in exported.decode("utf-8-sig")


@pytest.mark.django_db
def test_rows_check_takes_rows_built_by_hand():
    lines, errors = rows_check([Row(number=12, values={"hs_code": "17049099",
                                                       "origin_country": "CN",
                                                       "quantity": "800",
                                                       "unit_price": "2,10"})])
    assert errors == {}
    assert lines[0]["unit_price"] == Decimal("2.1")
    assert lines[0]["row"] == 12
