"""The printed declaration, in the layout of the official form (Circular 38/2015/TT-BTC as
amended by Circular 39/2018/TT-BTC), and the duty payment receipt, as PDF.

Always in Vietnamese, whatever the reader's language: the paper travels with the driver to the
gate and the warehouse. Every figure is the one stored on the declaration and its lines (what
the detail page shows); nothing is computed here. Risk information stops at the channel.
"""

import io
import threading
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from customs_core.choices import Flow
from customs_core.money import format_number

from .choices import DeclarationState

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
NARROW, NARROW_BOLD = "DejaVuSansCondensed", "DejaVuSansCondensed-Bold"
_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf",
               NARROW: "DejaVuSansCondensed.ttf", NARROW_BOLD: "DejaVuSansCondensed-Bold.ttf"}
_fonts_lock = threading.Lock()
_fonts_registered = False

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # the form's times are Vietnam's, whoever prints it
DRAFT_MARK = "BẢN NHÁP — chưa đăng ký"
MARGIN = 12 * mm
FOOTER_SPACE = 12 * mm
WIDTH = A4[0] - 2 * MARGIN  # the frame's width: 186 mm
GRID = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.92, 0.92, 0.92)
WATERMARK = colors.Color(0.93, 0.78, 0.78)


def fonts_register() -> None:
    """Register the embedded DejaVu fonts with reportlab once per process (a process-wide
    registry; the lock keeps two threads of one worker from racing on the first PDF)."""
    global _fonts_registered
    if _fonts_registered:
        return
    with _fonts_lock:
        if _fonts_registered:
            return
        for name, filename in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        # <b> in a paragraph looks the bold face up in the family: never a built-in font.
        pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                      boldItalic=BOLD)
        pdfmetrics.registerFontFamily(NARROW, normal=NARROW, bold=NARROW_BOLD, italic=NARROW,
                                      boldItalic=NARROW_BOLD)
        _fonts_registered = True


@cache
def _styles() -> dict[str, ParagraphStyle]:
    fonts_register()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=8, leading=10)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=13, leading=16,
                                alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=body, alignment=TA_CENTER),
        "draft": ParagraphStyle("draft", parent=body, fontName=BOLD, fontSize=11, leading=14,
                                alignment=TA_CENTER, textColor=colors.Color(0.75, 0.1, 0.1)),
        "heading": ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=9,
                                  leading=12, spaceBefore=4, spaceAfter=2),
        "label": ParagraphStyle("label", parent=body, fontSize=7, leading=9,
                                textColor=colors.Color(0.3, 0.3, 0.3)),
        "value": ParagraphStyle("value", parent=body, fontName=BOLD, fontSize=8, leading=10),
        "mono": ParagraphStyle("mono", parent=body, fontName=BOLD, fontSize=9, leading=11,
                               alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", parent=body, fontName=NARROW, fontSize=7, leading=8.5),
        "head": ParagraphStyle("head", parent=body, fontName=NARROW_BOLD, fontSize=6.5,
                               leading=8, alignment=TA_CENTER),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT),
        "number_bold": ParagraphStyle("number_bold", parent=body, fontName=BOLD,
                                      alignment=TA_RIGHT),
    }


# --- formatting (call inside translation.override("vi")) -------------------------------------
def _vnd(amount) -> str:
    """Whole dong, thousands with '.': "1.234.567"."""
    return format_number(Decimal(amount or 0).quantize(Decimal(1)))


def _number(value) -> str:
    return "—" if value is None else format_number(value)


def _percent(rate) -> str:
    return "—" if rate is None else f"{format_number(rate)}%"


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _datetime(value) -> str:
    return timezone.localtime(value, VIETNAM).strftime("%d/%m/%Y %H:%M") if value else "—"


def _text(value) -> str:
    """User text as paragraph markup."""
    return escape(str(value or ""))


def _place(row) -> str:
    """A reference row as the form prints it: code and Vietnamese name."""
    if row is None:
        return "—"
    return f"{getattr(row, 'code', None) or row.pk} — {row.name_vi}"


def _channel_label(channel: str) -> str:
    """"Luồng xanh", "Luồng vàng", "Luồng đỏ": the label of the state of the same name, the
    text the Vietnamese pages show once a declaration is routed."""
    if not channel:
        return "—"
    return str(DeclarationState(channel).label)


# --- page furniture ------------------------------------------------------------------------------
class _PagedCanvas(Canvas):
    """Keeps every page until save(), then draws the footer with "page x/y" on each."""

    def __init__(self, *args, footer: tuple[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for page, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            self._draw_footer(page, total)
            super().showPage()
        super().save()

    def _draw_footer(self, page: int, total: int) -> None:
        printed_at, reference = self._footer
        y = FOOTER_SPACE - 6 * mm
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.4)
        self.line(MARGIN, y + 3.5 * mm, A4[0] - MARGIN, y + 3.5 * mm)
        self.setFont(REGULAR, 7)
        self.setFillColor(colors.black)
        self.drawString(MARGIN, y, f"In từ hệ thống lúc {printed_at}")
        self.drawCentredString(A4[0] / 2, y, reference)
        self.drawRightString(A4[0] - MARGIN, y, f"Trang {page}/{total}")
        self.restoreState()


def _draw_watermark(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFillColor(WATERMARK)
    canvas.setFont(BOLD, 40)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, 0, DRAFT_MARK)
    canvas.restoreState()


def _no_decoration(canvas, doc) -> None:
    pass


def _build(flowables: list, *, title: str, reference: str, draft: bool = False) -> bytes:
    buffer = io.BytesIO()
    frame = Frame(MARGIN, FOOTER_SPACE, WIDTH, A4[1] - MARGIN - FOOTER_SPACE, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, author="Hải quan — Hệ thống khai báo",
                          creator="declarations.printing", initialFontName=REGULAR,
                          leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=FOOTER_SPACE)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_draw_watermark
                                       if draft else _no_decoration)])
    printed_at = _datetime(timezone.now())
    doc.build(flowables, canvasmaker=partial(_PagedCanvas, footer=(printed_at, reference)))
    return buffer.getvalue()


# --- blocks shared by both documents -----------------------------------------------------------
def _qr(value: str, size: float = 24 * mm) -> Drawing:
    """The QR code of `value`, `size` square with its quiet zone. Sized by the widget's own
    barWidth/barHeight: measuring its bounds would encode the symbol a second time."""
    # A drawing sets its font even with no text in it: DejaVu, not reportlab's Helvetica.
    drawing = Drawing(size, size, initialFontName=REGULAR)
    drawing.add(QrCodeWidget(value, barLevel="M", barWidth=size, barHeight=size))
    return drawing


def _barcode(value: str) -> Code128:
    return Code128(value, barWidth=0.33 * mm, barHeight=11 * mm, humanReadable=False,
                   quiet=False)


def _table(data: list, widths: list[float], commands: list, **kwargs) -> Table:
    """A table whose plain-string cells are in DejaVu too (reportlab's default is Helvetica,
    which has no Vietnamese glyphs)."""
    table = Table(data, colWidths=widths, **kwargs)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 8, 10), *commands]))
    return table


def _pairs(rows: list[tuple[str, str]], *, columns: int = 2,
           widths: tuple[float, float] = (30 * mm, 63 * mm), **kwargs) -> Table:
    """Label/value pairs in a ruled grid, `columns` pairs a row."""
    s = _styles()
    cells = [[Paragraph(label, s["label"]), Paragraph(value, s["value"])]
             for label, value in rows]
    cells += [["", ""]] * (-len(cells) % columns)
    data = [sum(cells[i:i + columns], []) for i in range(0, len(cells), columns)]
    return _table(data, list(widths) * columns, [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        *[("BACKGROUND", (2 * c, 0), (2 * c, -1), SHADE) for c in range(columns)],
    ], **kwargs)


def _duty_totals(d) -> Table:
    """Duties per tax, total, paid and outstanding: the stored figures."""
    s = _styles()
    rows = [
        ("Trị giá tính thuế", d.customs_value_vnd),
        ("Thuế nhập khẩu", d.import_duty_vnd),
        ("Thuế xuất khẩu", d.export_duty_vnd),
        ("Thuế bổ sung (chống bán phá giá, tự vệ...)", d.additional_duty_vnd),
        ("Thuế tiêu thụ đặc biệt", d.sct_vnd),
        ("Thuế bảo vệ môi trường", d.ept_vnd),
        ("Thuế giá trị gia tăng", d.vat_vnd),
    ]
    data = [[Paragraph(label, s["body"]), Paragraph(_vnd(amount), s["number"])]
            for label, amount in rows]
    data += [[Paragraph(f"<b>{label}</b>", s["body"]), Paragraph(_vnd(amount), s["number_bold"])]
             for label, amount in (("Tổng số thuế phải nộp", d.total_duty_vnd),
                                   ("Đã nộp", d.paid_vnd),
                                   ("Còn phải nộp", d.outstanding_vnd))]
    return _table(data, [70 * mm, 40 * mm], [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, len(rows)), (-1, len(rows)), SHADE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ], hAlign="RIGHT")


def _codes(number: str) -> Table:
    """Code128 over the number, the QR code beside."""
    s = _styles()
    return _table([[_barcode(number), _qr(number)], [Paragraph(number, s["mono"]), ""]],
                  [52 * mm, 27 * mm], [
                      ("SPAN", (1, 0), (1, 1)),
                      ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                      ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                      ("LEFTPADDING", (0, 0), (-1, -1), 0),
                      ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                  ])


# --- the declaration ---------------------------------------------------------------------------
def declaration_pdf(declaration) -> bytes:
    """The printed declaration (A4 portrait, goods table repeated header), as PDF bytes.

    `declaration` as declarations.selectors.declaration_detail_for returns it (lines,
    documents and payments prefetched; reference rows attached)."""
    with translation.override("vi"):
        d = declaration
        draft = not d.number
        flowables = _declaration_head(d, draft=draft)
        flowables += _declaration_parties(d)
        flowables += _goods_table(d)
        flowables += [Spacer(1, 3 * mm), KeepTogether([
            Paragraph("Tổng hợp thuế (VND)", _styles()["heading"]), _duty_totals(d)])]
        flowables += _declarant_line(d)
        flow = "NHẬP KHẨU" if d.flow == Flow.IMPORT else "XUẤT KHẨU"
        return _build(flowables, title=f"Tờ khai hàng hóa {flow.lower()} {d.number or ''}".strip(),
                      reference=f"Số tờ khai: {d.number}" if d.number else DRAFT_MARK,
                      draft=draft)


def _declaration_head(d, *, draft: bool) -> list:
    s = _styles()
    flow = "NHẬP KHẨU" if d.flow == Flow.IMPORT else "XUẤT KHẨU"
    head = [Paragraph(f"TỜ KHAI HÀNG HÓA {flow} (THÔNG QUAN)", s["title"])]
    if draft:
        head.append(Paragraph(DRAFT_MARK, s["draft"]))
    head.append(Spacer(1, 2 * mm))
    info = _pairs([
        ("Số tờ khai", _text(d.number) if d.number else "—"),
        ("Ngày đăng ký", _datetime(d.submitted_at)),
        ("Phân luồng", _channel_label(d.channel)),
        ("Trạng thái", _text(d.get_state_display())),
        ("Chi cục hải quan", _text(_place(d.office))),
        ("Cửa khẩu", _text(_place(d.border_gate))),
        ("Mã loại hình", _text(f"{d.regime_id} — {d.regime.name_vi}")),
        ("Số lần sửa đổi", str(d.amendment_count)),
    ], columns=1, widths=(28 * mm, 77 * mm), hAlign="LEFT")
    if draft:
        head.append(info)
    else:
        head.append(_table([[info, _codes(d.number)]], [105 * mm, WIDTH - 105 * mm], [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), 0)]))
    return head


def _declaration_parties(d) -> list:
    s = _styles()
    importing = d.flow == Flow.IMPORT
    ours, theirs = (("Người nhập khẩu", "Người xuất khẩu") if importing
                    else ("Người xuất khẩu", "Người nhập khẩu"))
    e = d.enterprise
    enterprise = Paragraph(
        f"<b>{ours}</b><br/>Mã số thuế: <b>{_text(e.tax_code)}</b><br/>{_text(e.name)}"
        f"<br/>{_text(e.address)}", s["body"])
    partner = Paragraph(
        f"<b>{theirs}</b><br/>{_text(d.partner_name)}<br/>"
        f"Nước: {_text(_place(d.trading_country))}", s["body"])
    parties = _table([[enterprise, partner]], [WIDTH / 2, WIDTH / 2], [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    currency = d.currency_id
    rows = [
        ("Phương thức vận chuyển", _text(d.get_transport_mode_display())),
        ("Phương tiện vận chuyển", _text(", ".join(d.vehicles)) or "—"),
        ("Số container", _text(", ".join(d.containers)) or "—"),
        ("Số hóa đơn", f"{_text(d.invoice_number)}, ngày {_date(d.invoice_date)}"),
        ("Điều kiện giao hàng", _text(d.incoterm)),
        ("Tổng trị giá hóa đơn", f"{_number(d.total_invoice_value)} {currency}"),
        ("Phí vận chuyển", f"{_number(d.freight)} {currency}"),
        ("Phí bảo hiểm", f"{_number(d.insurance)} {currency}"),
        ("Tổng trọng lượng", f"{_number(d.gross_weight_kg)} kg"),
        ("Số lượng kiện", _number(d.packages)),
        ("Tỷ giá tính thuế", f"1 {currency} = {_number(d.exchange_rate)} VND"
                             if d.exchange_rate else "—"),
    ]
    if d.bonded_warehouse_id:
        rows.append(("Kho ngoại quan", _text(_place(d.bonded_warehouse))))
    documents = [f"{doc.get_doc_type_display()} {doc.reference}".strip()
                 for doc in d.documents.all()]
    if documents:
        rows.append(("Chứng từ kèm theo", _text("; ".join(documents))))
    return [Spacer(1, 2 * mm), parties, Spacer(1, 2 * mm), _pairs(rows)]


# Goods table columns: width, header. The description takes what is left.
_GOODS_COLUMNS = [
    (7 * mm, "STT"),
    (15 * mm, "Mã HS<br/>Xuất xứ"),
    (None, "Mô tả hàng hóa"),
    (24 * mm, "Lượng<br/>Đơn giá<br/>Trị giá HĐ"),
    (22 * mm, "Trị giá tính thuế (VND)"),
    (22 * mm, "{duty}<br/>Thuế suất<br/>Tiền thuế"),
    (22 * mm, "Thuế khác (VND)"),
    (20 * mm, "Thuế GTGT<br/>Thuế suất<br/>Tiền thuế"),
    (22 * mm, "Tổng thuế (VND)"),
]
_OTHER_COLUMN = 6


def _other_taxes(line) -> str:
    """SCT, EPT and additional duties of a line, those not zero."""
    parts = [(code, amount) for code, amount in (("TTĐB", line.sct_vnd), ("BVMT", line.ept_vnd),
                                                  ("BS", line.additional_duty_vnd)) if amount]
    return "\n".join(f"{code} {_vnd(amount)}" for code, amount in parts)


def _goods_table(d) -> list:
    s = _styles()
    lines = sorted(d.lines.all(), key=lambda line: line.line_no)
    exporting = d.flow == Flow.EXPORT
    with_other = any(line.sct_vnd or line.ept_vnd or line.additional_duty_vnd for line in lines)
    columns = [c for i, c in enumerate(_GOODS_COLUMNS) if with_other or i != _OTHER_COLUMN]
    fixed = sum(width for width, _ in columns if width)
    widths = [width or WIDTH - fixed for width, _ in columns]
    duty = "Thuế XK" if exporting else "Thuế NK"
    data = [[Paragraph(header.format(duty=duty), s["head"]) for _, header in columns]]
    for line in lines:
        duty_vnd = line.export_duty_vnd if exporting else line.import_duty_vnd
        origin = line.origin_country
        description = _text(line.description)
        if line.preferential_claimed:
            description += " <font size=6>(C/O)</font>"
        row = [
            str(line.line_no),
            f"{line.tariff_line.hs_code}\n{getattr(origin, 'code', line.origin_country_id)}",
            Paragraph(description, s["cell"]),
            f"{_number(line.quantity)} {line.unit}\n{_number(line.unit_price)}\n"
            f"{_number(line.line_value)} {d.currency_id}",
            _vnd(line.customs_value_vnd),
            f"{line.duty_schedule} {_percent(line.duty_rate)}".strip() + f"\n{_vnd(duty_vnd)}",
            *([_other_taxes(line)] if with_other else []),
            f"{_percent(line.vat_rate)}\n{_vnd(line.vat_vnd)}",
            _vnd(line.total_vnd),
        ]
        data.append(row)
    table = _table(data, widths, [
        ("FONT", (0, 1), (-1, -1), NARROW, 7, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ], repeatRows=1)
    return [Spacer(1, 2 * mm),
            Paragraph(f"Danh sách hàng hóa ({len(lines)} dòng hàng)", s["heading"]), table]


def _declarant_line(d) -> list:
    declarant = d.declarant
    name = declarant.get_full_name() or declarant.username
    return [Spacer(1, 4 * mm),
            Paragraph(f"Người khai hải quan: <b>{_text(name)}</b> — {_text(d.enterprise.name)}",
                      _styles()["body"])]


# --- the receipt ---------------------------------------------------------------------------------
def receipt_pdf(declaration) -> bytes:
    """The duty payment receipt: each payment, the duties assessed, paid and outstanding.

    ValueError when the declaration has no payment (there is nothing to acknowledge)."""
    payments = sorted(declaration.payments.all(), key=lambda p: (p.paid_at, p.pk))
    if not payments:
        raise ValueError(f"declaration {declaration.pk} has no duty payment")
    with translation.override("vi"):
        d = declaration
        s = _styles()
        number = d.number or ""
        head = [Paragraph("BIÊN LAI / CHỨNG TỪ NỘP THUẾ", s["title"]),
                Paragraph("Thuế xuất khẩu, nhập khẩu và các khoản thu khác của tờ khai hải quan",
                          s["subtitle"]), Spacer(1, 3 * mm)]
        info = _pairs([
            ("Số tờ khai", _text(number) or "—"),
            ("Ngày đăng ký", _datetime(d.submitted_at)),
            ("Mã số thuế", _text(d.enterprise.tax_code)),
            ("Người nộp thuế", _text(d.enterprise.name)),
            ("Chi cục hải quan", _text(_place(d.office))),
            ("Mã loại hình", _text(f"{d.regime_id} — {d.regime.name_vi}")),
        ], columns=1, widths=(30 * mm, 120 * mm))
        top = _table([[info, _qr(number) if number else ""]], [150 * mm, WIDTH - 150 * mm], [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
        rows = [[Paragraph(header, s["head"]) for header in
                 ("STT", "Số chứng từ / tham chiếu", "Thời gian nộp", "Số tiền (VND)")]]
        rows += [[str(n), Paragraph(_text(p.reference), s["cell"]), _datetime(p.paid_at),
                  _vnd(p.amount_vnd)] for n, p in enumerate(payments, 1)]
        paid = _table(rows, [10 * mm, 86 * mm, 40 * mm, 50 * mm], [
            ("FONT", (0, 1), (-1, -1), NARROW, 8, 10),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (3, 1), (3, -1), "RIGHT"),
        ], repeatRows=1)
        flowables = [*head, top, Spacer(1, 3 * mm),
                     Paragraph("Các lần nộp thuế", s["heading"]), paid, Spacer(1, 3 * mm),
                     KeepTogether([Paragraph("Số thuế phải nộp và đã nộp (VND)", s["heading"]),
                                   _duty_totals(d)])]
        return _build(flowables, title=f"Biên lai nộp thuế {number}".strip(),
                      reference=f"Số tờ khai: {number}")
