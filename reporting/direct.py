"""The rollups computed again, directly, in Python, from the base tables: each declaration's
history walked event by event. A second, independent implementation of the definitions in
reporting.rollups (which does it set-based in SQL): `check_rollups` and the property tests
compare the two."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from customs_core.models import ExchangeRate
from declarations.models import (
    CheckOutcome,
    Declaration,
    DeclarationEvent,
    DutyPayment,
    GoodsLine,
    Violation,
)

from .rollups import ROLLUP_FIELDS, SEGMENT_SPANS, TAXES, day_bounds, month_after, month_of

CHANNELS = {"green", "yellow", "red"}
CHECKS = {"doc_check", "inspection"}
CENT = Decimal("0.01")


@dataclass
class Direct:
    """{(day, office, gate, flow, regime, channel): {field: value}} and
    {(day, office, gate, flow, regime, channel, segment): [seconds, ...]}"""

    rollups: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    segments: dict = field(default_factory=lambda: defaultdict(list))
    # {(day, office, gate, flow, regime, kind, ref): [declarations, invoice_usd]}
    values: dict = field(default_factory=lambda: defaultdict(lambda: [0, Decimal(0)]))


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else timezone.localtime(moment).date()


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, (end - start) // timedelta(seconds=1))


def milestones(events: list, payments: list) -> dict | None:
    """A declaration's WCO milestones and channel from its events (from_state, to_state, at)
    and payment times; None if it was never registered."""
    def first(match):
        times = [at for frm, to, at in events if match(frm, to)]
        return min(times) if times else None

    def latest(match):
        times = [at for frm, to, at in events if match(frm, to)]
        return max(times) if times else None

    registered = first(lambda f, t: f == "draft" and t == "submitted")
    if registered is None:
        return None
    channel_events = [(at, to) for frm, to, at in events if to in CHANNELS]
    channel = max(channel_events)[1] if channel_events else ""
    check_started = first(lambda f, t: t in CHECKS)
    decided = latest(lambda f, t: f in CHECKS and t not in CHECKS)
    if decided is None and check_started is None and channel == "green":
        decided = latest(lambda f, t: t == "green")
    return {"channel": channel, "registered": registered,
            "channel_at": first(lambda f, t: f == "scored" and t in CHANNELS),
            "check_started": check_started, "decided": decided,
            "paid": max(payments) if payments else None,
            "cleared": first(lambda f, t: t == "cleared"),
            "gate_out": first(lambda f, t: t == "gate_out")}


def _usd(value: Decimal, declaration: dict, registered_on: date, usd_rates: list) -> Decimal:
    """A value in the declaration's currency in USD, to the cent (as reporting.rollups)."""
    if declaration["currency_id"] == "USD":
        return value.quantize(CENT, ROUND_HALF_UP)
    rate = next((r for week, r in usd_rates if week <= registered_on), None)
    if rate is None or declaration["exchange_rate"] is None:
        return Decimal(0)
    return (value * declaration["exchange_rate"] / rate).quantize(CENT, ROUND_HALF_UP)


def compute(first: date, last: date, *, chunk: int = 2000) -> Direct:
    """Every rollup figure of the days first..last."""
    start, end = day_bounds(first, last)
    ids = sorted(
        set(DeclarationEvent.objects.filter(at__gte=start, at__lt=end)
            .values_list("declaration_id", flat=True))
        | set(DutyPayment.objects.filter(paid_at__gte=start, paid_at__lt=end)
              .values_list("declaration_id", flat=True))
        | set(CheckOutcome.objects.filter(decided_at__gte=start, decided_at__lt=end)
              .values_list("declaration_id", flat=True))
        | set(Violation.objects.filter(found_at__gte=start, found_at__lt=end)
              .values_list("declaration_id", flat=True)))
    usd_rates = list(ExchangeRate.objects.filter(currency_id="USD").order_by("-week_start")
                     .values_list("week_start", "rate_vnd"))
    out = Direct()
    for n in range(0, len(ids), chunk):
        _add(out, ids[n:n + chunk], first, last, usd_rates)
    return out


def _add(out: Direct, ids: list[int], first: date, last: date, usd_rates: list) -> None:
    declarations = {d["id"]: d for d in Declaration.objects.filter(pk__in=ids).values(
        "id", "office_id", "border_gate_id", "flow", "regime_id", "currency_id", "enterprise_id",
        "total_invoice_value", "exchange_rate", *TAXES)}
    events, payments = defaultdict(list), defaultdict(list)
    checks_started = defaultdict(list)
    for pk, frm, to, at in DeclarationEvent.objects.filter(declaration_id__in=ids).values_list(
            "declaration_id", "from_state", "to_state", "at"):
        events[pk].append((frm, to, at))
        if to in CHECKS:
            checks_started[pk].append((to, at))
    for pk, amount, at in DutyPayment.objects.filter(declaration_id__in=ids).values_list(
            "declaration_id", "amount_vnd", "paid_at"):
        payments[pk].append((amount, at))
    lines = defaultdict(list)
    for pk, hs_code, value in GoodsLine.objects.filter(declaration_id__in=ids).values_list(
            "declaration_id", "tariff_line__hs_code", "line_value"):
        lines[pk].append((hs_code[:2], value))
    outcomes = defaultdict(list)
    for pk, outcome, at in CheckOutcome.objects.filter(declaration_id__in=ids).values_list(
            "declaration_id", "outcome", "decided_at"):
        outcomes[pk].append((outcome, at))
    violations = defaultdict(list)
    for pk, penalty, at in Violation.objects.filter(declaration_id__in=ids).values_list(
            "declaration_id", "penalty_vnd", "found_at"):
        violations[pk].append((penalty, at))

    def within(day):
        return day is not None and first <= day <= last

    for pk in ids:
        d = declarations[pk]
        m = milestones(events[pk], [at for _amount, at in payments[pk]])
        if m is None:
            continue
        key = (d["office_id"], d["border_gate_id"], d["flow"], d["regime_id"], m["channel"])

        def row(day, key=key):
            return out.rollups[(day, *key)]

        registered_on = _day(m["registered"])
        if within(registered_on):
            r = row(registered_on)
            r["registered"] += 1
            usd = _usd(d["total_invoice_value"], d, registered_on, usd_rates)
            r["invoice_usd"] += usd
            for tax in TAXES:
                r[tax] += d[tax]
            value_key = (registered_on, *key[:4])
            top = out.values[(*value_key, "enterprise", str(d["enterprise_id"]))]
            top[0] += 1
            top[1] += usd
            chapters = defaultdict(Decimal)
            for chapter, value in lines[pk]:
                chapters[chapter] += _usd(value, d, registered_on, usd_rates)
            for chapter, value in chapters.items():
                top = out.values[(*value_key, "chapter", chapter)]
                top[0] += 1
                top[1] += value
        if within(_day(m["cleared"])):
            row(_day(m["cleared"]))["cleared"] += 1
        for amount, at in payments[pk]:
            if within(_day(at)):
                row(_day(at))["collected_vnd"] += amount
        for to, at in checks_started[pk]:
            if within(_day(at)):
                row(_day(at))["document_checks" if to == "doc_check" else "inspections"] += 1
        for outcome, at in outcomes[pk]:
            if within(_day(at)):
                row(_day(at))["checks_concluded"] += 1
                row(_day(at))["checks_with_violation"] += outcome == "violation"
        for penalty, at in violations[pk]:
            if within(_day(at)):
                row(_day(at))["violations"] += 1
                row(_day(at))["penalties_vnd"] += penalty
        stamps = {"registered": m["registered"], "channel": m["channel_at"],
                  "check_started": m["check_started"], "decided": m["decided"],
                  "paid": m["paid"], "cleared": m["cleared"], "gate_out": m["gate_out"]}
        for segment, (start, end) in SEGMENT_SPANS.items():
            if stamps[start] is None or stamps[end] is None or not within(_day(stamps[end])):
                continue
            out.segments[(_day(stamps[end]), *key, segment)].append(
                _seconds(stamps[start], stamps[end]))


def stored(first: date, last: date) -> Direct:
    """The same shapes read from the Rollup and SegmentRollup rows (bucket counts for segments:
    {key: {bucket: (count, seconds)}})."""
    from .models import Rollup, SegmentRollup, ValueRollup

    out = Direct()
    for r in Rollup.objects.filter(day__range=(first, last)).values():
        key = (r["day"], r["office_id"], r["border_gate_id"], r["flow"], r["regime_id"],
               r["channel"])
        out.rollups[key] = {name: r[name] for name in ROLLUP_FIELDS}
    buckets = defaultdict(dict)
    for s in SegmentRollup.objects.filter(day__range=(first, last)).values():
        buckets[(s["day"], s["office_id"], s["border_gate_id"], s["flow"], s["regime_id"],
                 s["channel"], s["segment"])][s["bucket"]] = (s["count"], s["seconds"])
    out.segments = buckets
    for v in ValueRollup.objects.filter(day__range=(first, last)).values():
        out.values[(v["day"], v["office_id"], v["border_gate_id"], v["flow"], v["regime_id"],
                    v["kind"], v["ref"])] = [v["declarations"], v["invoice_usd"]]
    return out


def differences(first: date, last: date) -> list[str]:
    """Every difference between the stored rollups and the direct computation (empty when they
    agree): counts and sums exactly, segment counts, sums and bucket counts exactly."""
    from customs_core.db_routers import primary

    from .histogram import bucket_of

    with primary():  # the rows just written, not a lagging replica's
        expected, actual = compute(first, last), stored(first, last)
    problems = []
    for key in sorted(set(expected.rollups) | set(actual.rollups), key=str):
        want = {name: Decimal(expected.rollups.get(key, {}).get(name, 0))
                for name in ROLLUP_FIELDS}
        have = {name: Decimal(actual.rollups.get(key, {}).get(name, 0))
                for name in ROLLUP_FIELDS}
        for name in ROLLUP_FIELDS:
            if want[name] != have[name]:
                problems.append(f"{key} {name}: rollup {have[name]}, direct {want[name]}")
    for key in sorted(set(expected.segments) | set(actual.segments), key=str):
        values = expected.segments.get(key, [])
        want = defaultdict(lambda: [0, 0])
        for seconds in values:
            want[bucket_of(seconds)][0] += 1
            want[bucket_of(seconds)][1] += seconds
        have = actual.segments.get(key, {})
        if {b: tuple(v) for b, v in want.items()} != {b: tuple(v) for b, v in have.items()}:
            problems.append(f"{key}: rollup buckets {dict(have)}, direct "
                            f"{ {b: tuple(v) for b, v in want.items()} }")
    for key in sorted(set(expected.values) | set(actual.values), key=str):
        want = [Decimal(x) for x in expected.values.get(key, [0, 0])]
        have = [Decimal(x) for x in actual.values.get(key, [0, 0])]
        if want != have:
            problems.append(f"{key}: rollup {have}, direct {want}")
    return problems + month_differences(first, last)


def month_differences(first: date, last: date) -> list[str]:
    """Every month-grain row of the months of first..last that is not the sum of its month's
    day rows, and every per-flow row that is not the sum of its month rows."""
    from customs_core.db_routers import primary

    from .models import BY_FLOW, MONTHLY

    first_month, month_end = month_of(first), month_after(last) - timedelta(days=1)
    problems = []
    with primary():
        for source, target in [*MONTHLY.items(), *BY_FLOW.items()]:
            problems += _sum_differences(source, target, first_month, month_end)
    return problems


def _sum_differences(source, target, first: date, last: date) -> list[str]:
    """`target`'s rows against `source`'s rows summed by `target`'s keys (its fields that are
    not sums; `day` as the month's first day)."""
    sums = next(names for model, names in _summed().items() if issubclass(source, model))
    fields = [f.attname for f in target._meta.concrete_fields if f.attname != "id"]
    keys = [name for name in fields if name not in sums]
    want: dict = defaultdict(lambda: defaultdict(Decimal))
    for row in source.objects.filter(day__range=(first, last)).values():
        key = tuple(row[k].replace(day=1) if k == "day" else row[k] for k in keys)
        for name in sums:
            want[key][name] += Decimal(row[name])
    have = {tuple(row[k] for k in keys): {name: Decimal(row[name]) for name in sums}
            for row in target.objects.filter(day__range=(first, last)).values()}
    return [f"{target.__name__} {key}: month {have.get(key)}, days {dict(want.get(key, {}))}"
            for key in sorted(set(want) | set(have), key=str)
            if dict(want.get(key, {})) != have.get(key, {})]


def _summed() -> dict:
    from .models import RollupFigures, SegmentFigures, ValueFigures

    return {RollupFigures: ROLLUP_FIELDS, SegmentFigures: ("count", "seconds"),
            ValueFigures: ("declarations", "invoice_usd")}
