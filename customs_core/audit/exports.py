"""The search's events as CSV (streamed: any number of rows) or XLSX (up to XLSX_MAX_ROWS),
headings in the reader's language, times in the branch's time zone."""

import csv
import json
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from customs_core.choices import Role

from .choices import AuditAction
from .models import AuditEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is built in memory and on disk while the request waits: past this, CSV (streamed).
XLSX_MAX_ROWS = 100_000
CHUNK = 2000
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): usernames,
# labels and user agents are typed by people, so such a cell is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACTIONS = dict(AuditAction.choices)
ROLES = dict(Role.choices)


def headings() -> list[str]:
    return [_("When"), _("Username"), _("Role"), _("Action"), _("Action code"),
            _("Object type"), _("Object id"), _("Object"), _("Details"), _("IP address"),
            _("Browser or client"), _("Request id")]


def _row(event: AuditEvent) -> list:
    return [timezone.localtime(event.occurred_at).replace(tzinfo=None), event.actor_username,
            str(ROLES.get(event.actor_role, event.actor_role)),
            str(ACTIONS.get(event.action, event.action)), event.action, event.object_type,
            event.object_id, event.object_label,
            json.dumps(event.details, ensure_ascii=False, sort_keys=True)
            if event.details else "", event.ip_address or "", event.user_agent,
            event.request_id]


def _text(value) -> str:
    text = value.strftime("%d/%m/%Y %H:%M:%S") if hasattr(value, "strftime") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """csv.writer's file: hands back the line it was given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(events) -> Iterator[str]:
    """UTF-8 with a BOM (else Excel reads the Vietnamese as mojibake), one line at a time."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(headings())
    for event in events.iterator(chunk_size=CHUNK):
        yield writer.writerow([_text(value) for value in _row(event)])


def csv_response(events, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse((line.encode("utf-8") for line in csv_lines(events)),
                                     content_type="text/csv; charset=utf-8")
    return _private(response, name)


def xlsx_response(events, name: str) -> FileResponse:
    """A write-only workbook (rows go to disk as they come, not kept in memory)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Access audit")[:31])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKL", (19, 16, 18, 28, 22, 24, 10, 24, 50, 16, 30, 20),
                             strict=True):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)
    sheet.append([_cell(sheet, heading, font=bold) for heading in headings()])
    for event in events.iterator(chunk_size=CHUNK):
        values = _row(event)
        cells = [_cell(sheet, values[0], number_format="dd/mm/yyyy hh:mm:ss")]
        cells += [_cell(sheet, _formula_safe(value)) for value in values[1:]]
        sheet.append(cells)
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX)
    return _private(response, name)


def _formula_safe(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _cell(sheet, value, *, font=None, number_format=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _private(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Who read what: never kept by a shared cache, never sniffed into something else.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_name(extension: str) -> str:
    return f"access-audit-{timezone.localtime():%Y%m%d-%H%M%S}.{extension}"

