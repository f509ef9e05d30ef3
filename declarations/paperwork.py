"""Files a declarant takes away or brings: the printed declaration and its duty receipt, the
goods lines as a spreadsheet (template, export, import). The pages and the API answer with the
same files and the same refusals."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from customs_core.exceptions import FieldErrors, StateConflict

from . import printing, spreadsheet
from .choices import DeclarationErrorCode
from .models import Declaration

SHEET_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8"}
# Multipart framing around a 2 MB file; anything larger is refused before it is read.
UPLOAD_OVERHEAD = 64 * 1024


def upload_too_big_message() -> str:
    return _("The spreadsheet is larger than %(mb)d MB: a declaration's 50 goods lines fit in "
             "a few kilobytes.") % {"mb": spreadsheet.MAX_SPREADSHEET_BYTES // (1024 * 1024)}


def upload_too_big(request) -> bool:
    """The declared body is larger than any goods-line spreadsheet (checked before reading)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > spreadsheet.MAX_SPREADSHEET_BYTES + UPLOAD_OVERHEAD


def spreadsheet_too_big(request) -> Response | None:
    """The API's 413 for an oversized upload, or None."""
    if upload_too_big(request):
        return Response({"detail": upload_too_big_message()},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return None


def rows_from_upload(file) -> tuple[list[dict], dict]:
    """Every row of the spreadsheet as a goods line (bad values kept as typed) and the errors
    per row; a file that is not a usable spreadsheet is a field error on "file"."""
    try:
        rows = spreadsheet.read_rows(file)
    except spreadsheet.SheetError as exc:
        raise ValidationError({"file": [exc.message]}) from exc
    return spreadsheet.rows_check(rows)


def lines_from_upload(file, *, valid_only: bool) -> tuple[list[dict], dict]:
    """The rows to import and the rows left out: every row must pass unless `valid_only`."""
    lines, errors = rows_from_upload(file)
    good = [line for line in lines if line["row"] not in errors]
    if errors and (not valid_only or not good):
        summary = (_("No row of the spreadsheet can be imported.") if not good else
                   _("%(bad)d rows have errors, nothing was imported; correct them, or import "
                     "the %(good)d valid rows only.") % {"bad": len(errors), "good": len(good)})
        raise FieldErrors({"file": [summary, *spreadsheet.row_messages(errors)],
                           "rows": {str(row): columns for row, columns in errors.items()}})
    return good, errors


def lines_file_response(declaration: Declaration | None, kind: str | None) -> HttpResponse:
    """The goods-line template (declaration None) or a declaration's lines, XLSX or CSV."""
    kind = kind if kind in SHEET_TYPES else "xlsx"
    if declaration is None:
        content = spreadsheet.template_xlsx() if kind == "xlsx" else spreadsheet.template_csv()
        name = f"goods-lines-template.{kind}"
    else:
        lines = list(declaration.lines.all())
        content = spreadsheet.lines_xlsx(lines) if kind == "xlsx" \
            else spreadsheet.lines_csv(lines)
        name = f"goods-lines-{declaration.number or f'draft-{declaration.pk}'}.{kind}"
    return _attachment(content, SHEET_TYPES[kind], name)


def declaration_pdf_response(declaration: Declaration) -> HttpResponse:
    name = f"declaration-{declaration.number or f'draft-{declaration.pk}'}.pdf"
    return _inline_pdf(printing.declaration_pdf(declaration), name)


def receipt_pdf_response(declaration: Declaration) -> HttpResponse:
    if not declaration.payments.all():
        raise StateConflict(_("No payment is recorded on this declaration yet."),
                            code=DeclarationErrorCode.NOTHING_PAID,
                            current_state=declaration.state)
    return _inline_pdf(printing.receipt_pdf(declaration),
                       f"receipt-{declaration.number}.pdf")


def _inline_pdf(content: bytes, name: str) -> HttpResponse:
    return _file(content, "application/pdf", name, disposition="inline")


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    return _file(content, content_type, name, disposition="attachment")


def _file(content: bytes, content_type: str, name: str, *, disposition: str) -> HttpResponse:
    """A generated file, never cached nor sniffed (it holds one enterprise's declaration)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
