"""Goods lines from and to a spreadsheet (XLSX or CSV).

Declarants paste the lines of a supplier's sheet instead of typing them: every row is checked as
a hand-typed goods line is (the API's serializer for the shape, `validation.clean_lines` for the
meaning) and every problem is reported on its row and column. The export writes the import
template filled in, so an exported file imports back unchanged.

A whole-file problem (not a spreadsheet, too large, a formula, unknown headings) raises
`SheetError`; a problem in a row is an error on that row, so the other rows still load.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from rest_framework.exceptions import ValidationError

from customs_core.api.serializing import parse
from customs_core.money import format_number

from . import validation
from .api.serializers import GoodsLineInputSerializer
from .models import MAX_GOODS_LINES

MAX_SPREADSHEET_BYTES = 2 * 1024 * 1024  # a 50-line sheet is ~10 KB
# An XLSX file is a ZIP: a 2 MB upload can unpack to gigabytes (a zip bomb), so the members'
# declared sizes are summed before openpyxl opens it (Python's zipfile never inflates a member
# past its declared size, so the declaration is binding).
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
# How far down and across the first sheet is read: a row numbered 2,000,000,000 costs a few
# bytes in the file but openpyxl yields every empty row before it.
MAX_ROWS = 10_000
MAX_COLUMNS = 40
# Goods rows past the limit are counted for the message, up to this many (a supplier's whole
# price list takes seconds to parse, and the file is refused anyway).
MAX_COUNTED_ROWS = MAX_GOODS_LINES + 200

ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and .doc, .msg...)
# Files people pick by mistake, named in the refusal (a PDF's header is plain ASCII text).
KNOWN_SIGNATURES = [(b"%PDF-", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"),
                    (b"GIF8", "GIF")]
# Excel runs a CSV cell that starts with one of these as a formula: exported text gets a
# leading apostrophe, which the import takes off again.
CSV_ACTIVE_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    heading_vi: str
    heading_en: str
    required: bool

    @property
    def heading(self) -> str:
        """The template's heading: both languages, so one file serves both."""
        return f"{self.heading_vi} / {self.heading_en}"

    def label(self) -> str:
        """The heading in the active language, for messages."""
        return self.heading_vi if (get_language() or "").startswith("vi") else self.heading_en


COLUMNS: list[Column] = [
    Column("hs_code", "Mã số HS", "HS code", True),
    Column("description", "Mô tả hàng hóa", "Description", False),
    Column("origin_country", "Xuất xứ", "Origin", True),
    Column("quantity", "Số lượng", "Quantity", True),
    Column("unit", "Đơn vị tính", "Unit", False),
    Column("unit_price", "Đơn giá", "Unit price", True),
    Column("line_value", "Trị giá", "Line value", False),
    Column("preferential_claimed", "Hưởng ưu đãi (C/O)", "Preferential (C/O)", False),
]
COLUMN_WIDTHS = {"hs_code": 14, "description": 48, "origin_country": 12, "quantity": 14,
                 "unit": 14, "unit_price": 14, "line_value": 16, "preferential_claimed": 22}
# The instructions sheet of the template: both languages side by side (data, not UI text).
GUIDE = {
    "hs_code": ("Mã 8 số theo Biểu thuế, ví dụ 19023040 hoặc 1902.30.40.",
                "The 8-digit code of the tariff, e.g. 19023040 or 1902.30.40."),
    "description": ("Tên hàng theo hóa đơn, tối đa 400 ký tự; để trống thì dùng mô tả của "
                    "Biểu thuế.",
                    "The goods as on the invoice, at most 400 characters; left blank, the "
                    "tariff's description is used."),
    "origin_country": ("Mã nước 2 chữ cái (ISO 3166), ví dụ CN, VN, TH.",
                       "The 2-letter country code (ISO 3166), e.g. CN, VN, TH."),
    "quantity": ("Theo đơn vị tính của dòng thuế, lớn hơn 0, tối đa 3 số lẻ.",
                 "In the tariff line's unit, above zero, at most 3 decimals."),
    "unit": ("Không bắt buộc; nếu ghi thì phải đúng đơn vị của dòng thuế (KGM, LTR, UNT...).",
             "Optional; if given it must be the tariff line's unit (KGM, LTR, UNT...)."),
    "unit_price": ("Theo đồng tiền của hóa đơn, lớn hơn 0, tối đa 6 số lẻ.",
                   "In the invoice currency, above zero, at most 6 decimals."),
    "line_value": ("Không bắt buộc: số lượng × đơn giá (chênh lệch tối đa 0,01); để trống thì "
                   "hệ thống tự tính.",
                   "Optional: quantity × unit price (within 0.01); left blank, it is computed."),
    "preferential_claimed": ("Có/không hoặc x/để trống: đề nghị hưởng thuế suất ưu đãi đặc "
                             "biệt theo C/O (phải đính kèm C/O).",
                             "Yes/no or x/blank: claim the preferential rate under a "
                             "certificate of origin (attach the C/O)."),
}
GUIDE_NOTES = [
    (f"Mỗi dòng hàng một hàng, tối đa {MAX_GOODS_LINES} dòng hàng; hàng trống được bỏ qua.",
     f"One goods line per row, at most {MAX_GOODS_LINES} goods lines; blank rows are skipped."),
    ("Không dùng công thức: dán giá trị (Paste Values).",
     "No formulas: paste the values (Paste Values)."),
    ("Số thập phân viết 1234,5 hoặc 1234.5; không dùng dấu phân cách hàng nghìn.",
     "Decimals as 1234.5 or 1234,5; leave out thousands separators."),
    ("Lưu dưới dạng Excel Workbook (.xlsx) hoặc CSV UTF-8.",
     "Save as Excel Workbook (.xlsx) or CSV UTF-8."),
]
YES_WORDS = frozenset({"yes", "co", "x", "1", "true"})
NO_WORDS = frozenset({"no", "khong", "0", "false", ""})


@dataclass
class Row:
    number: int  # as the user sees it in Excel: the heading is row 1, so goods start at row 2
    values: dict  # column key -> raw cell value (str, int, float, Decimal, bool or None)


class SheetError(Exception):
    """The whole file is refused; `message` is for the user, in the active language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- reading ----------------------------------------------------------------------------------
def read_rows(file) -> list[Row]:
    """The goods rows of an uploaded XLSX or CSV file (first sheet, headings in its first
    non-blank row), or a SheetError saying what is wrong with the file as a whole."""
    content = _content(file)
    if content.startswith(ZIP_SIGNATURE):
        return _xlsx_rows(content)
    if content.startswith(OLE2_SIGNATURE):
        raise SheetError(_("This is an Excel 97-2003 workbook (.xls), which cannot be read. In "
                           "Excel, save it as “Excel Workbook (.xlsx)” or “CSV UTF-8” and "
                           "upload that."))
    for signature, kind in KNOWN_SIGNATURES:
        if content.startswith(signature):
            raise SheetError(_("This is a %(kind)s file, not a spreadsheet. Upload an Excel "
                               "workbook (.xlsx) or a CSV file (UTF-8).") % {"kind": kind})
    return _table(_csv_cells(_csv_text(content)))


def _not_a_spreadsheet() -> SheetError:
    return SheetError(_("This file is neither an Excel workbook (.xlsx) nor a CSV file in "
                        "UTF-8. In Excel, save it as “Excel Workbook (.xlsx)” or “CSV UTF-8 "
                        "(Comma delimited)”."))


def _content(file) -> bytes:
    """The uploaded bytes, refusing a large file before reading it."""
    too_large = SheetError(_("The spreadsheet is larger than %(max)d MB; a sheet of goods lines "
                             "is far smaller.") % {"max": MAX_SPREADSHEET_BYTES // (1024 * 1024)})
    if (file.size or 0) > MAX_SPREADSHEET_BYTES:
        raise too_large
    file.seek(0)
    content = file.read(MAX_SPREADSHEET_BYTES + 1)  # .size is what the client said
    if len(content) > MAX_SPREADSHEET_BYTES:
        raise too_large
    return content


def _xlsx_rows(content: bytes) -> list[Row]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _not_a_spreadsheet() from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise SheetError(_("This workbook unpacks to more than %(max)d MB, far more than a sheet "
                           "of goods lines: copy the goods lines into the template and upload "
                           "that.") % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)})
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False,
                                          keep_links=False)
    except Exception as error:  # any ZIP that is not a workbook (.docx, broken)
        raise _not_a_spreadsheet() from error
    try:
        if not workbook.worksheets:
            raise SheetError(_("The spreadsheet has no goods lines."))
        return _table(_xlsx_cells(workbook.worksheets[0]))
    finally:
        workbook.close()


def _xlsx_cells(sheet):
    """(value, is a formula) per cell, row by row. openpyxl parses lazily, so a broken sheet
    inside a valid ZIP fails here, with whatever exception its XML parse raises."""
    rows = sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # see the docstring
            raise _not_a_spreadsheet() from error
        yield [(cell.value, cell.data_type == "f") for cell in row]


def _csv_text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:  # binary, or a CSV saved in a Windows code page
        raise _not_a_spreadsheet() from error
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise _not_a_spreadsheet()
    return text


def _csv_cells(text: str):
    """(value, is a formula) per cell, record by record (a quoted cell may span lines, and is
    still one row in Excel). The delimiter is the heading line's: Excel writes ';' where the
    decimal mark is a comma, as in Vietnamese Windows."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _not_a_spreadsheet() from error
        yield [(_csv_value(cell), cell.startswith("=")) for cell in record]


def _csv_value(cell: str) -> str | None:
    if not cell:
        return None
    if cell.startswith("'") and cell[1:].startswith(CSV_ACTIVE_STARTS):
        return cell[1:]  # our export's guard against formula injection
    return cell


def _table(cell_rows) -> list[Row]:
    """Rows from (value, is a formula) cells: the first non-blank row is the headings, blank
    rows are skipped, a formula anywhere refuses the file."""
    columns: dict[int, Column] | None = None
    rows: list[Row] = []
    count = 0
    for number, cells in enumerate(cell_rows, start=1):
        if number > MAX_ROWS:
            raise SheetError(_("The spreadsheet goes on past row %(max)s: delete the rows below "
                               "the goods lines, even empty ones, and upload it again.")
                             % {"max": format_number(MAX_ROWS)})
        for index, (_value, formula) in enumerate(cells):
            if formula:
                raise SheetError(_("Row %(row)d, %(column)s: formulas are not accepted; paste "
                                   "the values.")
                                 % {"row": number, "column": _column_name(columns, index)})
        values = [value for value, _formula in cells]
        if all(_blank(value) for value in values):
            continue
        if columns is None:
            columns = _heading_columns(values)
            continue
        count += 1
        if count > MAX_COUNTED_ROWS:
            raise SheetError(_("At most %(max)d goods lines per declaration; the spreadsheet "
                               "has more than %(count)d.")
                             % {"max": MAX_GOODS_LINES, "count": MAX_COUNTED_ROWS})
        if count <= MAX_GOODS_LINES:  # beyond, only counted: the file is refused below
            found = {column.key: values[index] for index, column in columns.items()
                     if index < len(values)}
            rows.append(Row(number=number,
                            values={column.key: found.get(column.key) for column in COLUMNS}))
    if not count:
        raise SheetError(_("The spreadsheet has no goods lines."))
    if count > MAX_GOODS_LINES:
        raise SheetError(_("At most %(max)d goods lines per declaration; the spreadsheet has "
                           "%(count)d.") % {"max": MAX_GOODS_LINES, "count": count})
    return rows


def _column_name(columns: dict[int, Column] | None, index: int) -> str:
    column = (columns or {}).get(index)
    if column is not None:
        return column.label()
    return _("column %(letter)s") % {"letter": get_column_letter(index + 1)}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _folded(text: str) -> str:
    """Lower case without diacritics or spaces: "Đơn giá", "don gia" and "ĐƠN GIÁ" are one
    heading, "Có" and "co" one answer (đ has no decomposition, so it is mapped by hand)."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "d"))
    return "".join(char for char in text
                   if not unicodedata.combining(char) and not char.isspace()).lower()


HEADINGS = {_folded(heading): column for column in COLUMNS
            for heading in (column.heading_vi, column.heading_en, column.heading)}


def _heading_columns(values: list) -> dict[int, Column]:
    """Column index -> Column, or a SheetError naming every heading problem at once."""
    columns: dict[int, Column] = {}
    problems = []
    for index, value in enumerate(values):
        if _blank(value):
            continue  # an unnamed column (a row number, a note) is ignored
        letter = get_column_letter(index + 1)
        column = HEADINGS.get(_folded(_text(value)))
        if column is None:
            problems.append(_("Column %(letter)s: the heading “%(heading)s” is not one of the "
                              "template's.") % {"letter": letter, "heading": _text(value)})
        elif column in columns.values():
            first = next(i for i, known in columns.items() if known == column)
            problems.append(_("The column %(heading)s appears twice (columns %(first)s and "
                              "%(second)s).") % {"heading": column.label(),
                                                 "first": get_column_letter(first + 1),
                                                 "second": letter})
        else:
            columns[index] = column
    for column in COLUMNS:
        if column.required and column not in columns.values():
            problems.append(_("The column %(heading)s is missing.") % {"heading": column.label()})
    if problems:
        problems.append(_("The headings are: %(headings)s.")
                        % {"headings": ", ".join(column.label() for column in COLUMNS)})
        raise SheetError(" ".join(problems))
    return columns


# --- checking ---------------------------------------------------------------------------------
def rows_check(rows: list[Row]) -> tuple[list[dict], dict[int, dict[str, list[str]]]]:
    """Each row checked as a hand-typed goods line: (lines in the service's input shape, one per
    row, valid or not; {row number: {column key: [messages]}} for the rows with problems).
    Values that could not be read are kept as typed, so the form shows them for fixing."""
    lines, errors = [], {}
    for row in rows:
        line, problems = _row_check(row)
        lines.append(line)
        if problems:
            errors[row.number] = problems
    return lines, errors


def _row_check(row: Row) -> tuple[dict, dict[str, list[str]]]:
    raw = row.values
    problems: dict[str, list[str]] = {}
    hs_code = _hs_code(raw.get("hs_code"))
    line = {
        "hs_code": hs_code if re.fullmatch(r"[0-9]{8}", hs_code) else _text(raw.get("hs_code")),
        "description": _text(raw.get("description")),
        "origin_country": _text(raw.get("origin_country")).upper(),
    }
    for key, reader in (("quantity", _number), ("unit_price", _number),
                        ("line_value", _number), ("preferential_claimed", _yes_no)):
        try:
            line[key] = reader(raw.get(key))
        except ValueError as error:
            problems[key] = [str(error)]
            line[key] = _text(raw.get(key))
    # Shape, with the API's own messages; a blank cell is a missing field ("required").
    shaped = dict(line, hs_code=hs_code)
    data = {key: value for key, value in shaped.items()
            if key not in problems and value not in (None, "")}
    try:
        parse(GoodsLineInputSerializer, data)
    except ValidationError as error:
        detail = error.detail if isinstance(error.detail, dict) else {}
        for key, messages in detail.items():
            problems.setdefault(key, [str(message) for message in messages])
    # Meaning, as a declaration checks its lines; a column already wrong is not checked again.
    checked = validation.Errors()
    clean = validation.clean_lines(
        [{key: None if key in problems else value for key, value in shaped.items()}], checked)
    for key, messages in checked.fields.get("lines", {}).get("1", {}).items():
        problems.setdefault(key, [str(message) for message in messages])
    tariff = clean[0]["tariff_line"] if clean else None
    unit = _text(raw.get("unit"))
    if unit and tariff is not None and unit.upper() != tariff.unit.upper():
        problems["unit"] = [_("The tariff line's unit is %(unit)s, not %(value)s.")
                            % {"unit": tariff.unit, "value": unit}]
    line["row"] = row.number
    order = {column.key: index for index, column in enumerate(COLUMNS)}
    return line, dict(sorted(problems.items(), key=lambda item: order.get(item[0], len(order))))


def _text(value) -> str:
    """A cell as text: 19023040.0 (how a number may arrive) as 19023040."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _hs_code(value) -> str:
    """8 digits from 19023040, "1902.30.40" or "1902 30 40"; a code that was a number in Excel
    lost its leading zero (02023000 became 2023000) and gets it back. Only a bare 7-digit
    number is padded: 1902.304 (a dotted code Excel made a number) is an error, not 01902304."""
    text = _text(value)
    code = re.sub(r"[\s.]", "", text)
    return "0" + code if re.fullmatch(r"[0-9]{7}", text) else code


def _yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    word = _folded(_text(value))
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(_("%(value)s is not yes or no: write có or không (yes or no), or x for "
                       "yes.") % {"value": _text(value)})


def _number(value) -> Decimal | None:
    """A Decimal from a number cell or from text as people type it in either language:
    1234.5, 1234,5, 1,234.5, 1.234,5, 1 234,5. A ValueError (with the message) for anything
    else, including 1.234 and 1,234, which are a thousand or one point something depending on
    who typed them."""
    if _blank(value):
        return None
    not_a_number = ValueError(_("%(value)s is not a number.") % {"value": _text(value)})
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise not_a_number  # a date, a time: Excel turned the number into something else
    if isinstance(value, str):
        number = _number_text(value.strip())
    elif isinstance(value, float):
        number = Decimal(repr(value))  # 1.1, not 1.100000000000000088817841970012523
    else:
        number = Decimal(value)
    if number is None or not number.is_finite():
        raise not_a_number
    return _trimmed(number)


def _number_text(text: str) -> Decimal | None:
    """The number in typed text, None if it is not one (ambiguous ones raise ValueError)."""
    sign = text[:1] if text[:1] in "+-" else ""
    text = text[len(sign):].strip()
    spaced = re.fullmatch(r"([0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3})+)(?:[.,]([0-9]+))?",
                          text)
    if spaced:  # spaces between thousands: the mark, if any, is the decimal one
        whole, fraction = re.sub(r"[^0-9]", "", spaced[1]), spaced[2] or ""
    elif "." in text and "," in text:  # the last mark is the decimal one
        mark = "." if text.rfind(".") > text.rfind(",") else ","
        other = "," if mark == "." else "."
        match = re.fullmatch(rf"([0-9]{{1,3}}(?:\{other}[0-9]{{3}})*)\{mark}([0-9]+)", text)
        if not match:
            return None
        whole, fraction = match[1].replace(other, ""), match[2]
    elif "." in text or "," in text:
        mark = "." if "." in text else ","
        parts = text.split(mark)
        if len(parts) > 2:  # 1.234.567: thousands only
            if not re.fullmatch(rf"[0-9]{{1,3}}(?:\{mark}[0-9]{{3}})+", text):
                return None
            whole, fraction = "".join(parts), ""
        else:
            whole, fraction = parts
            if not re.fullmatch(r"[0-9]*", whole) or not re.fullmatch(r"[0-9]+", fraction):
                return None
            if len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
                raise ValueError(
                    _("%(value)s is not a number we can read for sure: is it %(thousands)s or "
                      "%(decimal)s? Write it without a thousands separator.")
                    % {"value": sign + text, "thousands": sign + whole + fraction,
                       "decimal": format_number(Decimal(f"{sign}{whole}.{fraction}"),
                                                exact=True)})
    elif re.fullmatch(r"[0-9]+", text):
        whole, fraction = text, ""
    else:
        return None
    return Decimal(f"{sign}{whole or '0'}.{fraction}" if fraction else f"{sign}{whole}")


def _trimmed(number: Decimal) -> Decimal:
    """Without trailing decimal zeros (1.2500 -> 1.25, 1200.0 -> 1200): zeros are not decimal
    places the serializer should count. Exact, unlike normalize(), which rounds to 28 digits."""
    sign, digits, exponent = number.as_tuple()
    drop = 0
    while drop < -exponent and drop < len(digits) - 1 and digits[-1 - drop] == 0:
        drop += 1
    return Decimal((sign, digits[:len(digits) - drop], exponent + drop))


def column_label(key: str) -> str:
    """A column's heading in the active language, by its key (the key itself if unknown)."""
    column = next((column for column in COLUMNS if column.key == key), None)
    return column.label() if column is not None else key


def row_messages(errors: dict[int, dict[str, list[str]]]) -> list[str]:
    """"Row 7, HS code: HS code 99999999 is not in the tariff.", row by row, column by column."""
    order = {column.key: index for index, column in enumerate(COLUMNS)}
    return [_("Row %(row)d, %(column)s: %(message)s")
            % {"row": number, "column": column_label(key), "message": message}
            for number in sorted(errors)
            for key in sorted(errors[number], key=lambda key: order.get(key, len(order)))
            for message in errors[number][key]]


# --- writing ----------------------------------------------------------------------------------
def template_xlsx() -> bytes:
    return _workbook_bytes([])


def template_csv() -> bytes:
    return _csv_bytes([])


def lines_xlsx(lines) -> bytes:
    """GoodsLine rows (tariff_line loaded) in the template: numbers as numbers, the HS code as
    text so 02023000 keeps its zero."""
    return _workbook_bytes([_line_cells(line) for line in lines])


def lines_csv(lines) -> bytes:
    return _csv_bytes([_line_cells(line) for line in lines])


def _line_cells(line) -> dict:
    return {"hs_code": line.tariff_line.hs_code, "description": line.description,
            "origin_country": line.origin_country_id, "quantity": _trimmed(line.quantity),
            "unit": line.unit, "unit_price": _trimmed(line.unit_price),
            "line_value": _trimmed(line.line_value),
            "preferential_claimed": _yes_no_word(line.preferential_claimed)}


def _yes_no_word(value: bool) -> str:
    vietnamese = (get_language() or "").startswith("vi")
    if vietnamese:
        return "có" if value else "không"
    return "yes" if value else "no"


def _workbook_bytes(rows: list[dict]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Hàng hóa - Goods"  # a sheet title may not hold "/"
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.heading)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = COLUMN_WIDTHS[column.key]
        if column.key == "hs_code":
            dimension.number_format = "@"  # typed codes stay text in the empty template too
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    for number, values in enumerate(rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = values[column.key]
            if isinstance(value, str):
                # Text stays text: openpyxl would store "=..." as a formula.
                cell = sheet.cell(row=number, column=index,
                                  value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"
                cell.number_format = "@"
            else:
                sheet.cell(row=number, column=index, value=value)
    _guide_sheet(workbook.create_sheet("Hướng dẫn - Instructions"))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _guide_sheet(sheet) -> None:
    bold = Font(bold=True)
    sheet.append(["Cột / Column", "Bắt buộc / Required", "Hướng dẫn", "Instructions"])
    for cell in sheet[1]:
        cell.font = bold
    for column in COLUMNS:
        vi, en = GUIDE[column.key]
        sheet.append([column.heading, "Có / Yes" if column.required else "Không / No", vi, en])
    sheet.append([])
    for vi, en in GUIDE_NOTES:
        sheet.append(["", "", vi, en])
    for letter, width in zip("ABCD", (40, 20, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _csv_bytes(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM, without which Excel reads the Vietnamese as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.heading for column in COLUMNS])
    for values in rows:
        writer.writerow([_csv_cell(values[column.key]) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        # 1.234 would read back as ambiguous (a thousand, or one point two three four?).
        if "." in text and len(text.split(".")[1]) == 3:
            text += "0"
        return text
    if value is None:
        return ""
    value = str(value)
    return "'" + value if value.startswith(CSV_ACTIVE_STARTS) else value
