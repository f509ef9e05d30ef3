"""Duties and taxes in VND for one declaration: pure Decimal arithmetic, no ORM (DESIGN.md 4).

Follows /work/shared/DUTIES.md (section numbers below are that file's):

- 1.1 / 1.2 customs value: imports at the first border gate (E/F terms add freight and insurance,
  C terms add extra freight and insurance bought, CIF/CIP/C&I take no insurance, D terms deduct
  costs after the gate); exports at the border gate of export (EXW/FCA add inland costs, C/D terms
  deduct international freight and insurance, FOB/FAS take none). Insurance is allocated by line
  value (Circular 39/2015 Art. 13(h)(2)); freight by value or by weight (Art. 13(g)(3)).
- 1.3 the caller passes the week's customs exchange rate; this module only multiplies.
- 2 import duty: ad valorem, absolute and mixed (Law 107 Art. 5-6); the lowest of MFN and every FTA
  the line qualifies for, else the ordinary rate (Law 107 Art. 5(3); Decree 134/2016 Art. 3(2)).
- 2.3 additional import duties; 3 export duty; 4.1 SCT base (Law 66/2025, from 1 Jan 2026);
  5 EPT (absolute, never on value; deferred for fuel sold by a key trader); 6.1 VAT base
  (Law 48/2024).
- 7 order and rounding: per line, half-up to whole VND, each next base built from rounded amounts.
- 8 regimes: C11/C12/C21 not subject to any tax; E21/E31 duty-exempt, no VAT, no EPT.
- 9 the algorithm, step by step.

Rates are percentages (Decimal("25") is 25 %); amounts per unit are VND per unit of the quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

MFN = "MFN"
ORDINARY = "ORDINARY"
EXPORT = "EXPORT"
EXEMPT = "EXEMPT"
NOT_SUBJECT = "NOT_SUBJECT"

MAX_LINES = 50  # Circular 38/2015 Art. 18(2)
# Allocated shares are kept to 6 decimals: VNACCS keeps a line's foreign-currency value to 4
# (DUTIES.md 1.1); two more keep the VND rounding of pro-rata shares exact (Example 8, by weight).
SHARE_QUANTUM = Decimal("0.000001")
INVOICE_PLACES = 4  # invoice values carry at most 4 decimals (Circular 38/2015 Art. 18(5))

# DUTIES.md 8: transit / bonded warehouse / non-tariff zone: no duty, SCT, EPT or VAT at all.
NOT_SUBJECT_REGIMES = frozenset({"C11", "C12", "C21"})
# DUTIES.md 8: processing (E21) and export production (E31) materials: duty exempt (Law 107
# Art. 16(6)-(7)), VAT not subject (Law 48 Art. 5(20)), EPT not collected (Circular 152
# Art. 2(2.4)); SCT is still paid and refunded later (Law 66 Art. 9(1)(a)).
PROCESSING_REGIMES = frozenset({"E21", "E31"})

_E_F_TERMS = frozenset({"EXW", "FCA", "FAS", "FOB"})
_C_FREIGHT_TERMS = frozenset({"CFR", "CPT", "C&F"})
_C_INSURED_TERMS = frozenset({"CIF", "CIP", "C&I"})
_D_TERMS = frozenset({"DAP", "DAT", "DPU", "DDP", "DDU", "DAF", "DES", "DEQ"})
INCOTERMS = _E_F_TERMS | _C_FREIGHT_TERMS | _C_INSURED_TERMS | _D_TERMS


class DutyInputError(ValueError):
    """Input the calculator refuses: non-Decimal or negative amounts, unknown codes, bad terms."""


class Flow(StrEnum):
    """Direction of the declaration."""

    IMPORT = "import"
    EXPORT = "export"


class FreightAllocation(StrEnum):
    """How unitemised freight is spread over the lines (Circular 39/2015 Art. 13(g)(3))."""

    VALUE = "value"
    WEIGHT = "weight"


def _as_decimal(name: str, value: object, places: int | None = None) -> Decimal:
    """A finite, non-negative Decimal (an int is accepted, a float or str refused)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise DutyInputError(f"{name} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite() or value < 0:
        raise DutyInputError(f"{name} must be a finite, non-negative Decimal, not {value}")
    with localcontext(prec=60):
        if places is not None and value % Decimal(1).scaleb(-places):
            raise DutyInputError(f"{name} has more than {places} decimals: {value}")
    return value


def _decimal(owner: object, name: str, *, optional: bool = False, places: int | None = None):
    """Check a Decimal field of a frozen dataclass and store it as Decimal."""
    value = getattr(owner, name)
    if value is None and optional:
        return None
    value = _as_decimal(name, value, places)
    object.__setattr__(owner, name, value)
    return value


def _code(owner: object, name: str, *, length: int, alpha: bool) -> str:
    """Check an upper-case code of a fixed length."""
    value = getattr(owner, name)
    ok = isinstance(value, str) and len(value) == length and value.isascii() and value.isupper()
    if not ok or (alpha and not value.isalpha()) or (not alpha and not value.isalnum()):
        raise DutyInputError(f"{name} must be a {length}-character upper-case code, not {value!r}")
    return value


@dataclass(frozen=True)
class FtaRate:
    """One special preferential (FTA) rate of a line and the member countries that may claim it."""

    code: str  # "ACFTA", "ATIGA", "RCEP", ...
    rate: Decimal
    members: frozenset[str]

    def __post_init__(self):
        if not isinstance(self.code, str) or not self.code:
            raise DutyInputError("FTA code must be a non-empty string")
        _decimal(self, "rate")
        if isinstance(self.members, str):
            raise DutyInputError("FTA members must be a collection of country codes")
        object.__setattr__(self, "members", frozenset(self.members))


@dataclass(frozen=True)
class LineRates:
    """Rates in force on the registration date for one goods line; None means not applicable."""

    mfn_rate: Decimal | None = None
    fta_rates: tuple[FtaRate, ...] = ()
    ordinary_rate: Decimal | None = None  # Decision 15/2023 list; otherwise 150 % of MFN
    import_vnd_per_unit: Decimal | None = None  # absolute or mixed duty (Law 107 Art. 6)
    export_rate: Decimal | None = None
    additional_rates: tuple[Decimal, ...] = ()  # anti-dumping, countervailing, safeguard
    sct_rate: Decimal | None = None
    sct_vnd_per_unit: Decimal | None = None
    ept_vnd_per_unit: Decimal | None = None
    vat_rate: Decimal | None = None  # None: not subject (or "not declared", fuel in 2026)

    def __post_init__(self):
        for name in (
            "mfn_rate",
            "ordinary_rate",
            "import_vnd_per_unit",
            "export_rate",
            "sct_rate",
            "sct_vnd_per_unit",
            "ept_vnd_per_unit",
            "vat_rate",
        ):
            _decimal(self, name, optional=True)
        ftas = tuple(self.fta_rates)
        if not all(isinstance(fta, FtaRate) for fta in ftas):
            raise DutyInputError("fta_rates must hold FtaRate items")
        if len({fta.code for fta in ftas}) != len(ftas):
            raise DutyInputError("fta_rates lists an FTA twice")
        object.__setattr__(self, "fta_rates", ftas)
        additional = tuple(_as_decimal("additional rate", rate) for rate in self.additional_rates)
        object.__setattr__(self, "additional_rates", additional)


@dataclass(frozen=True)
class LineInput:
    """One goods line as declared, with its rates."""

    line_no: int
    hs_code: str
    quantity: Decimal
    unit: str
    line_value: Decimal  # invoice currency
    origin_country: str  # ISO 3166 alpha-2
    rates: LineRates
    preferential_claimed: bool = False  # a certificate of origin (or guarantee) is presented
    claimed_ftas: frozenset[str] | None = None  # the C/O's agreements; None: any the origin is in
    mfn_treatment: bool = True  # False: the origin gets the ordinary rate
    duty_exempt: bool = False  # an import/export duty exemption recorded for this line
    weight: Decimal | None = None  # allocation key when freight is allocated by weight
    ept_quantity: Decimal | None = None  # quantity in the EPT schedule's unit; default quantity
    ept_taxable_percent: Decimal = Decimal(100)  # fossil share of a blend, HDPE share of a bag
    ept_deferred_to_sale: bool = False  # fuel for sale by a key trader: EPT paid on sale

    def __post_init__(self):
        if isinstance(self.line_no, bool) or not isinstance(self.line_no, int) or self.line_no < 1:
            raise DutyInputError(f"line_no must be a positive integer, not {self.line_no!r}")
        if not (
            isinstance(self.hs_code, str) and len(self.hs_code) == 8 and self.hs_code.isdigit()
        ):
            raise DutyInputError(f"hs_code must be 8 digits, not {self.hs_code!r}")
        if not isinstance(self.unit, str) or not self.unit.strip():
            raise DutyInputError("unit must be a non-empty string")
        _code(self, "origin_country", length=2, alpha=True)
        if not isinstance(self.rates, LineRates):
            raise DutyInputError("rates must be a LineRates")
        if _decimal(self, "quantity") == 0:
            raise DutyInputError(f"line {self.line_no}: quantity must be positive")
        _decimal(self, "line_value", places=INVOICE_PLACES)
        _decimal(self, "weight", optional=True)
        _decimal(self, "ept_quantity", optional=True)
        if _decimal(self, "ept_taxable_percent") > 100:
            raise DutyInputError("ept_taxable_percent must be at most 100")
        if isinstance(self.claimed_ftas, str):
            raise DutyInputError("claimed_ftas must be a collection of FTA codes")
        if self.claimed_ftas is not None:
            object.__setattr__(self, "claimed_ftas", frozenset(self.claimed_ftas))


@dataclass(frozen=True)
class DeclarationInput:
    """A declaration's header and goods lines, with the week's customs exchange rate."""

    flow: Flow
    regime: str  # VNACCS type code: A11, C11, E21, B11, ...
    incoterm: str
    currency: str  # ISO 4217
    exchange_rate: Decimal  # VND per unit of currency (DUTIES.md 1.3)
    lines: tuple[LineInput, ...]
    freight: Decimal = Decimal(0)  # invoice currency; added or deducted according to the incoterm
    insurance: Decimal = Decimal(0)
    freight_allocation: FreightAllocation = FreightAllocation.VALUE

    def __post_init__(self):
        try:
            object.__setattr__(self, "flow", Flow(self.flow))
            object.__setattr__(
                self, "freight_allocation", FreightAllocation(self.freight_allocation)
            )
        except ValueError as exc:
            raise DutyInputError(str(exc)) from None
        _code(self, "regime", length=3, alpha=False)
        _code(self, "currency", length=3, alpha=True)
        if self.incoterm not in INCOTERMS:
            raise DutyInputError(f"unknown incoterm {self.incoterm!r}")
        if _decimal(self, "exchange_rate") == 0:
            raise DutyInputError("exchange_rate must be positive")
        # VND amounts carry no decimals in VNACCS (DUTIES.md 7.2).
        places = 0 if self.currency == "VND" else INVOICE_PLACES
        if self.currency == "VND" and self.exchange_rate != 1:
            raise DutyInputError("a VND invoice takes exchange rate 1")
        _decimal(self, "freight", places=places)
        _decimal(self, "insurance", places=places)
        lines = tuple(self.lines)
        if not 1 <= len(lines) <= MAX_LINES:
            raise DutyInputError(f"a declaration has 1 to {MAX_LINES} goods lines")
        if not all(isinstance(line, LineInput) for line in lines):
            raise DutyInputError("lines must hold LineInput items")
        if len({line.line_no for line in lines}) != len(lines):
            raise DutyInputError("line numbers must be unique")
        for line in lines:
            _as_decimal(f"line {line.line_no} value", line.line_value, places)
        object.__setattr__(self, "lines", lines)
        freight_sign, insurance_sign = adjustment_signs(self.flow, self.incoterm)
        if (freight_sign == 0 and self.freight) or (insurance_sign == 0 and self.insurance):
            raise DutyInputError(
                f"{self.incoterm} {self.flow}: the price already holds these costs"
            )
        weighed = all(line.weight is not None for line in lines)
        if self.freight_allocation is FreightAllocation.WEIGHT and not weighed:
            raise DutyInputError("freight allocated by weight needs every line's weight")


@dataclass(frozen=True)
class LineResult:
    """Computed amounts of one goods line; all *_vnd are whole VND."""

    line_no: int
    freight_share: Decimal  # invoice currency, as allocated (before the incoterm's sign)
    insurance_share: Decimal
    customs_value: Decimal  # invoice currency, at the border gate
    customs_value_vnd: Decimal
    duty_schedule: str  # MFN, ORDINARY, an FTA code, EXPORT, EXEMPT or NOT_SUBJECT
    duty_rate: Decimal | None  # ad valorem percent applied, None when none applied
    import_duty_vnd: Decimal
    export_duty_vnd: Decimal
    additional_duty_vnd: Decimal
    sct_base_vnd: Decimal
    sct_vnd: Decimal
    ept_vnd: Decimal
    vat_rate: Decimal | None  # None: not subject to VAT on this declaration
    vat_base_vnd: Decimal
    vat_vnd: Decimal
    total_vnd: Decimal


TAX_FIELDS = (
    "import_duty_vnd",
    "export_duty_vnd",
    "additional_duty_vnd",
    "sct_vnd",
    "ept_vnd",
    "vat_vnd",
)


@dataclass(frozen=True)
class DutyResult:
    """Per-line results and per-tax-type totals of a declaration, in whole VND."""

    lines: tuple[LineResult, ...]
    customs_value_vnd: Decimal
    import_duty_vnd: Decimal
    export_duty_vnd: Decimal
    additional_duty_vnd: Decimal
    sct_vnd: Decimal
    ept_vnd: Decimal
    vat_vnd: Decimal
    total_vnd: Decimal


def round_vnd(amount: Decimal) -> Decimal:
    """Round to whole VND, half-up (Circular 174/2015 Art. 6(3)-(4))."""
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _percent(base: Decimal, rate: Decimal) -> Decimal:
    """base x rate %, rounded to whole VND."""
    return round_vnd(base * rate / 100)


def allocate(total: Decimal, keys: Sequence[Decimal], quantum: Decimal = SHARE_QUANTUM):
    """Split total pro rata to keys in steps of quantum (largest remainder) so shares sum to it."""
    with localcontext(prec=60):
        if total == 0:
            return tuple(Decimal(0).quantize(quantum) for _ in keys)
        key_sum = sum(keys, Decimal(0))
        if key_sum <= 0:
            raise DutyInputError("cannot allocate an amount over lines whose keys sum to zero")
        exact = [total * key / key_sum for key in keys]
        shares = [share.quantize(quantum, rounding=ROUND_FLOOR) for share in exact]
        left = int((total - sum(shares, Decimal(0))) / quantum)
        by_remainder = sorted(range(len(keys)), key=lambda i: (shares[i] - exact[i], i))
        for i in by_remainder[:left]:
            shares[i] += quantum
        return tuple(shares)


def adjustment_signs(flow: Flow, incoterm: str) -> tuple[int, int]:
    """Sign of freight and insurance from invoice price to border-gate value (0: not allowed)."""
    if flow is Flow.IMPORT:
        # Circular 39/2015 Art. 13(g)-(h): add freight and insurance to the first gate of import;
        # on C terms only extra freight (FR1 "E") and insurance bought. Art. 15: deduct the
        # transport and insurance after that gate (D terms delivering inside Vietnam).
        if incoterm in _E_F_TERMS or incoterm in _C_FREIGHT_TERMS:
            return 1, 1
        if incoterm in _C_INSURED_TERMS:
            return 1, 0  # VNACCS refuses IN1 on CIF/CIP/C&I (DUTIES.md 1.1)
        return -1, -1
    # Circular 39/2015 Art. 4(2)(b) (exports): add inland costs up to the export gate for goods
    # delivered in Vietnam, deduct international freight and insurance for delivery abroad.
    if incoterm in {"EXW", "FCA"}:
        return 1, 1
    if incoterm in {"FAS", "FOB"}:
        return 0, 0
    return -1, -1


def _import_rate(line: LineInput) -> tuple[str, Decimal]:
    """Lowest of MFN and each FTA the line qualifies for, else ordinary (Law 107 Art. 5(3))."""
    rates = line.rates
    if rates.mfn_rate is None:
        raise DutyInputError(f"line {line.line_no}: no MFN rate for an import")
    candidates = [(MFN, rates.mfn_rate)] if line.mfn_treatment else []
    if line.preferential_claimed:
        # An FTA applies only to an origin in a member country with its C/O (DUTIES.md 2.2);
        # Decree 134/2016 Art. 3(2): if MFN is lower, MFN applies. min() keeps MFN on a tie.
        candidates += [
            (fta.code, fta.rate)
            for fta in rates.fta_rates
            if line.origin_country in fta.members
            and (line.claimed_ftas is None or fta.code in line.claimed_ftas)
        ]
    if not candidates:
        # Ordinary rate = 150 % of MFN, or the Decision 15/2023/QD-TTg rate for 0 %-MFN lines.
        if rates.ordinary_rate is not None:
            return ORDINARY, rates.ordinary_rate
        return ORDINARY, rates.mfn_rate * Decimal("1.5")
    return min(candidates, key=lambda candidate: candidate[1])


def _line_taxes(decl: DeclarationInput, line: LineInput, cv: Decimal) -> dict:
    """Taxes of one line from its customs value in VND, in the order of DUTIES.md 7.1."""
    rates = line.rates
    zero = Decimal(0)
    out = dict.fromkeys(TAX_FIELDS + ("sct_base_vnd", "vat_base_vnd"), zero)
    out |= {"duty_schedule": NOT_SUBJECT, "duty_rate": None, "vat_rate": None}
    if decl.regime in NOT_SUBJECT_REGIMES:
        return out
    if decl.flow is Flow.EXPORT:
        # Export duty only on lines of the export tariff (DUTIES.md 3); export VAT is not collected.
        if line.duty_exempt and rates.export_rate is not None:
            out["duty_schedule"] = EXEMPT
        elif rates.export_rate is not None:
            out |= {"duty_schedule": EXPORT, "duty_rate": rates.export_rate}
            out["export_duty_vnd"] = _percent(cv, rates.export_rate)
        return out

    processing = decl.regime in PROCESSING_REGIMES
    if processing or line.duty_exempt:
        out["duty_schedule"] = EXEMPT  # an exempted duty stays out of the SCT/VAT bases
    else:
        schedule, rate = _import_rate(line)
        duty = _percent(cv, rate)
        if rates.import_vnd_per_unit is not None:  # absolute / mixed (Law 107 Art. 6)
            duty += round_vnd(line.quantity * rates.import_vnd_per_unit)
        out |= {"duty_schedule": schedule, "duty_rate": rate, "import_duty_vnd": duty}
    # Additional import duties (Law 107 Art. 4(5)-(7)), each rounded on its own (DUTIES.md 9).
    out["additional_duty_vnd"] = sum((_percent(cv, rate) for rate in rates.additional_rates), zero)
    # SCT base = customs value + import duty + additional duties (Law 66/2025 Art. 6(1)(b)).
    if rates.sct_rate is not None or rates.sct_vnd_per_unit is not None:
        base = cv + out["import_duty_vnd"] + out["additional_duty_vnd"]
        sct = _percent(base, rates.sct_rate or zero)
        if rates.sct_vnd_per_unit is not None:  # absolute part (Law 66 Art. 5)
            sct += round_vnd(line.quantity * rates.sct_vnd_per_unit)
        out |= {"sct_base_vnd": base, "sct_vnd": sct}
    # EPT = units x VND per unit (Law 57/2010 Art. 6-7); not collected for processing materials
    # (Circular 152 Art. 2(2.4)) nor at import for fuel sold by a key trader (Law 57 Art. 9(4)).
    if rates.ept_vnd_per_unit is not None and not processing and not line.ept_deferred_to_sale:
        quantity = line.quantity if line.ept_quantity is None else line.ept_quantity
        out["ept_vnd"] = round_vnd(
            quantity * line.ept_taxable_percent / 100 * rates.ept_vnd_per_unit
        )
    # VAT base = customs value + duty + additional + SCT + EPT (Law 48/2024 Art. 7(1)(b));
    # E21/E31 materials are not subject (Law 48 Art. 5(20)).
    if rates.vat_rate is not None and not processing:
        base = cv + out["import_duty_vnd"] + out["additional_duty_vnd"] + out["sct_vnd"]
        base += out["ept_vnd"]
        out |= {"vat_rate": rates.vat_rate, "vat_base_vnd": base}
        out["vat_vnd"] = _percent(base, rates.vat_rate)
    return out


def compute_duties(decl: DeclarationInput) -> DutyResult:
    """Customs value and every tax per line, and totals per tax type (DUTIES.md 9)."""
    if not isinstance(decl, DeclarationInput):
        raise DutyInputError("compute_duties takes a DeclarationInput")
    lines = decl.lines
    freight_sign, insurance_sign = adjustment_signs(decl.flow, decl.incoterm)
    values = [line.line_value for line in lines]
    if decl.freight_allocation is FreightAllocation.WEIGHT:
        freight_keys = [line.weight for line in lines]
    else:
        freight_keys = values
    freight_shares = allocate(decl.freight, freight_keys)
    insurance_shares = allocate(decl.insurance, values)  # always by value: Art. 13(h)(2)

    results = []
    with localcontext(prec=60):  # exact products: amounts stay far below 60 digits
        for line, freight, insurance in zip(lines, freight_shares, insurance_shares, strict=True):
            value = line.line_value + freight_sign * freight + insurance_sign * insurance
            if value < 0:
                raise DutyInputError(f"line {line.line_no}: deductions exceed the line value")
            cv = round_vnd(value * decl.exchange_rate)  # DUTIES.md 1.3, 7.2
            taxes = _line_taxes(decl, line, cv)
            total = sum((taxes[name] for name in TAX_FIELDS), Decimal(0))
            results.append(
                LineResult(
                    line_no=line.line_no,
                    freight_share=freight,
                    insurance_share=insurance,
                    customs_value=value,
                    customs_value_vnd=cv,
                    total_vnd=total,
                    **taxes,
                )
            )
    totals = {
        name: sum((getattr(result, name) for result in results), Decimal(0))
        for name in ("customs_value_vnd", *TAX_FIELDS, "total_vnd")
    }
    return DutyResult(lines=tuple(results), **totals)
