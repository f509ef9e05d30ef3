"""Test helpers of reporting: declaration histories written straight into the base tables
(bulk inserts, no services: fast enough for property tests, and free to write what the
services never would, such as events that arrive out of order), and the checks the rollup
tests share (rollups against reporting.direct, medians and p90 against the exact figures).

The rows are only "valid-looking": every path follows the transition table, but payments,
outcomes and violations fall at any time. The rollups must agree with the direct computation
whatever the base tables hold; the database triggers mark every written declaration stale,
as they would for a service."""

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings

from customs_core.models import (
    BorderGate,
    CustomsOffice,
    ExchangeRate,
    Regime,
    TariffLine,
    User,
)
from declarations.models import (
    CheckOutcome,
    Declaration,
    DeclarationEvent,
    DutyPayment,
    GoodsLine,
    Violation,
)
from declarations.workflow import allowed_targets

from . import direct, histogram
from .rollups import TAXES

ZONE = ZoneInfo(settings.TIME_ZONE)
CURRENCIES = ("USD", "CNY", "VND")
CHAPTERS = ("19", "17", "21", "87")  # one tariff line each, from the shipped tariff
_numbers = itertools.count(1)  # declaration numbers and payment references: never reused


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0,
          microsecond: int = 0) -> datetime:
    """A moment on the branch's clock (Asia/Ho_Chi_Minh, UTC+7)."""
    return datetime.combine(day, time(hour, minute, second, microsecond), tzinfo=ZONE)


# --- the reference rows a history uses -----------------------------------------------------
def scene_make(*, enterprises: int = 3) -> SimpleNamespace:
    """Two offices (the shipped 20BB and a second one made here) with their gates, import and
    export regimes, a few enterprises, a declarant and tariff lines of four chapters."""
    from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory

    main = CustomsOffice.objects.get(code="20BB")
    other, _ = CustomsOffice.objects.get_or_create(
        code="20BC", defaults={"name_vi": "Chi cục HQ cửa khẩu Hoành Mô",
                               "name_en": "Hoanh Mo border-gate customs"})
    other_gate, _ = BorderGate.objects.get_or_create(
        code="HMHM", defaults={"office": other, "name_vi": "Cửa khẩu Hoành Mô",
                               "name_en": "Hoanh Mo border gate"})
    gates = [*BorderGate.objects.filter(office=main, code__in=["MCBL1", "MCKL"]).order_by("code"),
             other_gate]
    tariff_lines = [TariffLine.objects.filter(hs_code__startswith=chapter).order_by("hs_code")
                    .first() for chapter in CHAPTERS]
    firms = [EnterpriseFactory() for _ in range(enterprises)]
    return SimpleNamespace(
        gates=gates,  # each gate's office is the declaration's office
        regimes=list(Regime.objects.filter(code__in=["A11", "A12", "B11"]).order_by("code")),
        enterprises=firms, declarant=DeclarantFactory(enterprise=firms[0]),
        tariff_lines=tariff_lines)


def usd_rates_publish(rates: dict[date, Decimal]) -> None:
    """The customs USD rates of some weeks (week start -> VND per USD)."""
    ExchangeRate.objects.bulk_create([ExchangeRate(currency_id="USD", week_start=week,
                                                   rate_vnd=rate)
                                      for week, rate in rates.items()])


# --- one declaration's rows as plain data ----------------------------------------------------
@dataclass
class Filing:
    """A declaration's header as the rollups read it (indexes into the scene's lists)."""

    gate: int = 0
    regime: int = 0
    enterprise: int = 0
    currency: str = "USD"
    value: Decimal = Decimal("1000")
    exchange_rate: Decimal = Decimal("25000")
    taxes: dict = field(default_factory=dict)  # {"vat_vnd": Decimal(...), ...}
    lines: list = field(default_factory=list)  # [(chapter index, line value)]


@dataclass
class History:
    """A declaration and every raw row of it: events (from, to, at), payments (amount, at),
    outcomes (kind, outcome, at), violations (penalty, at)."""

    filing: Filing
    events: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    violations: list = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.events[-1][1] if self.events else "draft"


def walk(choices: list[int]) -> list[tuple[str, str]]:
    """A path through the transition table from draft: each choice picks the next state among
    those allowed (modulo their number, so 0 is the first listed: submit, route, green, clear,
    gate-out). Ends when the choices run out or a terminal state is reached."""
    state, path = "draft", []
    for choice in choices:
        targets = allowed_targets(state)
        if not targets:
            break
        step = targets[choice % len(targets)]
        path.append((state, step))
        state = step
    return path


def timed(path: list[tuple[str, str]], start: datetime, gaps: list[timedelta]) -> list[tuple]:
    """The path's events, the first at `start` and each next one a gap later (a negative gap
    logs a later step before an earlier one, as a clock skew would)."""
    events, at = [], start
    for n, (frm, to) in enumerate(path):
        if n:
            at += gaps[(n - 1) % len(gaps)] if gaps else timedelta(0)
        events.append((frm, to, at))
    return events


# --- writing the rows --------------------------------------------------------------------------
def declarations_insert(scene, filings: list[Filing], *, states: list[str] | None = None) -> list:
    """One Declaration (and its goods lines) per filing, in one bulk insert; returns the ids."""
    declarations = []
    for n, filing in enumerate(filings):
        gate = scene.gates[filing.gate]
        regime = scene.regimes[filing.regime]
        state = states[n] if states else "submitted"
        channel = state if state in {"green", "yellow", "red"} else ""
        number = next(_numbers)
        declarations.append(Declaration(
            number=None if state in {"draft", "cancelled"} else f"9{number:011d}",
            flow=regime.flow, regime=regime, enterprise=scene.enterprises[filing.enterprise],
            declarant=scene.declarant, office_id=gate.office_id, border_gate=gate,
            trading_country_id="CN", partner_name="Dongxing Huaxin Trading Co., Ltd.",
            invoice_number=f"HX-{number}", invoice_date=date(2025, 1, 1), incoterm="DAP",
            currency_id=filing.currency, total_invoice_value=filing.value,
            gross_weight_kg=Decimal("1000"), packages=10, state=state, channel=channel,
            exchange_rate=filing.exchange_rate,
            **{tax: filing.taxes.get(tax, Decimal(0)) for tax in TAXES}))
    Declaration.objects.bulk_create(declarations)
    GoodsLine.objects.bulk_create([
        GoodsLine(declaration=declaration, line_no=no, tariff_line=scene.tariff_lines[chapter],
                  description="Hàng thử", origin_country_id="CN", quantity=Decimal(1),
                  unit="KGM", unit_price=value, line_value=value)
        for declaration, filing in zip(declarations, filings, strict=True)
        for no, (chapter, value) in enumerate(filing.lines, start=1)])
    return [declaration.pk for declaration in declarations]


def events_insert(rows: list[tuple]) -> None:
    """(declaration id, from state, to state, at) rows, in one INSERT."""
    DeclarationEvent.objects.bulk_create([
        DeclarationEvent(declaration_id=pk, from_state=frm, to_state=to, at=at)
        for pk, frm, to, at in rows])


def payments_insert(rows: list[tuple], *, by: User) -> None:
    """(declaration id, amount VND, paid at) rows."""
    DutyPayment.objects.bulk_create([
        DutyPayment(declaration_id=pk, amount_vnd=amount, reference=f"KB-R{next(_numbers):09d}",
                    paid_by=by, paid_at=at) for pk, amount, at in rows])


def _enterprises_of(rows: list[tuple]) -> dict[int, int]:
    return dict(Declaration.objects.filter(pk__in={row[0] for row in rows})
                .values_list("pk", "enterprise_id"))


def outcomes_insert(rows: list[tuple]) -> None:
    """(declaration id, check kind, outcome, decided at) rows."""
    enterprises = _enterprises_of(rows)
    CheckOutcome.objects.bulk_create([
        CheckOutcome(declaration_id=pk, enterprise_id=enterprises[pk], check_kind=kind,
                     outcome=outcome, decided_at=at) for pk, kind, outcome, at in rows])


def violations_insert(rows: list[tuple]) -> None:
    """(declaration id, penalty VND, found at) rows."""
    enterprises = _enterprises_of(rows)
    Violation.objects.bulk_create([
        Violation(declaration_id=pk, enterprise_id=enterprises[pk], violation_type="value",
                  description="Trị giá khai thấp hơn thực tế", penalty_vnd=penalty,
                  found_at=at, found_during="inspection") for pk, penalty, at in rows])


def histories_insert(scene, histories: list[History]) -> list[int]:
    """Every row of the histories; the declarations' state is their path's last state."""
    ids = declarations_insert(scene, [h.filing for h in histories],
                              states=[h.state for h in histories])
    rows_insert(scene, list(zip(ids, histories, strict=True)))
    return ids


def rows_insert(scene, pairs: list[tuple[int, History]]) -> None:
    """The raw rows of (declaration id, history) pairs for declarations already inserted."""
    events_insert([(pk, *event) for pk, h in pairs for event in h.events])
    payments = [(pk, *payment) for pk, h in pairs for payment in h.payments]
    if payments:
        payments_insert(payments, by=scene.declarant)
    outcomes = [(pk, *outcome) for pk, h in pairs for outcome in h.outcomes]
    if outcomes:
        outcomes_insert(outcomes)
    violations = [(pk, *violation) for pk, h in pairs for violation in h.violations]
    if violations:
        violations_insert(violations)


def history_random(rng: random.Random, *, start: datetime, days: int = 3) -> History:
    """A random history whose rows fall within `days` days from `start` (race tests)."""
    begin = start + timedelta(seconds=rng.randrange(days * 86400))
    path = walk([rng.choice([0, 0, 1, 2, 3]) for _ in range(rng.randrange(3, 10))])
    gaps = [timedelta(seconds=rng.choice([0, 1, 59, 3600, 4 * 3600, 20 * 3600]),
                      microseconds=rng.randrange(10 ** 6)) for _ in range(len(path))]
    registered = bool(path) and path[0][1] == "submitted"
    later = [begin + timedelta(seconds=rng.randrange(2 * 86400)) for _ in range(3)]
    return History(
        filing=Filing(gate=rng.randrange(3), regime=rng.randrange(3), enterprise=rng.randrange(3),
                      currency=rng.choice(CURRENCIES), value=Decimal(rng.randrange(1, 10 ** 6)),
                      exchange_rate=Decimal("3649.52"),
                      taxes={"vat_vnd": Decimal(rng.randrange(10 ** 7))},
                      lines=[(rng.randrange(len(CHAPTERS)), Decimal(rng.randrange(1, 10 ** 5)))
                             for _ in range(rng.randrange(3))]),
        events=timed(path, begin, gaps),
        payments=[(Decimal(rng.randrange(1, 10 ** 8)), later[0])] if registered else [],
        outcomes=[("doc_check", rng.choice(["conform", "violation"]), later[1])]
        if rng.random() < 0.3 else [],
        violations=[(Decimal(rng.randrange(10 ** 7)), later[2])] if rng.random() < 0.2 else [])


# --- the checks ----------------------------------------------------------------------------------
def assert_rollups_match(first: date, last: date) -> None:
    """Every stored rollup figure of first..last equals the direct computation."""
    problems = direct.differences(first, last)
    assert problems == [], "\n".join(problems[:20])


def assert_quantiles_within_a_bucket(first: date, last: date) -> int:
    """For every (day, key, segment) of first..last, and for each segment over the whole range,
    the median and p90 read from the stored buckets fall in the bucket of the exact figure (so
    the value shown is within one bucket of it). Returns the number of groups checked."""
    expected, actual = direct.compute(first, last), direct.stored(first, last)
    groups = [(key, values, {b: count for b, (count, _s) in actual.segments.get(key, {}).items()})
              for key, values in expected.segments.items()]
    per_segment_values = defaultdict(list)
    per_segment_counts = defaultdict(lambda: defaultdict(int))
    for key, values, counts in groups:
        per_segment_values[key[-1]] += values
        for bucket, count in counts.items():
            per_segment_counts[key[-1]][bucket] += count
    groups += [(segment, values, dict(per_segment_counts[segment]))
               for segment, values in per_segment_values.items()]
    for key, values, counts in groups:
        for q in (0.5, 0.9):
            exact = histogram.exact_quantile(values, q)
            stored = histogram.quantile_bucket(counts, q)
            assert stored is not None, f"{key}: no stored buckets for {len(values)} values"
            assert abs(stored - histogram.bucket_of(exact)) <= 1, (key, q, exact, counts)
            shown = histogram.quantile(counts, q)  # the figure a dashboard prints
            assert abs(histogram.bucket_of(shown) - histogram.bucket_of(exact)) <= 1, (key, q)
    return len(groups)


def stored_days() -> tuple[date, date]:
    """The first and last local days of every raw row in the database."""
    from django.db.models import Max, Min

    moments = []
    for model, column in ((DeclarationEvent, "at"), (DutyPayment, "paid_at"),
                          (CheckOutcome, "decided_at"), (Violation, "found_at")):
        span = model.objects.aggregate(first=Min(column), last=Max(column))
        moments += [moment for moment in span.values() if moment is not None]
    days = [moment.astimezone(ZONE).date() for moment in moments]
    return min(days), max(days)


def history_days(histories: list[History]) -> tuple[date, date]:
    """The first and last local days any row of the histories falls on."""
    moments = [row[-1] for h in histories
               for row in (*h.events, *h.payments, *h.outcomes, *h.violations)]
    days = [moment.astimezone(ZONE).date() for moment in moments]
    return min(days), max(days)

