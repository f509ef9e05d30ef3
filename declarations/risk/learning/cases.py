"""What the learner sees of one declaration, and what its inspection revealed.

A `Case` is flat on purpose: any history can be replayed through the backtest once its rows
are mapped to one (the branch's declarations through `case_of`, a public data set by its
columns). Keys left empty are simply not profiled.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, eq=False)
class Case:
    id: str  # unique in the history; seeds the reproducible draws (ties, exploration)
    on: date  # registration day: the replay walks in this order
    hs_code: str  # the tariff line (8 digits here; any length >= 6 works)
    origin: str = ""
    trading_country: str = ""
    enterprise: str = ""  # importer / exporter
    declarant: str = ""
    gate: str = ""  # border gate or office
    partner: str = ""  # foreign seller / buyer
    value_usd: float = 0.0  # customs value of the goods
    quantity: float = 0.0  # net mass or quantity: with the value, the unit value
    # lowest declared unit price / reference price over the lines (None: no reference)
    price_ratio: float | None = None
    numbers: Mapping[str, float] = field(default_factory=dict)  # other numeric facts
    categories: Mapping[str, str] = field(default_factory=dict)  # other categorical facts
    ref: Any = None  # the caller's own object (the rules engine's Facts); never read here

    def __post_init__(self):
        # Rows mapped from elsewhere (a CSV, a data frame) may carry numbers as codes, None
        # for a missing value, a timestamp for the day: normalise once, here.
        for name in ("id", "hs_code", "origin", "trading_country", "enterprise", "declarant",
                     "gate", "partner"):
            value = getattr(self, name)
            if not isinstance(value, str):
                object.__setattr__(self, name, "" if value is None else str(value))
        for name in ("value_usd", "quantity"):
            value = getattr(self, name)
            object.__setattr__(self, name, float(value) if value is not None and value == value
                               else 0.0)
        if isinstance(self.on, datetime):
            object.__setattr__(self, "on", self.on.date())


@dataclass(frozen=True)
class Outcome:
    """What an inspection of the declaration found: a violation or not, and the duties and
    penalties it recovered (VND)."""

    violation: bool
    found_vnd: float = 0.0


def case_of(facts) -> Case:
    """The learner's view of the risk engine's `Facts` of a declaration: the keys of its main
    line (the first: declarants put the main goods first), the lowest price ratio over its
    lines, and the facts the rules read, as numbers and categories."""
    main = facts.lines[0] if facts.lines else None
    ratios = [float(line.unit_price_usd / line.reference_price_usd) for line in facts.lines
              if line.unit_price_usd is not None and line.reference_price_usd]
    # No count of the enterprise's violations here: they are labels, which the learner reads
    # only through the profiles of what was inspected (a replay must not see the others).
    numbers = {"lines": float(len(facts.lines)),
               "amendments": float(facts.amendment_count),
               "priority": 1.0 if facts.enterprise_priority else 0.0}
    if facts.enterprise_age_days is not None:
        numbers["enterprise_age_days"] = float(facts.enterprise_age_days)
    return Case(id=facts.number, on=facts.on, hs_code=main.hs_code if main else "",
                origin=main.origin if main else "", trading_country=facts.trading_country,
                enterprise=facts.enterprise_tax_code, declarant=facts.declarant,
                gate=facts.border_gate, partner=facts.partner,
                value_usd=float(facts.value_usd or 0), quantity=float(facts.quantity or 0),
                price_ratio=min(ratios) if ratios else None, numbers=numbers,
                categories={"regime": facts.regime}, ref=facts)
