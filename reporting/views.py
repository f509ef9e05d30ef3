"""The reporting pages (DESIGN.md §8): the leaders' dashboard, its filters applied in place (htmx
swaps the figures and the address follows), each chart's figures as CSV, the whole dashboard
as an XLSX built by a Celery task with its progress, the branch leader's revenue targets, and an
enterprise's own statistics.

Every figure on these pages is `serializing.plain()` of a selector: the JSON the reports API
returns and the exports write. The pages only format it, so a tile never shows a number the
API would not."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customs_core.choices import Flow
from customs_core.models import CustomsOffice
from customs_core.money import format_money, format_number
from customs_core.roles import BRANCH_LEADER_ROLES, ENTERPRISE_ROLES, TEAM_LEADER_ROLES
from customs_core.templatetags.customs import minutes

from . import exports, selectors, services
from .forms import ReportFilterForm, TargetForm
from .models import ReportChannel, ReportExport, RevenueTarget, Segment
from .serializing import plain

# Team leaders and the branch leader read the branch's figures; other officers do not.
DASHBOARD_ROLES = TEAM_LEADER_ROLES
TARGET_YEARS_SHOWN = 5
LATEST_EXPORTS = 5


def _require(request, roles) -> None:
    if getattr(request.user, "role", None) not in roles:
        raise PermissionDenied


def _may_set_targets(request) -> bool:
    return request.user.role in BRANCH_LEADER_ROLES


def _htmx(request) -> bool:
    """An htmx request for the figures only; restoring a page from history asks for all of it."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


# --- formatting ---------------------------------------------------------------------------------
def _month(value: str) -> str:
    """"2026-03" as the branch writes it: 03/2026."""
    return f"{value[5:7]}/{value[:4]}"


def _labels() -> dict[str, dict[str, str]]:
    """The words for the codes of the figures, in the page's language."""
    return {"channel": {**{k: str(v) for k, v in ReportChannel.choices}, "": _("All channels")},
            "segment": {k: str(v) for k, v in Segment.choices},
            "flow": {**{k: str(v) for k, v in Flow.choices}, "": _("Imports and exports")}}


def _shown(kind: str, value, labels: dict) -> str:
    """A plain value on the page, in the page's language."""
    if kind in labels:
        return str(labels[kind].get(value, value))
    if value is None or value == "":
        return "—"
    if kind in ("usd", "vnd"):
        return format_money(Decimal(value), kind.upper())
    if kind == "count":
        return format_number(value)
    if kind == "seconds":
        return minutes(int(value) // 60)
    if kind == "month":
        return _month(value)
    return str(value)


# --- the tables behind the charts: CSV columns and the pages' data tables -----------------------
NUMERIC = {"count", "usd", "vnd", "seconds"}
CSV_CHARTS = ("monthly", "channel_mix", "time_release", "clearance", "top_chapters",
              "top_enterprises")


def _columns(chart: str) -> list[tuple[str, str, str]]:
    """(key of the plain row, heading, kind) of each column of a chart's table."""
    times = [("count", _("Declarations"), "count"), ("mean_seconds", _("Mean"), "seconds"),
             ("median_seconds", _("Median"), "seconds"),
             ("p90_seconds", _("90th percentile"), "seconds")]
    top = [("declarations", _("Declarations"), "count"), ("invoice_usd", _("Value"), "usd")]
    return {
        "monthly": [("month", _("Month"), "month"), ("declarations", _("Declarations"), "count"),
                    ("turnover_usd", _("Turnover"), "usd"),
                    ("revenue_vnd", _("Budget revenue"), "vnd"),
                    ("previous_declarations", _("Declarations a year before"), "count"),
                    ("previous_turnover_usd", _("Turnover a year before"), "usd"),
                    ("previous_revenue_vnd", _("Budget revenue a year before"), "vnd")],
        "channel_mix": [("month", _("Month"), "month"), ("green", _("Green"), "count"),
                        ("yellow", _("Yellow"), "count"), ("red", _("Red"), "count")],
        "time_release": [("channel", _("Channel"), "channel"),
                         ("segment", _("Segment"), "segment"), *times],
        "clearance": [("channel", _("Channel"), "channel"), ("flow", _("Flow"), "flow"),
                      *times],
        "top_chapters": [("ref", _("HS chapter"), "text"), *top],
        "top_enterprises": [("label", _("Enterprise"), "text"), *top],
    }[chart]


def _csv_heading(heading: str, kind: str) -> str:
    unit = {"usd": "USD", "vnd": "VND", "seconds": _("seconds")}.get(kind)
    return _("%(heading)s (%(unit)s)") % {"heading": heading, "unit": unit} if unit else heading


def _csv_value(kind: str, value, labels: dict):
    if kind in labels:
        return str(labels[kind].get(value, value))
    return "" if value is None else value


def _data_table(chart: str, rows: list[dict], labels: dict) -> dict:
    """A chart's figures as a table on the page (what the chart shows, for every reader)."""
    columns = _columns(chart)
    return {"head": [(heading, kind in NUMERIC) for _key, heading, kind in columns],
            "rows": [[(_shown(kind, row.get(key), labels), kind in NUMERIC)
                      for key, _heading, kind in columns] for row in rows]}


# --- chart specifications (static/js/dashboard.js draws them) -----------------------------------
def _chart(labels: list, datasets: list[dict], *, unit: str, **options) -> str:
    """What dashboard.js needs to draw one chart: the figures exactly as plain() gave them
    (the browser test compares them with the API), the translated words, the unit the axis
    and tooltips format in the page's language."""
    return json.dumps({"labels": labels, "datasets": datasets, "unit": unit,
                       "hours": _("%(n)s h"), **options})


def _dashboard_sections(data: dict) -> list[dict]:
    labels = _labels()
    months = [_month(m["month"]) for m in data["monthly"]]
    this, before = _("This period"), _("A year before")

    def against_last_year(key: str, unit: str) -> str:
        return _chart(months, [
            {"label": this, "data": [m[key] for m in data["monthly"]], "color": "brand"},
            {"label": before, "data": [m[f"previous_{key}"] for m in data["monthly"]],
             "color": "grey", "type": "line"}], unit=unit)

    channels = list(selectors.CHANNELS)
    by_channel_segment = {(r["channel"], r["segment"]): r for r in data["time_release"]}
    segments = [s for s in Segment if s != Segment.END_TO_END]
    return [
        {"key": "monthly", "title": _("Month by month, against the same months a year before"),
         "charts": [
             {"testid": "chart-monthly-declarations", "title": _("Declarations registered"),
              "spec": against_last_year("declarations", "count")},
             {"testid": "chart-monthly-turnover", "title": _("Turnover (USD)"),
              "spec": against_last_year("turnover_usd", "usd")},
             {"testid": "chart-monthly-revenue", "title": _("Budget revenue collected (VND)"),
              "spec": against_last_year("revenue_vnd", "vnd")}],
         "table": _data_table("monthly", data["monthly"], labels)},
        {"key": "channel_mix", "title": _("Channel mix by month"),
         "charts": [{"testid": "chart-channel-mix", "title": _("Declarations per channel"),
                     "spec": _chart(
                         [_month(m["month"]) for m in data["channel_mix"]],
                         [{"label": labels["channel"][c], "data": [m[c] for m in
                                                                   data["channel_mix"]],
                           "color": c} for c in channels], unit="count", stacked=True)}],
         "table": _data_table("channel_mix", data["channel_mix"], labels)},
        {"key": "time_release", "title": _("Time release: median time of each stage, by channel"),
         "charts": [{"testid": "chart-time-release", "title": _("Median hours per stage"),
                     "spec": _chart(
                         [labels["channel"][c] for c in channels],
                         [{"label": str(s.label),
                           "data": [by_channel_segment[(c, s.value)]["median_seconds"]
                                    for c in channels], "color": f"segment{n}"}
                          for n, s in enumerate(segments)],
                         unit="seconds", stacked=True, horizontal=True)}],
         "table": _data_table("time_release", data["time_release"], labels)},
        _top_section(data, "top_chapters", _("Top HS chapters by value"),
                     [_("Chapter %(chapter)s") % {"chapter": r["ref"]}
                      for r in data["top_chapters"]]),
        _top_section(data, "top_enterprises", _("Top enterprises by value"),
                     [r["label"] for r in data["top_enterprises"]]),
    ]


def _top_section(data: dict, kind: str, title: str, names: list[str]) -> dict:
    rows = data[kind]
    return {"key": kind, "title": title,
            "charts": [{"testid": f"chart-{kind.replace('_', '-')}", "title": _("Value (USD)"),
                        "spec": _chart(names, [{"label": _("Value (USD)"),
                                                "data": [r["invoice_usd"] for r in rows],
                                                "color": "brand"}],
                                       unit="usd", horizontal=True)}],
            "table": _data_table(kind, rows, _labels())}


def _clearance_rows(clearance: list[dict]) -> list[dict]:
    """Median and p90 per channel (rows) and flow (columns), with their test ids."""
    labels = _labels()
    cells = {(r["channel"], r["flow"]): r for r in clearance}
    return [{"label": labels["channel"][channel], "key": channel or "all",
             "cells": [{"key": flow or "all", "flow_label": labels["flow"][flow],
                        "median_shown": _shown("seconds", cells[(channel, flow)]["median_seconds"],
                                               labels),
                        "p90_shown": _shown("seconds", cells[(channel, flow)]["p90_seconds"],
                                            labels),
                        **cells[(channel, flow)]}
                       for flow in ("", *selectors.FLOWS)]}
            for channel in ("", *selectors.CHANNELS)]


def _mine_charts(data: dict) -> list[dict]:
    labels = _labels()
    channels = list(selectors.CHANNELS)
    rows = data["clearance"]
    own = _("Your declarations")
    branch = _("The whole branch")
    return [
        {"testid": "chart-own-channels", "title": _("Your declarations per channel"),
         "spec": _chart([labels["channel"][c] for c in channels],
                        [{"label": own, "data": [data["channels"][c] for c in channels],
                          "colors": channels}], unit="count", type="doughnut")},
        {"testid": "chart-own-clearance",
         "title": _("Registration to clearance: yours against the branch's"),
         "spec": _chart([labels["channel"][r["channel"]] for r in rows], [
             {"label": _("%(who)s: median") % {"who": own},
              "data": [r["own"]["median_seconds"] for r in rows], "color": "brand"},
             {"label": _("%(who)s: 90th percentile") % {"who": own},
              "data": [r["own"]["p90_seconds"] for r in rows], "color": "brandlight"},
             {"label": _("%(who)s: median") % {"who": branch},
              "data": [r["branch"].get("median_seconds") for r in rows], "color": "grey"},
             {"label": _("%(who)s: 90th percentile") % {"who": branch},
              "data": [r["branch"].get("p90_seconds") for r in rows], "color": "greylight"}],
             unit="seconds")},
        {"testid": "chart-own-paid", "title": _("Duties paid per month"),
         "spec": _chart([_month(m["month"]) for m in data["paid_by_month"]],
                        [{"label": _("Duties paid"),
                          "data": [m["paid_vnd"] for m in data["paid_by_month"]],
                          "color": "brand"}], unit="vnd")},
    ]


def _mine_extra(data: dict) -> dict:
    """The enterprise page's tiles and tables beside its charts."""
    labels = _labels()
    return {
        "charts": _mine_charts(data),
        "channel_tiles": [(c, _("%(channel)s channel") % {"channel": labels["channel"][c]},
                           data["channels"][c]) for c in selectors.CHANNELS],
        "clearance": [{"label": labels["channel"][r["channel"]], "key": r["channel"] or "all",
                       **r, **{f"{who}_{q}": _shown("seconds", r[who].get(f"{q}_seconds"),
                                                    labels)
                               for who in ("own", "branch") for q in ("median", "p90")}}
                      for r in data["clearance"]],
        "paid": [{"label": _month(m["month"]), **m} for m in data["paid_by_month"]],
    }


def _latest_exports(user) -> list[dict]:
    """The user's last few workbooks, to find one again after leaving the page."""
    return [{"export": e, "first": date.fromisoformat(e.filters["date_from"]),
             "last": date.fromisoformat(e.filters["date_to"]),
             "border_gate": e.filters.get("border_gate")}
            for e in exports.export_visible_to(user)[:LATEST_EXPORTS]]


# --- the filtered pages -------------------------------------------------------------------------
def _filtered_page(request, *, page: str, part: str, figures, extra) -> HttpResponse:
    """A page of figures under the filter form. Valid filters: the figures (`plain` of
    `figures(filters)`) and the form showing the period applied; invalid ones: the form with
    its field errors and status 400. An htmx request gets `part` only (the form and the
    figures: what the form's submission swaps)."""
    form = ReportFilterForm(request.GET)
    context = {"form": form, "data": None, "may_set_targets": _may_set_targets(request)}
    status = 400
    if form.is_valid():
        found = form.filters()
        data = plain(figures(found))
        params = data["filters"]
        context = {"data": data, "query": urlencode(params), "params": params,
                   "first": found.date_from, "last": found.date_to,
                   "form": ReportFilterForm(initial={**params, "date_from": found.date_from,
                                                     "date_to": found.date_to}),
                   "may_set_targets": _may_set_targets(request), **extra(data)}
        status = 200
    response = render(request, part if _htmx(request) else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def dashboard(request):
    _require(request, DASHBOARD_ROLES)
    return _filtered_page(
        request, page="reporting/dashboard.html", part="reporting/_dashboard.html",
        figures=selectors.dashboard,
        extra=lambda data: {"sections": _dashboard_sections(data),
                            "clearance": _clearance_rows(data["clearance"]),
                            "exports": _latest_exports(request.user)})


@login_required
@require_GET
def mine(request):
    """An enterprise's own figures (never another's: enterprise_figures reads its rows only)."""
    _require(request, ENTERPRISE_ROLES)
    enterprise = request.user.enterprise  # an enterprise user has one (a check constraint)
    return _filtered_page(
        request, page="reporting/mine.html", part="reporting/_mine.html",
        figures=lambda found: selectors.enterprise_figures(enterprise, found),
        extra=_mine_extra)


@login_required
@require_GET
def chart_csv(request, chart: str):
    """One chart's figures as CSV (UTF-8 with a byte-order mark, so a spreadsheet opens the
    Vietnamese text as written); the headings in the page's language."""
    _require(request, DASHBOARD_ROLES)
    if chart not in CSV_CHARTS:
        raise Http404
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return HttpResponse("\n".join(problems), status=400,
                            content_type="text/plain; charset=utf-8")
    found = form.filters()
    rows = plain({
        "monthly": selectors.monthly, "channel_mix": selectors.channel_mix,
        "time_release": selectors.time_release, "clearance": selectors.clearance_times,
        "top_chapters": lambda f: selectors.top(f, "chapter"),
        "top_enterprises": lambda f: selectors.top(f, "enterprise"),
    }[chart](found))
    labels = _labels()
    columns = _columns(chart)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_heading(heading, kind) for _key, heading, kind in columns])
    for row in rows:
        writer.writerow([_csv_value(kind, row.get(key), labels) for key, _h, kind in columns])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="{chart}-{found.date_from}-'
                                       f'{found.date_to}.csv"')
    return response


# --- the XLSX export ----------------------------------------------------------------------------
@login_required
@require_POST
def export_new(request):
    """Ask for the dashboard's XLSX (built by a Celery task): the progress in place under
    htmx, else on the export's own page."""
    _require(request, DASHBOARD_ROLES)
    form = ReportFilterForm(request.POST)
    if not form.is_valid():
        return render(request, "reporting/_export_refused.html", {"form": form}, status=400)
    export = exports.export_request(user=request.user, filters=form.filters())
    if _htmx(request):
        return render(request, "reporting/_export.html", {"export": export})
    return redirect("reporting:export", pk=export.pk)


@login_required
@require_GET
def export_detail(request, pk: int):
    """Only the one who asked sees an export (anyone else: 404, as if it did not exist)."""
    export = get_object_or_404(exports.export_visible_to(request.user), pk=pk)
    template = "reporting/_export.html" if _htmx(request) else "reporting/export.html"
    response = render(request, template, {"export": export, "query": urlencode(export.filters),
                                          "may_set_targets": _may_set_targets(request)})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def export_download(request, pk: int):
    """The workbook, once built (before that there is nothing to download: 404)."""
    export = get_object_or_404(exports.export_visible_to(request.user), pk=pk)
    if export.state != ReportExport.State.DONE:
        raise Http404
    return exports.export_file_response(export)


# --- revenue targets ----------------------------------------------------------------------------
def _target_rows() -> list[dict]:
    first = timezone.localdate().year - TARGET_YEARS_SHOWN + 1
    targets = (RevenueTarget.objects.filter(year__gte=first).select_related("office",
                                                                             "updated_by")
               .order_by("-year", "office__code"))
    return [{"target": t, "progress": plain(selectors.revenue_progress(t.year,
                                                                       office_id=t.office_id))}
            for t in targets]


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    """The branch leader sets each office's budget revenue target for a year (a second
    target for the same office and year replaces the first)."""
    _require(request, BRANCH_LEADER_ROLES)
    offices = CustomsOffice.objects.order_by("code")
    initial = {"year": timezone.localdate().year}
    if len(offices) == 1:
        initial["office"] = offices[0].code
    form = TargetForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                target = services.revenue_target_set(office=data["office"], year=data["year"],
                                                     amount_vnd=data["amount_vnd"],
                                                     by=request.user)
            except ValidationError as exc:
                problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                for field, found in problems.items():
                    for problem in found:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                messages.success(request, _("The target of %(office)s for %(year)s is set to "
                                            "%(amount)s.") % {
                    "office": target.office.code, "year": target.year,
                    "amount": format_money(target.amount_vnd, "VND")})
                return redirect("reporting:targets")
    return render(request, "reporting/targets.html",
                  {"form": form, "rows": _target_rows(), "may_set_targets": True}, status=status)
