"""The monthly stock report of a warehouse: per lot, the opening balance, what came in, what
went out, the closing balance; read from the ledger and the balances alone (one statement, see
REPORT_SQL), and written as CSV or XLSX (openpyxl)."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from customs_core.models import BondedWarehouse

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


# One statement (one snapshot, so a movement committed meanwhile cannot skew it): the lots of
# the warehouse that hold stock now or moved since the month began, with the sums of their
# movements since then. The opening is today's balance less what moved since the month began
# (the ledger's sum is the balance), so only the rows since the month began are read, on the
# (warehouse, at) index, however long the warehouse's history.
REPORT_SQL = """
SELECT i.id, i.lot, o.name, o.tax_code, t.hs_code, i.description, i.unit, i.quantity,
       COALESCE(m.since, 0), COALESCE(m.entered, 0), COALESCE(m.exited, 0)
FROM warehouses_stockitem i
JOIN customs_core_enterprise o ON o.id = i.owner_id
JOIN customs_core_tariffline t ON t.id = i.tariff_line_id
LEFT JOIN (
    SELECT item_id, SUM(quantity) AS since,
           SUM(quantity) FILTER (WHERE at < %(end)s AND quantity > 0) AS entered,
           SUM(quantity) FILTER (WHERE at < %(end)s AND quantity < 0) AS exited
    FROM warehouses_stockmovement
    WHERE warehouse_id = %(warehouse)s AND at >= %(start)s
    GROUP BY item_id
) m ON m.item_id = i.id
WHERE i.warehouse_id = %(warehouse)s AND (i.quantity <> 0 OR m.item_id IS NOT NULL)
      {owner}
"""


def _decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


def monthly_report(warehouse: BondedWarehouse, month: date, *,
                   owner_id: int | None = None) -> list[ReportRow]:
    start, end = month_bounds(month)
    params = {"warehouse": warehouse.pk, "start": start, "end": end, "owner": owner_id}
    sql = REPORT_SQL.format(owner="AND i.owner_id = %(owner)s" if owner_id is not None else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for (pk, lot, owner, tax_code, hs_code, description, unit, quantity, since, entered,
         exited) in fetched:
        opening = _decimal(quantity) - _decimal(since)
        entered, exited = _decimal(entered), -_decimal(exited)
        if opening or entered or exited:
            rows.append(ReportRow(item_id=pk, lot=lot, owner=owner, owner_tax_code=tax_code,
                                  hs_code=hs_code, description=description, unit=unit,
                                  opening=opening, entered=entered, exited=exited))
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_download(warehouse: BondedWarehouse, month: date, rows: list[ReportRow],
                    kind: str) -> HttpResponse:
    """The report as a file, "csv" or "xlsx" (the API and the pages' download links)."""
    if kind == "csv":
        body, content_type = report_csv(warehouse, month, rows), "text/csv; charset=utf-8"
    else:
        body, content_type = report_xlsx(warehouse, month, rows), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (f'attachment; filename="stock-{warehouse.code}-'
                                       f'{month:%Y-%m}.{kind}"')
    return response
