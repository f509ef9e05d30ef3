"""The printed declaration and the duty payment receipt: Vietnamese text, stored figures,
pagination, embedded fonts, codes, and nothing confidential."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from declarations import services
from declarations.printing import DRAFT_MARK, declaration_pdf, receipt_pdf
from declarations.selectors import declaration_detail_for
from declarations.testing import declaration_make

pytestmark = pytest.mark.django_db
PDFTOPPM = "/usr/bin/pdftoppm"


def vn(amount) -> str:
    """An amount in whole dong as a Vietnamese reader writes it: 1.234.567."""
    return f"{int(amount):,}".replace(",", ".")


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def text(data: bytes) -> str:
    return "\n".join(pages(data))


def detail(user, declaration):
    return declaration_detail_for(user, declaration.pk)


@pytest.fixture
def submitted(make_declaration, declarant_a):
    return detail(declarant_a, make_declaration(state="submitted"))


# --- the declaration ---------------------------------------------------------------------------
def test_declaration_prints_its_number_and_the_form_title(submitted):
    printed = text(declaration_pdf(submitted))

    assert re.fullmatch(r"\d{12}", submitted.number)
    assert submitted.number in printed
    assert "TỜ KHAI HÀNG HÓA NHẬP KHẨU (THÔNG QUAN)" in printed


def test_vietnamese_text_keeps_its_diacritics(submitted, enterprise_a):
    printed = text(declaration_pdf(submitted))

    for words in ("Người nhập khẩu", "Người xuất khẩu", "Mì ăn liền", "Kẹo các loại",
                  "Nước mắm", enterprise_a.name, enterprise_a.address, "Đường bộ",
                  "Trung Quốc", "Mã số thuế", "Đã đăng ký"):
        assert words in printed


def test_export_declaration_puts_the_enterprise_as_exporter(make_declaration, declarant_a):
    declaration = detail(declarant_a, make_declaration(state="submitted", flow="export",
                                                       regime="B11"))

    printed = text(declaration_pdf(declaration))

    assert "TỜ KHAI HÀNG HÓA XUẤT KHẨU (THÔNG QUAN)" in printed
    assert printed.index("Người xuất khẩu") < printed.index("Người nhập khẩu")
    assert "Thuế XK" in printed


def test_registration_time_is_vietnam_local_time(submitted):
    submitted.submitted_at = datetime(2026, 3, 1, 20, 30, tzinfo=UTC)

    printed = text(declaration_pdf(submitted))

    assert "02/03/2026 03:30" in printed
    assert "01/03/2026 20:30" not in printed


def test_totals_are_the_stored_ones_written_the_vietnamese_way(submitted):
    assert submitted.total_duty_vnd > 1000 and submitted.vat_vnd > 1000

    printed = text(declaration_pdf(submitted))

    for amount in (submitted.customs_value_vnd, submitted.import_duty_vnd, submitted.vat_vnd,
                   submitted.total_duty_vnd, submitted.outstanding_vnd):
        assert vn(amount) in printed
    assert f"{vn(submitted.exchange_rate)} VND" in printed  # 1 USD = 26.180 VND
    assert "3.150,5 kg" in printed  # decimals after a comma
    assert "Tổng số thuế phải nộp" in printed


def test_line_figures_are_the_stored_ones(submitted):
    line = sorted(submitted.lines.all(), key=lambda line: line.line_no)[0]

    printed = text(declaration_pdf(submitted))

    assert line.tariff_line.hs_code in printed
    assert f"{vn(line.quantity)} {line.unit}" in printed  # 1.200 ...
    assert vn(line.customs_value_vnd) in printed
    assert vn(line.total_vnd) in printed


def test_other_taxes_get_a_column_only_where_a_line_bears_one(submitted):
    assert "Thuế khác" not in text(declaration_pdf(submitted))
    line = sorted(submitted.lines.all(), key=lambda line: line.line_no)[1]
    line.sct_vnd, line.ept_vnd = Decimal(4321000), Decimal(0)  # as stored for, say, beer

    printed = text(declaration_pdf(submitted))

    assert "Thuế khác" in printed
    assert "TTĐB 4.321.000" in printed
    assert "BVMT" not in printed


def test_channel_is_printed_with_its_vietnamese_label(declarant_a):
    # in document check, so that the state's own label is not the channel's
    declaration = detail(declarant_a, declaration_make(state="doc_check", user=declarant_a))
    assert declaration.channel == "yellow"

    printed = text(declaration_pdf(declaration))

    assert "Luồng vàng" in printed


def test_fifty_lines_paginate_with_the_header_on_every_page(declarant_a):
    declaration = detail(declarant_a, declaration_make(state="submitted", lines=50,
                                                       user=declarant_a))

    printed = pages(declaration_pdf(declaration))

    assert len(printed) > 1
    assert "Mô tả hàng hóa" in printed[1]  # the table's header row, repeated
    assert all(f"Trang {n}/{len(printed)}" in page for n, page in enumerate(printed, 1))
    assert all(declaration.number in page for page in printed)  # the footer
    whole = "\n".join(printed)
    assert "Nước mắm 48" in whole and "Mì ăn liền 49" in whole and "Kẹo các loại 50" in whole
    assert vn(declaration.total_duty_vnd) in printed[-1]


def test_a_draft_is_marked_and_has_no_number(make_declaration, declarant_a):
    draft = detail(declarant_a, make_declaration())

    printed = text(declaration_pdf(draft))

    assert draft.number is None
    assert DRAFT_MARK == "BẢN NHÁP — chưa đăng ký"
    assert DRAFT_MARK in printed
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", printed)


def test_fonts_are_embedded_dejavu_and_never_helvetica(submitted):
    data = declaration_pdf(submitted)
    reader = PdfReader(io.BytesIO(data))

    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert "DejaVu" in name
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
            else font
        assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded TrueType
    assert b"Helvetica" not in data


@pytest.mark.skipif(not shutil.which(PDFTOPPM), reason=f"{PDFTOPPM} not installed")
def test_bar_code_and_qr_code_are_drawn_beside_the_number(make_declaration, declarant_a,
                                                           tmp_path):
    from PIL import Image

    # Where the codes sit on page 1, as fractions of its width and height.
    bar_code, qr_code = (0.6, 0.1, 0.78, 0.15), (0.83, 0.11, 0.9, 0.17)

    def ink(declaration) -> list[float]:
        """The share of dark pixels in each box, the page rendered by poppler."""
        (tmp_path / "page.pdf").write_bytes(declaration_pdf(declaration))
        subprocess.run([PDFTOPPM, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile",
                        str(tmp_path / "page.pdf"), str(tmp_path / "page")], check=True)
        image = Image.open(tmp_path / "page.png").convert("L")
        width, height = image.size
        shares = []
        for left, top, right, bottom in (bar_code, qr_code):
            histogram = image.crop((int(width * left), int(height * top), int(width * right),
                                    int(height * bottom))).histogram()  # 256 grey levels
            shares.append(sum(histogram[:100]) / sum(histogram))
        return shares

    assert all(share > 0.25 for share in ink(detail(declarant_a,
                                                    make_declaration(state="submitted"))))
    assert all(share < 0.01 for share in ink(detail(declarant_a, make_declaration())))


def test_risk_reasons_never_appear(declarant_a, risk_officer):
    from declarations.risk.services import declaration_raise_channel

    declaration = declaration_make(state="yellow", user=declarant_a)
    secret = "Nghi vấn khai thấp trị giá so với giá tham chiếu"
    declaration_raise_channel(declaration=declaration, by=risk_officer, channel="red",
                              reason=secret)
    declaration = detail(declarant_a, declaration)
    assert any(event.reason == secret for event in declaration.events.all())

    printed = text(declaration_pdf(declaration))

    assert "Luồng đỏ" in printed
    assert secret not in printed
    assert "giá tham chiếu" not in printed


# --- the receipt ---------------------------------------------------------------------------------
def test_receipt_lists_each_payment_and_what_is_still_owed(make_declaration, declarant_a,
                                                           enterprise_a):
    declaration = make_declaration(state="submitted")
    first = (declaration.total_duty_vnd / 3).quantize(Decimal(1))
    services.declaration_pay(declaration=declaration, user=declarant_a, amount_vnd=first,
                             reference="KB-2026-000118")
    services.declaration_pay(declaration=declaration, user=declarant_a, amount_vnd=first,
                             reference="VCB-7781-2026")
    declaration = detail(declarant_a, declaration)

    printed = text(receipt_pdf(declaration))

    assert "BIÊN LAI / CHỨNG TỪ NỘP THUẾ" in printed
    assert declaration.number in printed
    assert enterprise_a.tax_code in printed and enterprise_a.name in printed
    assert "KB-2026-000118" in printed and "VCB-7781-2026" in printed
    assert vn(first) in printed
    assert vn(declaration.vat_vnd) in printed and vn(declaration.total_duty_vnd) in printed
    assert vn(2 * first) in printed  # paid
    assert vn(declaration.outstanding_vnd) in printed
    assert declaration.outstanding_vnd == declaration.total_duty_vnd - 2 * first


def test_receipt_is_refused_without_a_payment(submitted):
    with pytest.raises(ValueError):
        receipt_pdf(submitted)


def test_receipt_carries_a_qr_code_and_dejavu_only(make_declaration, declarant_a):
    declaration = make_declaration(state="submitted")
    services.declaration_pay(declaration=declaration, user=declarant_a,
                             amount_vnd=declaration.total_duty_vnd, reference="KB-2026-000119")
    data = receipt_pdf(detail(declarant_a, declaration))

    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()
    # the QR code's modules: hundreds of filled rectangles
    assert content.count(b" re") > 50
    assert b"Helvetica" not in data




