"""The monthly stock report of a warehouse: per item, the opening balance, what came in, what
went out, the closing balance; read from the ledger alone (one aggregate over the month's and
earlier rows on the (warehouse, at) index), and written as CSV or XLSX (openpyxl)."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from customs_core.models import BondedWarehouse

from .models import StockItem, StockMovement

ZERO = Decimal(0)


@dataclass(frozen=True)
class ReportRow:
    item_id: int
    lot: str
    owner: str
    owner_tax_code: str
    hs_code: str
    description: str
    unit: str
    opening: Decimal
    entered: Decimal
    exited: Decimal  # as a positive quantity

    @property
    def closing(self) -> Decimal:
        return self.opening + self.entered - self.exited


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the branch's time zone."""
    start = date(month.year, month.month, 1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), zone),
            timezone.make_aware(datetime.combine(end, time.min), zone))


def monthly_report(warehouse: BondedWarehouse, month: date, *,
                   owner_id: int | None = None) -> list[ReportRow]:
    start, end = month_bounds(month)
    movements = StockMovement.objects.filter(warehouse=warehouse, at__lt=end)
    if owner_id is not None:
        movements = movements.filter(item__owner_id=owner_id)
    sums = (movements.values("item_id")
            .annotate(opening=Sum("quantity", filter=Q(at__lt=start)),
                      entered=Sum("quantity", filter=Q(at__gte=start, quantity__gt=0)),
                      exited=Sum("quantity", filter=Q(at__gte=start, quantity__lt=0))))
    figures = {row["item_id"]: row for row in sums}
    items = StockItem.objects.filter(pk__in=figures).select_related("owner", "tariff_line")
    rows = []
    for item in items:
        row = figures[item.pk]
        opening, entered = row["opening"] or ZERO, row["entered"] or ZERO
        exited = -(row["exited"] or ZERO)
        if opening or entered or exited:
            rows.append(ReportRow(item_id=item.pk, lot=item.lot, owner=item.owner.name,
                                  owner_tax_code=item.owner.tax_code,
                                  hs_code=item.tariff_line.hs_code, description=item.description,
                                  unit=item.unit, opening=opening, entered=entered,
                                  exited=exited))
    rows.sort(key=lambda r: (r.hs_code, r.lot, r.item_id))
    return rows


def _headings() -> list[str]:
    return [_("Lot"), _("Owner"), _("Tax code"), _("HS code"), _("Description"), _("Unit"),
            _("Opening"), _("In"), _("Out"), _("Closing")]


def _cells(row: ReportRow) -> list:
    return [row.lot, row.owner, row.owner_tax_code, row.hs_code, row.description, row.unit,
            row.opening, row.entered, row.exited, row.closing]


def report_csv(warehouse: BondedWarehouse, month: date, rows: list[ReportRow]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens the Vietnamese text as written."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headings())
    for row in rows:
        writer.writerow(_cells(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(warehouse: BondedWarehouse, month: date, rows: list[ReportRow]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=f"{warehouse.code} {month:%Y-%m}")
    bold = Font(bold=True)
    sheet.append([_("Monthly stock report"), warehouse.code, warehouse.name, f"{month:%m/%Y}"])
    sheet.append([])
    sheet.append([_cell(sheet, text, font=bold) for text in _headings()])
    for row in rows:
        cells = _cells(row)
        sheet.append(cells[:6] + [_cell(sheet, value, number_format="#,##0.###")
                                  for value in cells[6:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
