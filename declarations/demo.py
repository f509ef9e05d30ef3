"""Demo declarations: a realistic history (seed_demo --declarations N) and a few live ones.

The history spans a little over two years to today, with seasonal volume (the pre-Tết peak in
January, the Tết trough, the fruit season from May to August, quiet Sundays), the regime mix of
a land-border branch, Vietnamese declarants and mostly Chinese partners. Each declaration is
routed by the router an app above registers (the risk app's: the real engine with the default
ruleset, the capacity top-up and the enterprise's violations so far), which lands near the
national mix (57.5% green, 37.5% yellow, 5% red; DESIGN.md §4) with an assessment row
explaining every channel. Every declaration's
duties come from the real calculator (duties.py) and every state change has its event row, so
clearance-time figures can later be computed from the event log.

Rows are written with COPY on PostgreSQL (customs_core.bulk), so a million declarations
(~7 million rows with lines, events, payments and documents) take minutes, not hours.

The history has fraud to find, so that the check outcomes (the labels a learning risk engine
trains on) carry a signal. Each declaration is honest or carries one planted fraud, drawn from
patterns chosen reproducibly from the seed (`_World.planted`, `Planted`):

- undervalued pairs: a handful of HS code x origin pairs (codes the enterprises declare, origins
  other than VN) on which a line is declared at 30-60% of the reference price half the time: a
  VALUE fraud. Lines far below the reference price also occur at random elsewhere (1.5% of
  lines): honest cheap purchases, not fraud, so the valuation rule is an imperfect criterion;
- origin misdeclaring enterprises: a few enterprises (never AEO) one declaration in three of
  which is an ORIGIN fraud: an import claiming the ACFTA preference for goods declared Chinese
  that came from elsewhere (the declared origin stays the claimed one), or an export of foreign
  goods declared Vietnamese;
- risky partners: two foreign partners whose invoices are, now and then, a VALUE fraud (imports,
  at 60-85% of the reference price: below the valuation rule's notice) or a QUANTITY fraud
  (exports);
- noise: 1.5% of the other declarations carry an HS_CODE or QUANTITY fraud.

About 7-8% of declarations are fraudulent. The checks reveal the truth imperfectly, never
from the channel: a physical inspection finds a fraud 90% of the time (INSPECTION -> VIOLATION,
the violation of the fraud's type, the penalty a share of the evaded duties); a document check
sees a VALUE or ORIGIN fraud 40% of the time and escalates to red, where the inspection finds
it as above; an honest declaration is found conform (a few document checks escalate for other
reasons). Green declarations reveal nothing. `planted_contrast(inspected_history(),
planted_of(seed))` shows the planted patterns' violation rate among checked declarations
against the rest's.
"""

import random
from bisect import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from customs_core.bulk import BulkWriter, reserve_ids
from customs_core.choices import EnterpriseStatus, Flow, Role
from customs_core.demo import demo_enterprises_data
from customs_core.models import (
    BondedWarehouse,
    BorderGate,
    CustomsOffice,
    Enterprise,
    ExchangeRate,
    TariffLine,
    User,
)
from customs_core.reference_data import FTA_MEMBERS
from customs_core.selectors import week_start

from . import duties
from .choices import CheckResult, FoundDuring, ViolationType
from .choices import DeclarationState as S
from .duty_rates import calculator_line, line_rates_in_force
from .models import (
    CheckOutcome,
    Declaration,
    DeclarationEvent,
    Document,
    DutyPayment,
    GoodsLine,
    Violation,
)

HISTORY_DAYS = 760
BATCH = 5_000  # declarations generated per step (progress bar granularity, memory bound)
DEMO_CO_FILE = "demo/co-form-e.pdf"

# regime, weight; a land-border branch trading mostly with China
REGIMES = [("A11", 30), ("A12", 9), ("E31", 4), ("E21", 2), ("G11", 3), ("C11", 3), ("A41", 1),
           ("H11", 1), ("B11", 31), ("B13", 2), ("E52", 4), ("G21", 3), ("C12", 3), ("G61", 1),
           ("H21", 3)]
EXPORT_REGIMES = frozenset({"B11", "B13", "E52", "G21", "C12", "G61", "H21"})
CURRENCIES = [("USD", 74), ("CNY", 23), ("VND", 3)]
IMPORT_ORIGINS = [("CN", 86), ("TH", 4), ("KR", 3), ("JP", 2), ("TW", 2), ("MY", 1), ("ID", 1),
                  ("US", 1)]
MONTH_FACTOR = {1: 1.3, 2: 0.75, 3: 0.95, 4: 1.0, 5: 1.15, 6: 1.25, 7: 1.25, 8: 1.1, 9: 1.0,
                10: 1.0, 11: 1.05, 12: 1.2}
WEEKDAY_FACTOR = {0: 1.1, 1: 1.1, 2: 1.05, 3: 1.05, 4: 1.0, 5: 0.7, 6: 0.35}
TZ = timezone.get_default_timezone()

# The planted fraud (module docstring): how many patterns, how often they cheat, how well the
# checks see it.
PLANTED_PAIRS = 6  # HS code x origin pairs declared far below the reference price
PAIR_UNDERVALUED = 0.5  # share of the lines on such a pair that are undervalued
PAIR_PRICE = (0.3, 0.6)  # declared / reference price of an undervalued line
CHEAP_LINE = 0.015  # share of other lines bought cheaply, honestly (far below the reference)
CHEAP_PRICE = (0.3, 0.55)
ORIGIN_ENTERPRISES = 4  # enterprises that misdeclare origin
ORIGIN_FRAUD = 0.35  # share of their declarations
RISKY_PARTNERS = 2  # foreign partners with an extra fraud rate
PARTNER_FRAUD = 0.12
PARTNER_PRICE = (0.6, 0.85)  # under-invoiced, but above the valuation rule's tolerance
NOISE_FRAUD = 0.015  # other declarations with an HS code or quantity fraud
HIDDEN_QUANTITY = (0.1, 0.4)  # undeclared share of the goods in a quantity fraud
INSPECTION_FINDS = 0.9  # a physical inspection finds an existing fraud
DOC_CHECK_FINDS = 0.4  # a document check sees a value or origin fraud (and escalates)
DOC_CHECK_EVIDENT = frozenset({"value", "origin"})
OTHER_ESCALATION = 0.04  # document checks escalated to red for other reasons
PENALTY_SHARE = Decimal("0.2")  # of the duties evaded (Law 38/2019 Art. 142: 20%)


def _weighted(pairs):
    values = [value for value, _ in pairs]
    cumulative = list(accumulate(weight for _, weight in pairs))
    total = cumulative[-1]

    def pick(rng: random.Random):
        return values[bisect(cumulative, rng.random() * total)]

    return pick


@dataclass(frozen=True)
class Planted:
    """The fraud patterns planted in a history (module docstring)."""

    pairs: frozenset[tuple[str, str]]  # (HS code, origin) undervalued
    enterprises: frozenset[int]  # pks of the enterprises that misdeclare origin
    partners: frozenset[str]  # names of the partners with an extra fraud rate

    def patterns(self, enterprise_id: int, partner_name: str,
                 pairs: Iterable[tuple[str, str]]) -> list[str]:
        """Which patterns a declaration falls under ("pairs", "enterprises", "partners")."""
        found = []
        if not self.pairs.isdisjoint(pairs):
            found.append("pairs")
        if enterprise_id in self.enterprises:
            found.append("enterprises")
        if partner_name in self.partners:
            found.append("partners")
        return found


def _plant(rng: random.Random, enterprises: list, partners: list[str]) -> Planted:
    """Half the pairs Chinese (frequent: the code alone tells), half of another origin (rarer:
    only the code with the origin tells)."""
    declared = sorted({code for _enterprise, codes in enterprises for code in codes})
    others = _weighted([(country, weight) for country, weight in IMPORT_ORIGINS
                        if country not in ("CN", "VN")])
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < min(PLANTED_PAIRS, len(declared)):
        pairs.add((rng.choice(declared), "CN" if len(pairs) % 2 == 0 else others(rng)))
    candidates = [e.pk for e, _codes in enterprises if not e.is_priority]
    return Planted(
        pairs=frozenset(pairs),
        enterprises=frozenset(rng.sample(candidates, min(ORIGIN_ENTERPRISES, len(candidates)))),
        partners=frozenset(rng.sample(partners, min(RISKY_PARTNERS, len(partners)))))


class _World:
    """Everything the generator draws from, loaded once; `planted` is the fraud to find."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now = rng, now
        self.today = today = timezone.localdate(now)
        data = demo_enterprises_data()
        self.partners = [p["name"] for p in data["foreign_partners"]]
        usable = {e.tax_code: e for e in Enterprise.objects.filter(
            status=EnterpriseStatus.ACTIVE, tax_debt_vnd=0)}
        self.lines_by_code = {t.hs_code: t for t in TariffLine.objects.all()}
        self.enterprises = []
        for row in data["enterprises"]:
            enterprise = usable.get(row["tax_code"])
            if enterprise is None:
                continue
            codes = [c for c in row.get("main_hs_codes", []) if c in self.lines_by_code]
            self.enterprises.append((enterprise, codes or list(self.lines_by_code)[:20]))
        self.declarants = _declarants_for([e for e, _ in self.enterprises])
        self.officers = {role: list(User.objects.filter(role=role).values_list("id", flat=True))
                         for role in (Role.DOC_CHECK, Role.INSPECTION)}
        self.office = CustomsOffice.objects.order_by("code").first()
        self.gates = list(BorderGate.objects.filter(is_active=True).values_list("id", flat=True))
        self.warehouses = list(BondedWarehouse.objects.values_list("id", flat=True))
        self.rates = {(r.currency_id, r.week_start): r.rate_vnd
                      for r in ExchangeRate.objects.filter(currency_id__in=["USD", "CNY"])}
        self.tariff_rates = {}
        self.all_codes = list(self.lines_by_code)
        self.regime = _weighted(REGIMES)
        self.currency = _weighted(CURRENCIES)
        self.origin = _weighted(IMPORT_ORIGINS)
        self.planted = _plant(random.Random(rng.getrandbits(64)), self.enterprises,
                              self.partners)
        start = today - timedelta(days=HISTORY_DAYS)
        self.days = [start + timedelta(days=n) for n in range(HISTORY_DAYS + 1)]
        trend = [1 + 0.12 * n / HISTORY_DAYS for n in range(len(self.days))]  # volume grows
        self.day_weights = list(accumulate(
            MONTH_FACTOR[d.month] * WEEKDAY_FACTOR[d.weekday()] * t
            for d, t in zip(self.days, trend, strict=True)))

    def day(self) -> date:
        return self.days[bisect(self.day_weights, self.rng.random() * self.day_weights[-1])]

    def line_rates(self, tariff: TariffLine, on: date) -> duties.LineRates:
        key = tariff.hs_code
        if key not in self.tariff_rates:  # one set of rates per line: the shipped data has one
            self.tariff_rates[key] = line_rates_in_force(tariff, on)
        return self.tariff_rates[key]

    def exchange_rate(self, currency: str, on: date) -> Decimal:
        if currency == "VND":
            return Decimal(1)
        week = week_start(on)
        while (currency, week) not in self.rates and week > self.days[0] - timedelta(days=400):
            week -= timedelta(days=7)
        return self.rates.get((currency, week), Decimal("25000" if currency == "USD" else "3500"))


class HistoryRouter:
    """Chooses the channel of each generated declaration, in registration order. This one
    routes everything green; the risk app registers its engine (register_router) so the demo
    history is routed by the real rules, with an assessment row explaining each channel."""

    def __init__(self):
        self.writers: dict = {}  # extra BulkWriters, flushed with the history's own

    def route(self, *, pk: int, number: str, day: date, regime: str, trading_country: str,
              enterprise: Enterprise, lines: list) -> tuple[str, bool]:
        """(channel, post-clearance audit) of the declaration."""
        return "green", False

    def routed(self, *, pk: int, at: datetime) -> None:
        """The declaration `pk` was routed at `at` (the last one route() was asked about)."""

    def violation(self, enterprise_pk: int, day: date) -> None:
        """A violation was found on a declaration of this enterprise that day."""


_ROUTER_FACTORIES: list = []


def register_router(factory) -> None:
    """The apps above declarations offer a better router (risk: the real engine)."""
    if factory not in _ROUTER_FACTORIES:
        _ROUTER_FACTORIES.append(factory)


def _router() -> HistoryRouter:
    return _ROUTER_FACTORIES[-1]() if _ROUTER_FACTORIES else HistoryRouter()


def _declarants_for(enterprises: list[Enterprise]) -> dict[int, int]:
    """One declarant user per demo enterprise (the demo accounts where they exist)."""
    existing = dict(User.objects.filter(role=Role.ENTERPRISE, enterprise__in=enterprises)
                    .order_by("-id").values_list("enterprise_id", "id"))
    unusable = make_password(None)
    for enterprise in enterprises:
        if enterprise.pk not in existing:
            user = User.objects.create(username=f"dn{enterprise.tax_code}", role=Role.ENTERPRISE,
                                       enterprise=enterprise, password=unusable,
                                       last_name="Người khai", first_name=enterprise.tax_code)
            existing[enterprise.pk] = user.pk
    return existing


def _aware(day: date, seconds: float) -> datetime:
    return datetime.combine(day, time(7, 30), tzinfo=TZ) + timedelta(seconds=seconds)


def _money(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP)


DECLARATION_COLUMNS = [f.column for f in Declaration._meta.concrete_fields]
LINE_COLUMNS = [f.column for f in GoodsLine._meta.concrete_fields if f.column != "id"]
EVENT_COLUMNS = ["declaration_id", "from_state", "to_state", "actor_id", "reason", "data", "at"]
VIOLATION_COLUMNS = ["declaration_id", "enterprise_id", "goods_line_id", "line_no",
                     "violation_type", "description", "penalty_vnd", "penalty_decision_number",
                     "penalty_paid_reference", "penalty_paid_at", "found_by_id", "found_at",
                     "found_during"]
OUTCOME_COLUMNS = ["declaration_id", "enterprise_id", "check_kind", "outcome", "examined",
                   "share_percent", "decided_by_id", "decided_at"]
VIOLATION_TEXT = {ViolationType.HS_CODE: "Phát hiện khai sai mã HS",
                  ViolationType.QUANTITY: "Số lượng thực tế khác số lượng khai báo",
                  ViolationType.VALUE: "Khai trị giá thấp hơn thực tế",
                  ViolationType.ORIGIN: "Khai sai xuất xứ hàng hóa"}
PAYMENT_COLUMNS = ["declaration_id", "amount_vnd", "reference", "paid_by_id", "paid_at"]
DOCUMENT_COLUMNS = ["declaration_id", "doc_type", "co_form", "reference", "file",
                    "original_name", "content_type", "size", "uploaded_by_id", "uploaded_at"]


def _path(world: _World, channel: str, horizon: float,
          fraud: str | None = None) -> list[tuple[str, str, float, str]]:
    """The states a declaration went through: (from, to, seconds after submission, actor),
    up to `horizon` seconds after submission (now). The checks find the declaration's `fraud`
    (a ViolationType, None when honest) imperfectly: the document check sees a value or origin
    fraud now and then and escalates, the physical inspection finds most; an honest
    declaration is conform."""
    rng = world.rng
    t = rng.uniform(3, 90)  # the risk worker's latency
    steps = [(S.SUBMITTED, S.SCORED, t, "system"), (S.SCORED, channel, t + 0.5, "system")]
    t += 1
    if channel == "green":
        t += rng.uniform(300, 3 * 3600)  # duties paid, automatic clearance
        steps.append((S.GREEN, S.CLEARED, t, "system"))
    elif channel == "yellow":
        t += rng.uniform(300, 5400)
        steps.append((S.YELLOW, S.DOC_CHECK, t, Role.DOC_CHECK))
        t += rng.uniform(600, 7200)  # the 2-working-hour clock
        seen = fraud in DOC_CHECK_EVIDENT and rng.random() < DOC_CHECK_FINDS
        if seen or rng.random() < OTHER_ESCALATION:
            steps.append((S.DOC_CHECK, S.RED, t, Role.DOC_CHECK))
            channel = "red"
        else:
            steps.append((S.DOC_CHECK, S.CLEARED, t, Role.DOC_CHECK))
    if channel == "red":
        t += rng.uniform(1800, 4 * 3600)
        steps.append((S.RED, S.INSPECTION, t, Role.INSPECTION))
        t += rng.uniform(3600, 8 * 3600)  # the 8-working-hour clock
        if fraud is not None and rng.random() < INSPECTION_FINDS:
            steps.append((S.INSPECTION, S.VIOLATION, t, Role.INSPECTION))
            # The penalty decision, then: the penalty and the extra duties paid and the goods
            # released, or (rarely) the goods seized.
            t += rng.uniform(4 * 3600, 3 * 86400)
            steps.append((S.VIOLATION, S.SEIZED if rng.random() < 0.05 else S.CLEARED, t,
                          Role.INSPECTION))
        else:
            steps.append((S.INSPECTION, S.CLEARED, t, Role.INSPECTION))
    if steps[-1][1] == S.CLEARED:
        t += rng.uniform(1800, 8 * 3600)
        steps.append((S.CLEARED, S.GATE_OUT, t, "system"))
    # The newest declarations are still on their way: cut the path where "now" falls.
    return [step for step in steps if step[2] <= horizon]


def _one(world: _World, router: HistoryRouter, pk: int, day: date, writers: dict) -> None:
    rng = world.rng
    enterprise, codes = world.enterprises[rng.randrange(len(world.enterprises))]
    declarant = world.declarants[enterprise.pk]
    regime = world.regime(rng)
    flow = Flow.EXPORT if regime in EXPORT_REGIMES else Flow.IMPORT
    currency = world.currency(rng)
    rate = world.exchange_rate(currency, day)
    created = _aware(day, rng.uniform(0, 9.5 * 3600))
    submitted = created + timedelta(seconds=rng.uniform(60, 3600))
    if submitted > world.now:  # today's office day is not over: filed a little before now
        submitted = world.now - timedelta(seconds=rng.uniform(60, 2 * 3600))
        created = min(created, submitted - timedelta(seconds=rng.uniform(60, 3600)))
    horizon = (world.now - submitted).total_seconds()

    # The planted truth (module docstring): at most one fraud, of the first pattern that cheats.
    planted = world.planted
    partner = rng.choice(world.partners)
    fraud = (ViolationType.ORIGIN if enterprise.pk in planted.enterprises
             and rng.random() < ORIGIN_FRAUD else None)
    if fraud is None and partner in planted.partners and rng.random() < PARTNER_FRAUD:
        fraud = ViolationType.VALUE if flow == Flow.IMPORT else ViolationType.QUANTITY
    under_invoiced = fraud == ViolationType.VALUE  # the partner's invoice: every line
    misdeclared_origin = fraud == ViolationType.ORIGIN and flow == Flow.IMPORT

    lines, inputs, ratios = [], [], []  # ratios: declared / true price of undervalued lines
    preferential = flow == Flow.IMPORT and (misdeclared_origin or rng.random() < 0.7)
    n_lines = min(1 + int(rng.expovariate(0.75)), 12)
    for line_no in range(1, n_lines + 1):
        tariff = world.lines_by_code[rng.choice(codes) if rng.random() < 0.85
                                     else rng.choice(world.all_codes)]
        origin = world.origin(rng) if flow == Flow.IMPORT else "VN"
        if misdeclared_origin:
            origin = "CN"  # claimed for the ACFTA preference; the goods came from elsewhere
        ratio = None
        if under_invoiced:
            ratio = rng.uniform(*PARTNER_PRICE)
            factor = ratio * rng.lognormvariate(0, 0.2)
        elif (tariff.hs_code, origin) in planted.pairs and rng.random() < PAIR_UNDERVALUED:
            ratio = factor = rng.uniform(*PAIR_PRICE)
            fraud = fraud or ViolationType.VALUE
        elif rng.random() < CHEAP_LINE:  # honest, far below the reference price all the same
            factor = rng.uniform(*CHEAP_PRICE)
        else:
            factor = rng.lognormvariate(0, 0.2)
        ratios.append(ratio)
        price_usd = float(tariff.reference_unit_price_usd or 2) * factor
        unit_price = _money(price_usd * (float(world.exchange_rate("USD", day)) / float(rate)),
                            "0.0001" if currency != "VND" else "1")
        quantity = Decimal(min(max(1, int(rng.lognormvariate(6.3, 0.9))), 30_000))
        value = (quantity * unit_price).quantize(Decimal("0.0001"))
        claimed = preferential and origin in FTA_MEMBERS["ACFTA"]
        lines.append((tariff, origin, quantity, unit_price, value, claimed,
                      _money(price_usd, "0.0001")))
        inputs.append(calculator_line(
            {"line_no": line_no, "tariff_line": tariff, "origin_country": origin,
             "quantity": quantity, "unit": tariff.unit, "line_value": value,
             "preferential_claimed": claimed},
            on=day, agreements=frozenset({"ACFTA"}) if claimed else frozenset(),
            rates=world.line_rates(tariff, day)))
    result = duties.compute_duties(duties.DeclarationInput(
        flow=flow, regime=regime, incoterm="DAP" if flow == Flow.IMPORT else "FCA",
        currency=currency, exchange_rate=rate, lines=tuple(inputs)))
    if fraud is None and rng.random() < NOISE_FRAUD:
        fraud = rng.choice((ViolationType.HS_CODE, ViolationType.QUANTITY))

    number = f"{'10' if flow == Flow.IMPORT else '30'}{pk:09d}0"
    trading_country = "CN" if rng.random() < 0.9 or lines[0][1] == "VN" else lines[0][1]
    channel, post_audit = router.route(
        pk=pk, number=number, day=day, regime=regime, trading_country=trading_country,
        enterprise=enterprise, lines=[(line[0], line[1], line[6]) for line in lines])
    if rng.random() < 0.015:
        path = [step for step in [(S.SUBMITTED, S.CANCELLED, rng.uniform(600, 7200),
                                   Role.ENTERPRISE)] if step[2] <= horizon]
    else:
        path = _path(world, channel, horizon, fraud)
    state = path[-1][1] if path else S.SUBMITTED
    routed = [step for step in path if step[0] == S.SCORED]
    cleared_at = next((submitted + timedelta(seconds=s[2]) for s in path
                       if s[1] == S.CLEARED), None)
    last_at = submitted + timedelta(seconds=path[-1][2]) if path else submitted
    paid = result.total_vnd if cleared_at else Decimal(0)
    total = sum((line[4] for line in lines), Decimal(0))

    row = {
        "id": pk, "number": number, "flow": flow, "regime_id": regime,
        "enterprise_id": enterprise.pk, "declarant_id": declarant, "office_id": world.office.pk,
        "border_gate_id": rng.choice(world.gates), "transport_mode": "road",
        "trading_country_id": trading_country,
        "partner_name": partner,
        "invoice_number": f"{rng.choice('HXDFGN')}{day:%y%m}-{pk % 100000:05d}",
        "invoice_date": day - timedelta(days=rng.randint(0, 6)), "incoterm":
        "DAP" if flow == Flow.IMPORT else "FCA", "currency_id": currency,
        "total_invoice_value": total, "freight": Decimal(0), "insurance": Decimal(0),
        "gross_weight_kg": Decimal(sum(int(line[2]) for line in lines)) * Decimal("1.08"),
        "packages": max(1, sum(int(line[2]) for line in lines) // 20), "containers": [],
        "vehicles": [f"{rng.choice(('14C', '14H', '15C', '29C'))}{rng.randrange(10000, 100000)}"],
        "bonded_warehouse_id": rng.choice(world.warehouses) if regime in {"C11", "C12"}
        else None,
        "state": state, "channel": routed[0][1] if routed else "", "version": 1 + len(path),
        "amendment_count": 0, "exchange_rate": rate,
        "customs_value_vnd": result.customs_value_vnd, "import_duty_vnd": result.import_duty_vnd,
        "export_duty_vnd": result.export_duty_vnd,
        "additional_duty_vnd": result.additional_duty_vnd, "sct_vnd": result.sct_vnd,
        "ept_vnd": result.ept_vnd, "vat_vnd": result.vat_vnd, "total_duty_vnd": result.total_vnd,
        "paid_vnd": paid, "created_at": created, "updated_at": last_at,
        "submitted_at": submitted, "cleared_at": cleared_at,
        "post_clearance_audit": bool(routed) and channel == "green" and post_audit,
        "documents_expected": [],
    }
    writers["declaration"].add(tuple(row[c] for c in DECLARATION_COLUMNS))
    if routed:
        router.routed(pk=pk, at=submitted + timedelta(seconds=routed[0][2]))
    if any(step[1] == S.VIOLATION for step in path):
        router.violation(enterprise.pk, day)
    for (tariff, origin, quantity, unit_price, value, claimed, _usd), res in zip(
            lines, result.lines, strict=True):
        line = {"declaration_id": pk, "line_no": res.line_no, "tariff_line_id": tariff.pk,
                "description": tariff.description_vi[:400], "origin_country_id": origin,
                "quantity": quantity, "unit": tariff.unit, "unit_price": unit_price,
                "line_value": value, "preferential_claimed": claimed,
                "customs_value_vnd": res.customs_value_vnd, "duty_schedule": res.duty_schedule,
                "duty_rate": res.duty_rate, "import_duty_vnd": res.import_duty_vnd,
                "export_duty_vnd": res.export_duty_vnd,
                "additional_duty_vnd": res.additional_duty_vnd, "sct_vnd": res.sct_vnd,
                "ept_vnd": res.ept_vnd, "vat_rate": res.vat_rate, "vat_vnd": res.vat_vnd,
                "total_vnd": res.total_vnd}
        writers["line"].add(tuple(line[c] for c in LINE_COLUMNS))
    events = writers["event"]
    events.add((pk, S.DRAFT, S.SUBMITTED, declarant, "", {}, submitted))
    for frm, to, seconds, actor in path:
        actor_id = (declarant if actor == Role.ENTERPRISE else None if actor == "system"
                    else rng.choice(world.officers[actor] or [declarant]))
        reason = "Khách hàng hủy hợp đồng" if to == S.CANCELLED else (
            VIOLATION_TEXT[fraud] if to == S.VIOLATION
            else "Đã nộp tiền phạt và thuế chênh lệch" if frm == S.VIOLATION and to == S.CLEARED
            else f"Quyết định tịch thu {pk % 10000}/QĐ-TTHQ" if to == S.SEIZED else "")
        events.add((pk, frm, to, actor_id, reason, {}, submitted + timedelta(seconds=seconds)))
        if frm in (S.DOC_CHECK, S.INSPECTION) and to in (S.CLEARED, S.VIOLATION):
            kind = FoundDuring.DOC_CHECK if frm == S.DOC_CHECK else FoundDuring.INSPECTION
            writers["outcome"].add((pk, enterprise.pk, kind,
                                    CheckResult.VIOLATION if to == S.VIOLATION
                                    else CheckResult.CONFORM,
                                    "documents" if frm == S.DOC_CHECK else "physical", None,
                                    actor_id, submitted + timedelta(seconds=seconds)))
        if to == S.VIOLATION:  # the inspector's finding, as declarations.violations records it
            settled = next((submitted + timedelta(seconds=s[2]) for s in path
                            if s[0] == S.VIOLATION and s[1] == S.CLEARED), None)
            penalty, line_no = _penalty(world, fraud, lines, ratios, result, day)
            writers["violation"].add((pk, enterprise.pk, None, line_no, fraud,
                                      VIOLATION_TEXT[fraud], penalty,
                                      f"{pk % 10000}/QĐ-XPHC",
                                      f"KBP{pk:012d}" if settled else "",
                                      settled - timedelta(minutes=30) if settled else None,
                                      actor_id, submitted + timedelta(seconds=seconds),
                                      FoundDuring.INSPECTION))
    if paid:
        writers["payment"].add((pk, paid, f"KB{pk:012d}", declarant,
                                cleared_at - timedelta(seconds=rng.uniform(30, 300))))
    if any(line[5] for line in lines):
        writers["document"].add((pk, "certificate_of_origin", "E", f"E{day:%y}{pk:09d}",
                                 DEMO_CO_FILE, "co-form-e.pdf", "application/pdf", 1024,
                                 declarant, created))


def _penalty(world: _World, fraud: str, lines: list, ratios: list, result, day: date,
             ) -> tuple[Decimal, int | None]:
    """The penalty of a fraud found, and the goods line concerned: a fine of the usual sizes,
    plus a share of the duties evaded where the fraud evaded duties (undervalued lines, an
    undue preference, hidden goods)."""
    rng = world.rng
    evaded, line_no = Decimal(0), None
    if fraud == ViolationType.VALUE:
        for ratio, res in zip(ratios, result.lines, strict=True):
            if ratio is not None:
                evaded += res.total_vnd * Decimal(str(round(1 / ratio - 1, 4)))
                line_no = line_no or res.line_no
    elif fraud == ViolationType.ORIGIN:
        for line, res in zip(lines, result.lines, strict=True):
            mfn = world.line_rates(line[0], day).mfn_rate
            if line[5] and mfn is not None and res.duty_rate is not None:
                vat = 1 + (res.vat_rate or Decimal(0)) / 100
                evaded += res.customs_value_vnd * (mfn - res.duty_rate) / 100 * vat
                line_no = line_no or res.line_no
    elif fraud == ViolationType.QUANTITY:
        evaded = result.total_vnd * Decimal(str(round(rng.uniform(*HIDDEN_QUANTITY), 4)))
    fine = Decimal(rng.choice((5, 10, 15, 20))) * 1_000_000
    return fine + (evaded * PENALTY_SHARE).quantize(Decimal("1E3")), line_no


def history_seed(*, count: int, seed: int, progress, now: datetime | None = None) -> int:
    """Generate `count` historical declarations with lines, events, payments and documents,
    none of them later than `now`."""
    if count <= 0:
        return 0
    if not default_storage.exists(DEMO_CO_FILE):
        default_storage.save(DEMO_CO_FILE, ContentFile(b"%PDF-1.4\n% demo C/O form E\n%%EOF\n"))
    world = _World(random.Random(seed), now or timezone.now())
    router = _router()
    # Registration order matters to routing (the day's top-up, violations so far): draw all
    # the days first, then generate in date order.
    days = sorted(world.day() for _ in range(count))
    first_id = reserve_ids(Declaration, count)
    writers = {"declaration": BulkWriter(Declaration, DECLARATION_COLUMNS),
               "line": BulkWriter(GoodsLine, LINE_COLUMNS),
               "event": BulkWriter(DeclarationEvent, EVENT_COLUMNS),
               "payment": BulkWriter(DutyPayment, PAYMENT_COLUMNS),
               "document": BulkWriter(Document, DOCUMENT_COLUMNS),
               "violation": BulkWriter(Violation, VIOLATION_COLUMNS),
               "outcome": BulkWriter(CheckOutcome, OUTCOME_COLUMNS), **router.writers}
    bar = progress(range(0, count, BATCH), desc="declarations", total=-(-count // BATCH),
                   unit=f"×{BATCH}")
    for start in bar:
        with transaction.atomic():
            for offset in range(start, min(start + BATCH, count)):
                _one(world, router, first_id + offset, days[offset], writers)
            for writer in writers.values():
                writer.flush()
    _analyze(writers.values())
    return writers["declaration"].written


def planted_of(seed: int) -> Planted:
    """The patterns planted in the history generated with `seed` (seed_demo --seed), as long
    as the demo enterprises that could declare then still can."""
    return _World(random.Random(seed), timezone.now()).planted


def inspected_history() -> list[tuple[int, str, frozenset[tuple[str, str]], bool]]:
    """Every checked declaration (a check outcome recorded): its enterprise, partner, the
    (HS code, origin) pairs of its lines and whether a check found a violation."""
    found: dict[int, bool] = {}
    for pk, outcome in CheckOutcome.objects.values_list("declaration_id", "outcome"):
        found[pk] = found.get(pk, False) or outcome == CheckResult.VIOLATION
    checked = CheckOutcome.objects.values("declaration_id")  # a subquery: no list of ids
    pairs: dict[int, set] = {}
    for pk, code, origin in GoodsLine.objects.filter(declaration_id__in=checked).values_list(
            "declaration_id", "tariff_line__hs_code", "origin_country_id"):
        pairs.setdefault(pk, set()).add((code, origin))
    return [(enterprise, partner, frozenset(pairs.get(pk, ())), found[pk])
            for pk, enterprise, partner in Declaration.objects.filter(pk__in=checked)
            .values_list("pk", "enterprise_id", "partner_name")]


def planted_contrast(checked: Iterable[tuple[int, str, Iterable[tuple[str, str]], bool]],
                     planted: Planted) -> dict[str, tuple[int, int]]:
    """(checked, found with a violation) of the checked declarations under each planted
    pattern ("pairs", "enterprises", "partners"), of those under any ("planted"), and of the
    others ("other"): the planted truth is learnable when the planted rates stand well above
    the other rate. `checked`: (enterprise pk, partner, (HS code, origin) pairs, found) rows,
    as inspected_history() gives them."""
    counts = {key: [0, 0] for key in ("pairs", "enterprises", "partners", "planted", "other")}
    for enterprise, partner, pairs, found in checked:
        patterns = planted.patterns(enterprise, partner, pairs)
        for key in [*patterns, "planted" if patterns else "other"]:
            counts[key][0] += 1
            counts[key][1] += bool(found)
    return {key: (n, hits) for key, (n, hits) in counts.items()}


def _analyze(writers) -> None:
    """Statistics for the planner after a bulk load (PostgreSQL): autovacuum would take them
    a minute later, and the apps seeded next (inspection's sweeper) query these tables now."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in sorted({w.table for w in writers}):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def live_seed() -> int:
    """A draft and a submitted declaration of the demo declarant, made through the services."""
    from . import services
    from .api.serializers import DeclarationInputSerializer
    from .testing import declaration_payload

    user = User.objects.filter(username="declarant").first()
    if user is None or Declaration.objects.filter(declarant=user, state=S.DRAFT).exists():
        return 0
    made = 0
    for state, invoice in ((S.SUBMITTED, "HX-DEMO-001"), (S.DRAFT, "HX-DEMO-002")):
        serializer = DeclarationInputSerializer(data=declaration_payload(invoice_number=invoice))
        serializer.is_valid(raise_exception=True)
        declaration = services.declaration_create_draft(user=user,
                                                        data=serializer.validated_data)
        if state == S.SUBMITTED:
            services.declaration_submit(declaration=declaration, user=user)
        made += 1
    return made


def seed(*, options: dict, progress) -> dict[str, int]:
    """Called by seed_demo after customs_core."""
    created = history_seed(count=options.get("declarations") or 0,
                           seed=options.get("seed") or 2017, progress=progress)
    return {"history": created, "live": live_seed()}

