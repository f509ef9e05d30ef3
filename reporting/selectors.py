"""The figures the dashboards, the reports API and the exports show, read from the rollups
only (never a scan of declarations: their cost does not grow with the history), the whole
months of a period from the month-grain copies and only the partial months at its ends from
the day rows (`_parts`), and without a gate or regime filter from their sums per flow, so a
year reads a few thousand rows at any volume. One function
per figure; `dashboard()` gathers them for one set of filters. Pages, API and exports call the
same functions, so the three always agree."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from customs_core.models import BorderGate, Enterprise
from declarations.models import DutyPayment

from . import histogram
from .models import (
    BY_FLOW,
    MONTHLY,
    DeclarationTimes,
    RevenueTarget,
    Rollup,
    Segment,
    SegmentRollup,
    StaleDeclaration,
    ValueRollup,
)
from .rollups import day_bounds, month_after

CHANNELS = ("green", "yellow", "red")
FLOWS = ("import", "export")
SUMMED = ("registered", "cleared", "invoice_usd", "total_duty_vnd", "collected_vnd",
          "document_checks", "inspections", "checks_concluded", "checks_with_violation",
          "violations", "penalties_vnd")


@dataclass(frozen=True)
class ReportFilters:
    date_from: date
    date_to: date
    flow: str = ""  # "" = both
    regime: str = ""  # a regime code, "" = all
    border_gate: int | None = None  # a border gate id, None = all

    def as_params(self) -> dict:
        """The filters as query parameters (ISO dates, codes): links, CSV and the API."""
        gate = (BorderGate.objects.filter(pk=self.border_gate).values_list("code", flat=True)
                .first() if self.border_gate else "")
        return {"date_from": self.date_from.isoformat(), "date_to": self.date_to.isoformat(),
                "flow": self.flow, "regime": self.regime, "border_gate": gate or ""}

    def shifted(self, years: int) -> "ReportFilters":
        return ReportFilters(_shift_year(self.date_from, years), _shift_year(self.date_to, years),
                             self.flow, self.regime, self.border_gate)


def default_filters(today: date | None = None) -> ReportFilters:
    """This year to date."""
    today = today or timezone.localdate()
    return ReportFilters(date(today.year, 1, 1), today)


def _shift_year(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _where(f: ReportFilters, *, days: bool = True) -> Q:
    q = Q(day__range=(f.date_from, f.date_to)) if days else Q()
    if f.flow:
        q &= Q(flow=f.flow)
    if f.regime:
        q &= Q(regime_id=f.regime)
    if f.border_gate:
        q &= Q(border_gate_id=f.border_gate)
    return q


def _parts(model, f: ReportFilters) -> list:
    """The rows of `model` (a day-grain rollup) that cover the period, filtered: its whole
    months from the month-grain copy, the days of the partial months at either end from the
    day rows. Every figure is a sum, so summing over the parts gives the period's figure."""
    keys = _where(f, days=False)
    first_whole = f.date_from if f.date_from.day == 1 else month_after(f.date_from)
    ends_a_month = month_after(f.date_to) - timedelta(days=1) == f.date_to
    after_last_whole = month_after(f.date_to) if ends_a_month else f.date_to.replace(day=1)
    if first_whole >= after_last_whole:  # no whole month in the period
        return [model.objects.filter(keys, day__range=(f.date_from, f.date_to))]
    months = MONTHLY[model]
    if months in BY_FLOW and not (f.border_gate or f.regime):  # summed over gates and regimes
        months = BY_FLOW[months]
    parts = [months.objects.filter(keys, day__gte=first_whole, day__lt=after_last_whole)]
    if f.date_from < first_whole:
        parts.append(model.objects.filter(
            keys, day__range=(f.date_from, first_whole - timedelta(days=1))))
    if after_last_whole <= f.date_to:
        parts.append(model.objects.filter(keys, day__range=(after_last_whole, f.date_to)))
    return parts


def _grouped(parts: list, by: tuple[str, ...], **sums) -> dict[tuple, dict]:
    """{group values: {name: sum}} over the parts (`sums`: name -> Sum(...))."""
    out: dict[tuple, dict] = {}
    for rows in parts:
        query = rows.values(*by).annotate(**sums) if by else [rows.aggregate(**sums)]
        for row in query:
            acc = out.setdefault(tuple(row[name] for name in by), dict.fromkeys(sums, 0))
            for name in sums:
                acc[name] += row[name] or 0
    return out


def _num(value) -> Decimal:
    return Decimal(value or 0)


def _percent(part, whole) -> float | None:
    return round(100 * float(part) / float(whole), 1) if whole else None


# --- tiles -------------------------------------------------------------------------------------
def _month_key(value) -> date:
    """A TruncMonth value as the month's first day (a datetime on some databases)."""
    value = value.date() if hasattr(value, "date") and not isinstance(value, date) else value
    return date(value.year, value.month, 1)


def _collapse(sums: dict, position: int) -> dict:
    """period_sums summed over all but one part of their key (0: per month, 1: per channel)."""
    out: dict = defaultdict(lambda: dict.fromkeys(SUMMED, 0))
    for key, row in sums.items():
        for name in SUMMED:
            out[key[position]][name] += row[name] or 0
    return out


def period_sums(f: ReportFilters) -> dict:
    """{(month, channel): {figure: sum}} of the period: what totals, monthly and channel_mix
    read (one query when the dashboard asks for all three)."""
    parts = [rows.annotate(month=TruncMonth("day")) for rows in _parts(Rollup, f)]
    grouped = _grouped(parts, ("month", "channel"), **{name: Sum(name) for name in SUMMED})
    # the parts' months differ: no key twice
    return {(_month_key(month), channel): row for (month, channel), row in grouped.items()}


def totals(f: ReportFilters, sums: dict | None = None) -> dict:
    """The period's sums, and the registered declarations per channel; `sums`: period_sums(f)
    when already read."""
    by_channel = _collapse(period_sums(f) if sums is None else sums, 1)
    out = {name: int(sum(row[name] for row in by_channel.values()))
           for name in SUMMED if not name.endswith(("usd", "vnd"))}
    out.update({name: _num(sum(row[name] for row in by_channel.values()))
                for name in SUMMED if name.endswith(("usd", "vnd"))})
    out["channels"] = {channel: int(by_channel[channel]["registered"]) if channel in by_channel
                       else 0 for channel in CHANNELS}
    routed = sum(out["channels"].values())
    out["green_share"] = _percent(out["channels"]["green"], routed)
    out["hit_rate"] = _percent(out["checks_with_violation"], out["checks_concluded"])
    return out


def _histograms(f: ReportFilters, by: tuple[str, ...], segments=None) -> dict:
    """{(group values..., segment): {bucket: count}} and the seconds summed per group."""
    parts = _parts(SegmentRollup, f)
    if segments:
        parts = [rows.filter(segment__in=segments) for rows in parts]
    counts: dict = defaultdict(dict)
    seconds: dict = defaultdict(int)
    grouped = _grouped(parts, (*by, "segment", "bucket"), n=Sum("count"), s=Sum("seconds"))
    for (*values, segment, bucket), row in grouped.items():
        group = (*values, segment)
        counts[group][bucket] = int(row["n"])
        seconds[group] += int(row["s"])
    return {"counts": counts, "seconds": seconds}


def _figures(counts: dict, seconds: int) -> dict:
    n = sum(counts.values())
    return {"count": n, "mean_seconds": round(seconds / n) if n else None,
            "median_seconds": histogram.quantile(counts, 0.5),
            "p90_seconds": histogram.quantile(counts, 0.9)}


def segment_histograms(f: ReportFilters) -> dict:
    """Every segment's histogram per channel and flow: what clearance_times and time_release
    read (one query when the dashboard asks for both)."""
    return _histograms(f, ("channel", "flow"))


def clearance_times(f: ReportFilters, h: dict | None = None) -> list[dict]:
    """Registration -> cleared: median and p90 per channel and flow (and all together);
    `h`: segment_histograms(f) when already read."""
    h = h or _histograms(f, ("channel", "flow"), segments=[Segment.END_TO_END])
    out = []
    for channel in (*CHANNELS, ""):
        for flow in (*FLOWS, ""):
            counts: dict = defaultdict(int)
            total = 0
            for (c, fl, _segment), buckets in h["counts"].items():
                if (_segment == Segment.END_TO_END and (not channel or c == channel)
                        and (not flow or fl == flow)):
                    for bucket, n in buckets.items():
                        counts[bucket] += n
                    total += h["seconds"][(c, fl, _segment)]
            out.append({"channel": channel, "flow": flow, **_figures(counts, total)})
    return out


def time_release(f: ReportFilters, h: dict | None = None) -> list[dict]:
    """Every WCO segment per channel: count, mean, median, p90 (seconds); `h`:
    segment_histograms(f) when already read."""
    h = h or segment_histograms(f)
    counts: dict = defaultdict(lambda: defaultdict(int))
    seconds: dict = defaultdict(int)
    for (channel, _flow, segment), buckets in h["counts"].items():
        for bucket, n in buckets.items():
            counts[(channel, segment)][bucket] += n
        seconds[(channel, segment)] += h["seconds"][(channel, _flow, segment)]
    return [{"channel": channel, "segment": segment,
             **_figures(dict(counts.get((channel, segment), {})),
                        seconds.get((channel, segment), 0))}
            for channel in CHANNELS for segment in Segment.values]


# --- series ------------------------------------------------------------------------------------
def _months(first: date, last: date) -> list[date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = month_after(month)
    return out


def monthly(f: ReportFilters, sums: dict | None = None) -> list[dict]:
    """Per month of the period: declarations, turnover, revenue; and the same month a year
    before. `sums`: period_sums(f) when already read."""
    now = _collapse(period_sums(f) if sums is None else sums, 0)
    before = _collapse(period_sums(f.shifted(-1)), 0)
    out = []
    for month in _months(f.date_from, f.date_to):
        this, last = now.get(month, {}), before.get(_shift_year(month, -1), {})
        out.append({"month": month.strftime("%Y-%m"),
                    "declarations": int(this.get("registered") or 0),
                    "turnover_usd": _num(this.get("invoice_usd")),
                    "revenue_vnd": _num(this.get("collected_vnd")),
                    "previous_declarations": int(last.get("registered") or 0),
                    "previous_turnover_usd": _num(last.get("invoice_usd")),
                    "previous_revenue_vnd": _num(last.get("collected_vnd"))})
    return out


def channel_mix(f: ReportFilters, sums: dict | None = None) -> list[dict]:
    """Per month: declarations registered per channel (as the log last decided it); `sums`:
    period_sums(f) when already read."""
    sums = period_sums(f) if sums is None else sums
    return [{"month": month.strftime("%Y-%m"),
             **{channel: int((sums.get((month, channel)) or {}).get("registered") or 0)
                for channel in CHANNELS}}
            for month in _months(f.date_from, f.date_to)]


def top_values(f: ReportFilters) -> dict:
    """{(kind, ref): sums} of the period: what top() ranks (one query for both kinds)."""
    return _grouped(_parts(ValueRollup, f), ("kind", "ref"), declarations_n=Sum("declarations"),
                    usd=Sum("invoice_usd"))


def top(f: ReportFilters, kind: str, n: int = 10, values: dict | None = None) -> list[dict]:
    """The HS chapters or enterprises with the highest value registered in the period;
    `values`: top_values(f) when already read."""
    if values is None:
        values = _grouped([rows.filter(kind=kind) for rows in _parts(ValueRollup, f)],
                          ("kind", "ref"), declarations_n=Sum("declarations"),
                          usd=Sum("invoice_usd"))
    rows = sorted(({"ref": ref, **row} for (k, ref), row in values.items() if k == kind),
                  key=lambda r: (-r["usd"], r["ref"]))[:n]
    names = {}
    if kind == ValueRollup.Kind.ENTERPRISE:
        names = dict(Enterprise.objects.filter(pk__in=[int(r["ref"]) for r in rows])
                     .values_list("pk", "name"))
    return [{"ref": r["ref"], "label": names.get(int(r["ref"]), r["ref"])
             if kind == ValueRollup.Kind.ENTERPRISE else r["ref"],
             "declarations": int(r["declarations_n"]), "invoice_usd": _num(r["usd"])}
            for r in rows]


# --- revenue against the target ----------------------------------------------------------------
def revenue_progress(year: int, *, today: date | None = None, office_id: int | None = None) -> dict:
    """The year's budget revenue collected to date against the target entered for it, and
    projected to the year's end from last year's monthly profile (the share of last year's
    revenue that had come in by the same day); linear in the days when last year is empty."""
    today = min(today or timezone.localdate(), date(year, 12, 31))
    targets = RevenueTarget.objects.filter(year=year)
    if office_id:
        targets = targets.filter(office_id=office_id)
    target = targets.aggregate(t=Sum("amount_vnd"))["t"]
    def collected(first: date, last: date) -> dict:
        """{month: collected} over first..last (the last month up to `last`)."""
        parts = [rows.annotate(month=TruncMonth("day"))
                 for rows in _parts(Rollup, ReportFilters(first, last))]
        if office_id:
            parts = [rows.filter(office_id=office_id) for rows in parts]
        return {_month_key(month): _num(row["s"])
                for (month,), row in _grouped(parts, ("month",), s=Sum("collected_vnd")).items()}

    # Two years of months in one read; last year's share to date needs its month's days too.
    a_year_ago = _shift_year(today, -1)
    months = collected(date(year - 1, 1, 1), today)
    to_date = sum((v for m, v in months.items() if m.year == year), Decimal(0))
    last_year_total = sum((v for m, v in months.items() if m.year == year - 1), Decimal(0))
    last_year_to_date = sum((v for m, v in months.items()
                             if m.year == year - 1 and m < a_year_ago.replace(day=1)), Decimal(0))
    last_year_to_date += sum(collected(a_year_ago.replace(day=1), a_year_ago).values(),
                             Decimal(0))
    if last_year_total and last_year_to_date:
        share = last_year_to_date / last_year_total
    else:
        elapsed = (today - date(year, 1, 1)).days + 1
        share = Decimal(max(elapsed, 0)) / Decimal(366 if calendar.isleap(year) else 365)
    projected = (to_date / share).quantize(Decimal(1)) if share else None
    return {"year": year, "target_vnd": _num(target) if target else None,
            "collected_vnd": to_date, "projected_vnd": projected,
            "percent_to_date": _percent(to_date, target) if target else None,
            "percent_projected": _percent(projected, target) if target and projected else None,
            "profile": "last_year" if last_year_total and last_year_to_date else "linear"}


def satisfaction(f: ReportFilters) -> dict | None:
    """The partnership desk's satisfaction index over the period (ratings given in it)."""
    try:
        from partnership.models import Rating
        from partnership.stats import MEAN, index_of
    except ImportError:  # the partnership app is not installed
        return None
    start, end = day_bounds(f.date_from, f.date_to)
    figures = Rating.objects.filter(at__gte=start, at__lt=end).aggregate(n=Count("id"),
                                                                        mean=Avg(MEAN))
    return {"ratings": figures["n"], "index": index_of(figures["mean"])}


def dashboard(f: ReportFilters, *, today: date | None = None) -> dict:
    """Every figure of the branch leader's dashboard for one set of filters."""
    sums, histograms, values = period_sums(f), segment_histograms(f), top_values(f)
    return {"filters": f, "totals": totals(f, sums),
            "revenue": revenue_progress(f.date_to.year, today=today),
            "clearance": clearance_times(f, histograms),
            "time_release": time_release(f, histograms),
            "monthly": monthly(f, sums), "channel_mix": channel_mix(f, sums),
            "top_chapters": top(f, ValueRollup.Kind.CHAPTER, values=values),
            "top_enterprises": top(f, ValueRollup.Kind.ENTERPRISE, values=values),
            "satisfaction": satisfaction(f)}


# --- an enterprise's own figures -----------------------------------------------------------------
def enterprise_figures(enterprise: Enterprise, f: ReportFilters) -> dict:
    """What an enterprise sees about itself: its channel mix, its clearance times against the
    branch's (the branch's come from the rollups: nobody else's figures), its duties paid per
    month. Only its own declarations are read."""
    own = DeclarationTimes.objects.filter(_where(f, days=False), enterprise=enterprise)
    channels = dict(own.filter(registered_on__range=(f.date_from, f.date_to))
                    .values_list("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    mine: dict = defaultdict(lambda: defaultdict(int))
    seconds: dict = defaultdict(int)
    # Cleared in the period, as the branch's end-to-end figure (anchored on the day it ends).
    for channel, registered_at, cleared_at in own.filter(
            cleared_on__range=(f.date_from, f.date_to)).values_list(
            "channel", "registered_at", "cleared_at"):
        s = max(0, (cleared_at - registered_at) // timedelta(seconds=1))
        mine[channel][histogram.bucket_of(s)] += 1
        seconds[channel] += s
    branch = {row["channel"]: row for row in clearance_times(f) if row["flow"] == ""}
    start, end = day_bounds(f.date_from, f.date_to)
    paid = (DutyPayment.objects.filter(declaration__enterprise=enterprise, paid_at__gte=start,
                                       paid_at__lt=end)
            .annotate(month=TruncMonth("paid_at")).values("month")
            .annotate(total=Sum("amount_vnd")).order_by("month"))
    paid_by_month = {row["month"].strftime("%Y-%m"): _num(row["total"]) for row in paid}
    return {
        "filters": f,
        "channels": {channel: int(channels.get(channel) or 0) for channel in CHANNELS},
        "declarations": sum(int(n) for n in channels.values()),
        "clearance": _enterprise_clearance(mine, seconds, branch),
        "paid_by_month": [{"month": month.strftime("%Y-%m"),
                           "paid_vnd": paid_by_month.get(month.strftime("%Y-%m"), Decimal(0))}
                          for month in _months(f.date_from, f.date_to)],
    }


def _enterprise_clearance(mine: dict, seconds: dict, branch: dict) -> list[dict]:
    out = []
    for channel in (*CHANNELS, ""):
        if channel:
            counts, total = dict(mine.get(channel, {})), seconds.get(channel, 0)
        else:
            counts = defaultdict(int)
            for buckets in mine.values():
                for bucket, n in buckets.items():
                    counts[bucket] += n
            counts, total = dict(counts), sum(seconds.values())
        theirs = branch.get(channel, {})
        out.append({"channel": channel, "own": _figures(counts, total),
                    "branch": {k: v for k, v in theirs.items() if k not in {"channel", "flow"}}})
    return out


def rollup_lag_seconds() -> float:
    """How long the oldest stale mark has waited for the rollup task (0 when none waits). The
    lowest id is the oldest mark: a primary-key lookup however many marks pile up."""
    oldest = StaleDeclaration.objects.order_by("id").values_list("marked_at", flat=True).first()
    return max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0
