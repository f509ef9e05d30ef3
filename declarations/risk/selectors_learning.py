"""Reads of learned selection for the officers' pages: the profile set in use and its strongest
values, the trained models, the backtests."""

import heapq
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from customs_core.models import BorderGate, Enterprise, User

from .learning.profiles import KEYS, MIN_INSPECTIONS, PRIOR, smoothed
from .models_learning import Backtest, RiskModel, RiskProfileSet

LEADERS = 10  # values shown per key
RECENT_BACKTESTS = 50


@dataclass(frozen=True)
class Leader:
    """One value of a key among the highest smoothed lifts."""

    key: str
    value: str
    violations: int
    inspections: int
    rate: float
    lift: float


def profile_set_in_use() -> RiskProfileSet | None:
    """The newest profile set: the one routing reads."""
    return RiskProfileSet.objects.select_related("built_by").order_by("-version").first()


def profile_leaders(profile_set: RiskProfileSet, *, top: int = LEADERS,
                    min_inspections: int = MIN_INSPECTIONS) -> dict[str, list[Leader]]:
    """Per key (in KEYS order), the `top` values with the highest smoothed lift among those
    inspected at least `min_inspections` times (ties: more inspections first, then the value)."""
    data = profile_set.tables
    base, prior = data.get("base_rate") or 0.0, data.get("prior", PRIOR)
    tables = data.get("tables", {})
    leaders = {}
    for key in [k for k in KEYS if k in tables] + sorted(set(tables) - set(KEYS)):
        rows = []
        for value, (violations, inspections) in tables[key].items():
            if inspections < min_inspections:
                continue
            rate = smoothed(violations, inspections, base, prior)
            rows.append(Leader(key, value, violations, inspections, rate,
                               rate / base if base else 1.0))
        leaders[key] = heapq.nsmallest(top, rows,
                                       key=lambda r: (-r.lift, -r.inspections, r.value))
    return leaders


def value_names(leaders: dict[str, list[Leader]]) -> dict[tuple[str, str], str]:
    """(key, value) -> the value as read, for the keys whose values are ids or codes: a border
    gate's code and name, a declarant's name, an enterprise's tax code and name (three queries
    at most). Values not found are left out (shown as they are)."""
    wanted: dict[str, set[str]] = {"gate": set(), "declarant": set(), "enterprise": set()}
    for key, rows in leaders.items():
        for row in rows:
            if key in ("gate", "declarant", "enterprise"):
                wanted[key].add(row.value)
            elif key == "enterprise_hs6":
                wanted["enterprise"].add(row.value.split("|", 1)[0])
    gates = {str(g.pk): f"{g.code} {g.name}" for g in BorderGate.objects.filter(
        pk__in=[v for v in wanted["gate"] if v.isdigit()])}
    people = {str(u.pk): u.get_full_name() or u.username for u in User.objects.filter(
        pk__in=[v for v in wanted["declarant"] if v.isdigit()])}
    firms = dict(Enterprise.objects.filter(tax_code__in=wanted["enterprise"])
                 .values_list("tax_code", "name")) if wanted["enterprise"] else {}
    names = {}
    for key, rows in leaders.items():
        for row in rows:
            if key == "gate" and row.value in gates:
                names[key, row.value] = gates[row.value]
            elif key == "declarant" and row.value in people:
                names[key, row.value] = people[row.value]
            elif key == "enterprise" and row.value in firms:
                names[key, row.value] = f"{row.value} {firms[row.value]}"
            elif key == "enterprise_hs6":
                tax_code, _sep, hs6 = row.value.partition("|")
                if tax_code in firms:
                    names[key, row.value] = f"{tax_code} {firms[tax_code]} × {hs6}"
    return names


def risk_models() -> QuerySet[RiskModel]:
    """Every trained model, newest first (without the booster text)."""
    return (RiskModel.objects.select_related("trained_by", "activated_by")
            .defer("booster", "featurizer").order_by("-version"))


def risk_model_get(version: int) -> RiskModel:
    model = (RiskModel.objects.select_related("trained_by", "activated_by")
             .defer("booster", "featurizer").filter(version=version).first())
    if model is None:
        raise Http404
    return model


def backtests_recent(limit: int = RECENT_BACKTESTS) -> list[Backtest]:
    return list(Backtest.objects.select_related("ruleset", "requested_by")
                .defer("result").order_by("-created_at", "-pk")[:limit])


def backtest_get(pk: int) -> Backtest:
    backtest = Backtest.objects.select_related("ruleset", "requested_by").filter(pk=pk).first()
    if backtest is None:
        raise Http404
    return backtest
