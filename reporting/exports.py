"""XLSX exports of the branch dashboard: asked for on a page or through the API, built by a
Celery task (reporting.tasks.report_export_task) from the very figures the dashboard shows
(selectors.dashboard), one sheet per figure, headings in the requester's language, numbers as
numbers. Only leaders export: the workbook names enterprises and the branch's totals."""

import io
import logging
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from customs_core.choices import Flow
from customs_core.exceptions import StateConflict
from customs_core.models import BorderGate, Regime
from customs_core.roles import TEAM_LEADER_ROLES

from . import selectors
from .forms import filters_from
from .models import ReportChannel, ReportExport, Segment
from .selectors import ReportFilters
from .tasks import report_export_task

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNT, VND, USD, PERCENT, DURATION = "#,##0", "#,##0", "#,##0.00", "0.0%", "[h]:mm:ss"
DAY, MONTH = "dd/mm/yyyy", "mm/yyyy"
BOLD = Font(bold=True)
# Characters Excel refuses in a sheet's title (and its 31-character limit).
TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


class ReportErrorCode(models.TextChoices):
    EXPORT_NOT_READY = "export_not_ready", gettext_lazy("The export is not ready")


class ExportRefused(Exception):
    """The export cannot be built as asked (its filters no longer hold, the requester is no
    longer a leader)."""


def export_request(*, user, filters: ReportFilters) -> ReportExport:
    """Queue an XLSX export of the dashboard for these filters (leaders only); the row is
    the export's state, the task builds the file once the row is committed."""
    if user.role not in TEAM_LEADER_ROLES:
        raise PermissionDenied(_("Only leaders export the branch's figures."))
    with transaction.atomic():
        export = ReportExport.objects.create(requested_by=user, filters=filters.as_params())
        export_id = export.pk

        def publish_export():
            # A named function, not functools.partial: when the publish fails, Django's robust
            # on_commit logs func.__qualname__, which a partial does not have (it would raise).
            report_export_task.delay(export_id)

        transaction.on_commit(publish_export, robust=True)
    return export


def export_visible_to(user) -> QuerySet[ReportExport]:
    """The exports a user asked for (nobody reads another's, leaders neither)."""
    return ReportExport.objects.filter(requested_by=user).order_by("-created_at", "-pk")


def export_build(export_id: int) -> None:
    """Build an export's workbook sheet by sheet, recording the progress; the row ends done
    with its file, or failed with the error (logged). A second delivery of the task finds it
    done and does nothing."""
    rows = ReportExport.objects.filter(pk=export_id)
    if not rows.exclude(state=ReportExport.State.DONE).update(
            state=ReportExport.State.RUNNING, progress=0, error=""):
        return  # built already, or deleted
    export = rows.select_related("requested_by").get()
    try:
        content = _workbook(export, progress=lambda percent: rows.update(progress=percent))
        export.file.save(_file_name(export), ContentFile(content), save=False)
    except ExportRefused as refusal:
        logger.warning("report export %s refused: %s", export_id, refusal)
        rows.update(state=ReportExport.State.FAILED, error=str(refusal),
                    finished_at=timezone.now())
        return
    except Exception as error:  # whatever it was, the row must say it failed
        logger.exception("report export %s failed", export_id)
        rows.update(state=ReportExport.State.FAILED, error=f"{type(error).__name__}: {error}",
                    finished_at=timezone.now())
        return
    rows.update(state=ReportExport.State.DONE, progress=100, file=export.file.name,
                finished_at=timezone.now())


def export_file_response(export: ReportExport) -> FileResponse:
    """The export's workbook as a download (the API and the pages); 409 until it is built."""
    if export.state != ReportExport.State.DONE:
        raise StateConflict(_("The export is not ready yet: it is %(state)s.")
                            % {"state": export.get_state_display()},
                            code=ReportErrorCode.EXPORT_NOT_READY, current_state=export.state)
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:  # removed from the storage since: gone for the user too
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=export.file.name.rsplit("/", 1)[-1])
    # The branch's figures: never kept by a shared cache, never sniffed into something else.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_name(export: ReportExport) -> str:
    params = export.filters
    return f"report-{params.get('date_from')}-{params.get('date_to')}-{export.pk}.xlsx"


def _workbook(export: ReportExport, *, progress: Callable[[int], object]) -> bytes:
    user = export.requested_by
    with translation.override(user.language or settings.LANGUAGE_CODE):
        if user.role not in TEAM_LEADER_ROLES:  # demoted since asking: nothing of the branch
            raise ExportRefused(_("The requester no longer reads the branch's figures."))
        filters, errors = filters_from(export.filters)
        if errors:
            raise ExportRefused("; ".join(f"{field}: {' '.join(messages)}"
                                          for field, messages in errors.items()))
        figures = selectors.dashboard(filters)
        book = Workbook()
        book.remove(book.active)
        for done, sheet in enumerate(SHEETS, start=1):
            sheet(book, figures)
            progress(round(99 * done / len(SHEETS)))  # 100 once the file is saved
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


# --- cells -------------------------------------------------------------------------------------
def _sheet(book: Workbook, title: str, widths: list[int]) -> Worksheet:
    sheet = book.create_sheet(title=title.translate(TITLE_FORBIDDEN)[:31])
    for n, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + n)].width = width
    return sheet


def _append(sheet: Worksheet, values: list, formats: list | None = None, *,
            bold: bool = False) -> None:
    sheet.append(values)
    for cell, number_format in zip(sheet[sheet.max_row], formats or [None] * len(values),
                                   strict=False):
        if number_format and cell.value is not None:
            cell.number_format = number_format
        if bold:
            cell.font = BOLD


def _table(sheet: Worksheet, headings: list[str], rows: list[list], formats: list) -> None:
    """Headings in bold on the first row (kept in view when scrolling), then the rows."""
    _append(sheet, headings, bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        _append(sheet, row, formats)


def _duration(seconds) -> timedelta | None:
    """Whole seconds, as the dashboard shows them, in Excel's duration format."""
    return None if seconds is None else timedelta(seconds=round(seconds))


def _share(percent) -> float | None:
    return None if percent is None else percent / 100


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _channel(code: str) -> str:
    return str(ReportChannel(code).label) if code else _("All channels")


def _flow(code: str) -> str:
    return str(Flow(code).label) if code else _("Imports and exports")


# --- sheets, one per figure of the dashboard ----------------------------------------------------
def _totals(book: Workbook, figures: dict) -> None:
    f: ReportFilters = figures["filters"]
    t, satisfaction = figures["totals"], figures["satisfaction"]
    sheet = _sheet(book, _("Totals"), [44, 22])
    regime = Regime.objects.filter(pk=f.regime).first() if f.regime else None
    gate = BorderGate.objects.filter(pk=f.border_gate).first() if f.border_gate else None
    _append(sheet, [_("Branch dashboard")], bold=True)
    _append(sheet, [_("From"), f.date_from], [None, DAY])
    _append(sheet, [_("To"), f.date_to], [None, DAY])
    _append(sheet, [_("Flow"), _flow(f.flow)])
    _append(sheet, [_("Regime"), str(regime) if regime else _("All regimes")])
    _append(sheet, [_("Border gate"), str(gate) if gate else _("All border gates")])
    sheet.append([])
    rows = [
        (_("Declarations registered"), t["registered"], COUNT),
        (_("Declarations cleared"), t["cleared"], COUNT),
        (_("Turnover (USD)"), t["invoice_usd"], USD),
        (_("Duties assessed (VND)"), t["total_duty_vnd"], VND),
        (_("Budget revenue collected (VND)"), t["collected_vnd"], VND),
        (_("Green channel"), t["channels"]["green"], COUNT),
        (_("Yellow channel"), t["channels"]["yellow"], COUNT),
        (_("Red channel"), t["channels"]["red"], COUNT),
        (_("Green channel share"), _share(t["green_share"]), PERCENT),
        (_("Document checks started"), t["document_checks"], COUNT),
        (_("Physical inspections started"), t["inspections"], COUNT),
        (_("Checks concluded"), t["checks_concluded"], COUNT),
        (_("Checks that found a violation"), t["checks_with_violation"], COUNT),
        (_("Inspection hit rate"), _share(t["hit_rate"]), PERCENT),
        (_("Violations found"), t["violations"], COUNT),
        (_("Penalties (VND)"), t["penalties_vnd"], VND),
    ]
    if satisfaction is not None:
        rows += [(_("Service ratings"), satisfaction["ratings"], COUNT),
                 (_("Satisfaction index (0-100)"), satisfaction["index"], "0.0")]
    _append(sheet, [_("Figure"), _("Value")], bold=True)
    for label, value, number_format in rows:
        _append(sheet, [label, value], [None, number_format])


def _monthly(book: Workbook, figures: dict) -> None:
    sheet = _sheet(book, _("By month"), [12, 16, 20, 24, 16, 20, 24])
    _table(sheet, [_("Month"), _("Declarations"), _("Turnover (USD)"), _("Revenue (VND)"),
                   _("Declarations a year before"), _("Turnover a year before (USD)"),
                   _("Revenue a year before (VND)")],
           [[_month(m["month"]), m["declarations"], m["turnover_usd"], m["revenue_vnd"],
             m["previous_declarations"], m["previous_turnover_usd"], m["previous_revenue_vnd"]]
            for m in figures["monthly"]],
           [MONTH, COUNT, USD, VND, COUNT, USD, VND])


def _channel_mix(book: Workbook, figures: dict) -> None:
    sheet = _sheet(book, _("Channel mix"), [12, 14, 14, 14])
    _table(sheet, [_("Month"), _channel("green"), _channel("yellow"), _channel("red")],
           [[_month(m["month"]), m["green"], m["yellow"], m["red"]]
            for m in figures["channel_mix"]],
           [MONTH, COUNT, COUNT, COUNT])


FIGURE_FORMATS = [COUNT, DURATION, DURATION, DURATION]


def _figure_cells(row: dict) -> list:
    return [row["count"], _duration(row["mean_seconds"]), _duration(row["median_seconds"]),
            _duration(row["p90_seconds"])]


def _figure_headings() -> list[str]:
    return [_("Declarations"), _("Mean"), _("Median"), _("90th percentile")]


def _time_release(book: Workbook, figures: dict) -> None:
    sheet = _sheet(book, _("Time release"), [18, 36, 14, 14, 14, 16])
    _table(sheet, [_("Channel"), _("Segment"), *_figure_headings()],
           [[_channel(row["channel"]), str(Segment(row["segment"]).label), *_figure_cells(row)]
            for row in figures["time_release"]],
           [None, None, *FIGURE_FORMATS])


def _clearance(book: Workbook, figures: dict) -> None:
    sheet = _sheet(book, _("Clearance time"), [18, 22, 14, 14, 14, 16])
    _table(sheet, [_("Channel"), _("Flow"), *_figure_headings()],
           [[_channel(row["channel"]), _flow(row["flow"]), *_figure_cells(row)]
            for row in figures["clearance"]],
           [None, None, *FIGURE_FORMATS])


def _top(book: Workbook, title: str, heading: str, rows: list[dict]) -> None:
    sheet = _sheet(book, title, [8, 48, 14, 20])
    _table(sheet, [_("Rank"), heading, _("Declarations"), _("Turnover (USD)")],
           [[rank, row["label"], row["declarations"], row["invoice_usd"]]
            for rank, row in enumerate(rows, start=1)],
           [COUNT, None, COUNT, USD])


def _top_chapters(book: Workbook, figures: dict) -> None:
    _top(book, _("Top HS chapters"), _("HS chapter"), figures["top_chapters"])


def _top_enterprises(book: Workbook, figures: dict) -> None:
    _top(book, _("Top enterprises"), _("Enterprise"), figures["top_enterprises"])


def _revenue(book: Workbook, figures: dict) -> None:
    r = figures["revenue"]
    sheet = _sheet(book, _("Budget revenue"), [44, 24])
    profile = (_("last year's monthly profile") if r["profile"] == "last_year"
               else _("the days elapsed (no revenue last year)"))
    _append(sheet, [_("Figure"), _("Value")], bold=True)
    sheet.freeze_panes = "A2"
    for label, value, number_format in [
            (_("Year"), r["year"], "0"),
            (_("Target (VND)"), r["target_vnd"], VND),
            (_("Collected to date (VND)"), r["collected_vnd"], VND),
            (_("Projected for the year (VND)"), r["projected_vnd"], VND),
            (_("Target reached to date"), _share(r["percent_to_date"]), PERCENT),
            (_("Target reached, projected"), _share(r["percent_projected"]), PERCENT),
            (_("Projected from"), profile, None)]:
        _append(sheet, [label, value], [None, number_format])


SHEETS = (_totals, _monthly, _channel_mix, _time_release, _clearance, _top_chapters,
          _top_enterprises, _revenue)
