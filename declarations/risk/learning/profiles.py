"""Risk profiles: the rate of violations among inspected declarations for each value of a key
(an HS line, an enterprise, HS6 x origin...), smoothed toward the base rate so that a few
inspections never look certain:

    rate = (violations + PRIOR * base) / (inspections + PRIOR)

A key with 1 violation in 1 inspection and base 10% gets (1 + 2) / (1 + 20) = 14%, not 100%;
with 12 in 41 it gets 24%. Pure: labelled cases in, tables out.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .cases import Case

PRIOR = 20.0  # pseudo-inspections at the base rate added to every key
MIN_INSPECTIONS = 5  # a profile with fewer inspections gives no points and no reason


def _hs6(case: Case) -> str:
    return case.hs_code[:6] if len(case.hs_code) >= 6 else ""


def _pair(a: str, b: str) -> str:
    return f"{a}|{b}" if a and b else ""


# The profiled keys: name -> the key's value for a case ("" = not profiled for this case).
KEYS: dict[str, Callable[[Case], str]] = {
    "hs_line": lambda c: c.hs_code,
    "hs6": _hs6,
    "hs6_origin": lambda c: _pair(_hs6(c), c.origin),
    "hs6_trading": lambda c: _pair(_hs6(c), c.trading_country),
    "enterprise": lambda c: c.enterprise,
    "enterprise_hs6": lambda c: _pair(c.enterprise, _hs6(c)),
    "declarant": lambda c: c.declarant,
    "gate": lambda c: c.gate,
    "partner": lambda c: c.partner,
}


def key_values(case: Case, keys: Iterable[str] = KEYS) -> dict[str, str]:
    """The case's value of each key that applies to it."""
    values = {}
    for key in keys:
        value = KEYS[key](case)
        if value:
            values[key] = value
    return values


@dataclass(frozen=True)
class Rate:
    key: str
    value: str
    violations: int
    inspections: int
    rate: float  # smoothed
    lift: float  # rate / base rate

    def as_dict(self) -> dict:
        return {"key": self.key, "value": self.value, "violations": self.violations,
                "inspections": self.inspections, "rate": round(self.rate, 4),
                "lift": round(self.lift, 2)}


@dataclass(frozen=True)
class Profiles:
    base_rate: float
    violations: int
    inspections: int
    tables: Mapping[str, Mapping[str, tuple[int, int]]]  # key -> value -> (violations, n)
    prior: float = PRIOR

    def rate(self, key: str, value: str) -> Rate:
        v, n = self.tables.get(key, {}).get(value, (0, 0))
        rate = smoothed(v, n, self.base_rate, self.prior)
        return Rate(key, value, v, n, rate, rate / self.base_rate if self.base_rate else 1.0)

    def rates(self, case: Case, keys: Iterable[str] = KEYS) -> list[Rate]:
        return [self.rate(key, value) for key, value in key_values(case, keys).items()]

    def as_json(self) -> dict:
        return {"base_rate": self.base_rate, "violations": self.violations,
                "inspections": self.inspections, "prior": self.prior,
                "tables": {key: {value: list(vn) for value, vn in table.items()}
                           for key, table in self.tables.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Profiles":
        return cls(base_rate=data["base_rate"], violations=data["violations"],
                   inspections=data["inspections"], prior=data.get("prior", PRIOR),
                   tables={key: {value: (vn[0], vn[1]) for value, vn in table.items()}
                           for key, table in data["tables"].items()})


def smoothed(violations: int, inspections: int, base_rate: float, prior: float = PRIOR) -> float:
    return (violations + prior * base_rate) / (inspections + prior)


def profiles_fit(labelled: Iterable[tuple[Case, bool]], *, keys: Iterable[str] = KEYS,
                 prior: float = PRIOR) -> Profiles:
    """Count violations and inspections per key value over the inspected cases."""
    keys = list(keys)
    getters = [(key, KEYS[key]) for key in keys]
    tables: dict[str, dict[str, list[int]]] = {key: {} for key in keys}
    violations = inspections = 0
    for case, violation in labelled:
        hit = 1 if violation else 0
        violations += hit
        inspections += 1
        for key, get in getters:
            value = get(case)
            if not value:
                continue
            counts = tables[key].get(value)
            if counts is None:
                tables[key][value] = [hit, 1]
            else:
                counts[0] += hit
                counts[1] += 1
    base = violations / inspections if inspections else 0.0
    return Profiles(base_rate=base, violations=violations, inspections=inspections, prior=prior,
                    tables={key: {value: (c[0], c[1]) for value, c in sorted(table.items())}
                            for key, table in tables.items()})


def profile_points(lift: float, cap: int) -> int:
    """Points for a profile's lift: cap/2 per doubling of the base rate (4x base = the cap),
    nothing at or below the base rate."""
    if lift <= 1.0 or cap <= 0:
        return 0
    return min(cap, round(cap / 2 * math.log2(lift)))


def strongest(profiles: Profiles, case: Case, keys: Iterable[str] = KEYS, *,
              min_inspections: int = MIN_INSPECTIONS) -> Rate | None:
    """The key of the case with the highest lift among those inspected often enough."""
    best = None
    for rate in profiles.rates(case, keys):
        if rate.inspections >= min_inspections and (best is None or rate.lift > best.lift):
            best = rate
    return best
