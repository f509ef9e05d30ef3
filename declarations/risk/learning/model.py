"""A gradient-boosted model of "an inspection of this declaration finds a violation", trained
on the inspected declarations (LightGBM), with per-feature reasons.

Features: for every profile key, the key's smoothed violation rate and (log) number of
inspections, out-of-fold for the training rows (5 folds by case id: a row's own label never
feeds its own rate, or the model would learn to read it back); the declaration's value,
quantity and unit value, the unit value against the usual one for its HS6 (mean and spread of
log unit values over every declaration seen, labelled or not: no label in it), the lowest
price against the reference price; the caller's other numbers and categories.

Pure and deterministic: the same cases give the same model (fixed seeds, one thread, row-wise
histograms) and the same scores.
"""

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import lightgbm
import numpy as np

from .cases import Case
from .profiles import KEYS, PRIOR, Profiles, profiles_fit, smoothed

MIN_OUTCOMES = 200  # inspected declarations needed to train a model
MIN_VIOLATIONS = 20  # ...of which violations
FOLDS = 5
ROUNDS = 200
PARAMS = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 20,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "cat_smooth": 10, "max_cat_to_onehot": 8, "deterministic": True, "force_row_wise": True,
    "num_threads": 1, "seed": 20261203, "verbose": -1,
}
VALUE_FEATURES = ("log_value", "log_quantity", "log_unit_value", "unit_value_vs_hs6",
                  "price_ratio")


def _fold(case_id: str) -> int:
    return zlib.crc32(case_id.encode()) % FOLDS


def _log_unit_value(case: Case) -> float | None:
    if case.value_usd > 0 and case.quantity > 0:
        return math.log(case.value_usd / case.quantity)
    return None


def unit_values_fit(seen: Iterable[Case]) -> dict[str, tuple[float, float, int]]:
    """Mean and spread of the log unit value per HS6 over every declaration seen."""
    sums: dict[str, list[float]] = {}
    for case in seen:
        luv = _log_unit_value(case)
        if luv is None or len(case.hs_code) < 6:
            continue
        s = sums.setdefault(case.hs_code[:6], [0.0, 0.0, 0])
        s[0] += luv
        s[1] += luv * luv
        s[2] += 1
    table = {}
    for hs6, (total, squares, n) in sorted(sums.items()):
        mean = total / n
        spread = math.sqrt(max(squares / n - mean * mean, 0.0))
        table[hs6] = (mean, max(spread, 0.05), n)
    return table


@dataclass(frozen=True)
class Reason:
    """One feature group's push toward "violation" (log-odds) with the facts behind it."""

    group: str  # a profile key, "unit_value", "value", "number:<name>", "category:<name>"
    weight: float
    args: dict

    def detail(self) -> str:
        a = self.args
        if self.group in KEYS:
            return (f"{self.group} {a['value']}: {a['violations']} violations in "
                    f"{a['inspections']} inspections, {a['lift']:.1f}x base")
        if self.group == "unit_value":
            parts = []
            if a.get("vs_usual") is not None:
                parts.append(f"unit value {a['vs_usual']:.2f}x the usual for HS {a['hs6']}")
            if a.get("price_ratio") is not None:
                parts.append(f"lowest price {a['price_ratio']:.2f}x reference")
            return "; ".join(parts) or "unit value"
        if self.group == "value":
            return f"value {a['value_usd']:,.0f} USD"
        return f"{self.group.split(':', 1)[1]} = {a['value']}"

    def as_dict(self) -> dict:
        return {"group": self.group, "weight": round(self.weight, 3), **self.args}


class Featurizer:
    """Turns cases into the model's feature matrix (see the module docstring)."""

    def __init__(self, profiles: Profiles, unit_values: dict, numbers: Sequence[str],
                 vocab: dict[str, dict[str, int]], *, keys: Sequence[str] | None = None,
                 categories: Sequence[str] | None = None):
        self.profiles = profiles
        self.unit_values = unit_values
        self.numbers = list(numbers)
        # The column order is part of the model: kept as lists, never taken from a stored
        # object's key order (PostgreSQL's jsonb sorts object keys).
        self.keys = list(keys if keys is not None else profiles.tables)
        self.vocab = {name: vocab[name] for name in (categories if categories is not None
                                                      else vocab)}
        self.names = ([f"rate:{k}" for k in self.keys] + [f"n:{k}" for k in self.keys]
                      + list(VALUE_FEATURES) + [f"number:{n}" for n in self.numbers]
                      + [f"category:{c}" for c in self.vocab])
        self.categorical = [i for i, name in enumerate(self.names)
                            if name.startswith("category:")]

    def _value_row(self, case: Case) -> list[float]:
        luv = _log_unit_value(case)
        usual = self.unit_values.get(case.hs_code[:6]) if luv is not None else None
        return [math.log1p(case.value_usd) if case.value_usd > 0 else math.nan,
                math.log1p(case.quantity) if case.quantity > 0 else math.nan,
                luv if luv is not None else math.nan,
                (luv - usual[0]) / usual[1] if usual and usual[2] >= 5 else math.nan,
                case.price_ratio if case.price_ratio is not None else math.nan]

    def _tail(self, case: Case) -> list[float]:
        return ([float(case.numbers.get(n, math.nan)) for n in self.numbers]
                + [float(self.vocab[c].get(case.categories.get(c, ""), -1))
                   if case.categories.get(c) in self.vocab[c] else math.nan
                   for c in self.vocab])

    def row(self, case: Case) -> list[float]:
        p = self.profiles
        rates, counts = [], []
        for key in self.keys:
            value = KEYS[key](case)
            v, n = p.tables[key].get(value, (0, 0)) if value else (0, 0)
            rates.append(smoothed(v, n, p.base_rate, p.prior) if value else math.nan)
            counts.append(math.log1p(n))
        return rates + counts + self._value_row(case) + self._tail(case)

    def matrix(self, cases: Sequence[Case]) -> np.ndarray:
        return np.array([self.row(c) for c in cases], dtype=np.float64).reshape(
            len(cases), len(self.names))

    def training_matrix(self, labelled: Sequence[tuple[Case, bool]]) -> np.ndarray:
        """Rows whose profile rates leave out the row's own fold."""
        p = self.profiles
        per_fold: dict[str, dict[str, list[int]]] = {k: {} for k in self.keys}
        folds = [_fold(case.id) for case, _ in labelled]
        for (case, label), fold in zip(labelled, folds, strict=True):
            for key in self.keys:
                value = KEYS[key](case)
                if value:
                    counts = per_fold[key].setdefault(value, [0] * (2 * FOLDS))
                    counts[2 * fold] += 1 if label else 0
                    counts[2 * fold + 1] += 1
        fold_totals = [[0, 0] for _ in range(FOLDS)]
        for (_case, label), fold in zip(labelled, folds, strict=True):
            fold_totals[fold][0] += 1 if label else 0
            fold_totals[fold][1] += 1
        rows = []
        for (case, _label), fold in zip(labelled, folds, strict=True):
            out_v = p.violations - fold_totals[fold][0]
            out_n = p.inspections - fold_totals[fold][1]
            base = out_v / out_n if out_n else p.base_rate
            rates, counts = [], []
            for key in self.keys:
                value = KEYS[key](case)
                if not value:
                    rates.append(math.nan)
                    counts.append(0.0)
                    continue
                v, n = p.tables[key][value]
                own = per_fold[key][value]
                v, n = v - own[2 * fold], n - own[2 * fold + 1]
                rates.append(smoothed(v, n, base, p.prior))
                counts.append(math.log1p(n))
            rows.append(rates + counts + self._value_row(case) + self._tail(case))
        return np.array(rows, dtype=np.float64).reshape(len(labelled), len(self.names))

    def as_json(self) -> dict:
        return {"profiles": self.profiles.as_json(),
                "unit_values": {k: list(v) for k, v in self.unit_values.items()},
                "numbers": self.numbers, "vocab": self.vocab, "keys": self.keys,
                "categories": list(self.vocab)}

    @classmethod
    def from_json(cls, data: dict) -> "Featurizer":
        return cls(Profiles.from_json(data["profiles"]),
                   {k: tuple(v) for k, v in data["unit_values"].items()}, data["numbers"],
                   data["vocab"], keys=data["keys"], categories=data["categories"])


class Model:
    """A trained booster with the featurizer its features came from."""

    def __init__(self, booster: lightgbm.Booster, featurizer: Featurizer, *,
                 trained_on: int, violations: int):
        self.booster = booster
        self.featurizer = featurizer
        self.trained_on = trained_on
        self.violations = violations

    @property
    def base_rate(self) -> float:
        return self.featurizer.profiles.base_rate

    def raw_scores(self, cases: Sequence[Case]) -> np.ndarray:
        """Log-odds of a violation for each case."""
        if not cases:
            return np.zeros(0)
        # One thread, as trained: by default predict takes every core, and a call then waits
        # for a busy one (7-15 ms instead of 0.1-0.4 ms, bench/learned_selection.py).
        return self.booster.predict(self.featurizer.matrix(cases), raw_score=True,
                                    num_threads=PARAMS["num_threads"])

    def probabilities(self, cases: Sequence[Case]) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw_scores(cases)))

    def reasons(self, cases: Sequence[Case], *, top: int = 3) -> list[list[Reason]]:
        """The `top` feature groups that push each case most toward a violation."""
        if not cases:
            return []
        f = self.featurizer
        matrix = f.matrix(cases)
        contributions = self.booster.predict(matrix, pred_contrib=True,
                                             num_threads=PARAMS["num_threads"])
        out = []
        for case, row, contrib in zip(cases, matrix, contributions, strict=True):
            groups: dict[str, float] = {}
            for name, weight in zip(f.names, contrib[:-1], strict=True):
                groups[_group_of(name)] = groups.get(_group_of(name), 0.0) + float(weight)
            ranked = sorted((g for g in groups.items() if g[1] > 0), key=lambda g: -g[1])
            out.append([Reason(group, weight, _args(f, case, group, row))
                        for group, weight in ranked[:top]])
        return out

    def as_json(self) -> dict:
        return {"booster": self.booster.model_to_string(), "featurizer": self.featurizer.as_json(),
                "trained_on": self.trained_on, "violations": self.violations}

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        return cls(lightgbm.Booster(model_str=data["booster"]),
                   Featurizer.from_json(data["featurizer"]), trained_on=data["trained_on"],
                   violations=data["violations"])


def _group_of(feature: str) -> str:
    if feature.startswith(("rate:", "n:")):
        return feature.split(":", 1)[1]
    if feature in ("log_unit_value", "unit_value_vs_hs6", "price_ratio"):
        return "unit_value"
    if feature in ("log_value", "log_quantity"):
        return "value"
    return feature


def _args(f: Featurizer, case: Case, group: str, row) -> dict:
    if group in KEYS:
        return f.profiles.rate(group, KEYS[group](case)).as_dict()
    if group == "unit_value":
        z = row[f.names.index("unit_value_vs_hs6")]
        usual = f.unit_values.get(case.hs_code[:6])
        luv = _log_unit_value(case)
        return {"hs6": case.hs_code[:6],
                "vs_usual": round(math.exp(luv - usual[0]), 3)
                if usual and luv is not None and not math.isnan(z) else None,
                "price_ratio": round(case.price_ratio, 3) if case.price_ratio is not None
                else None}
    if group == "value":
        return {"value_usd": round(case.value_usd, 2), "quantity": case.quantity}
    kind, name = group.split(":", 1)
    value = case.numbers.get(name) if kind == "number" else case.categories.get(name)
    return {"value": value}


def model_train(labelled: Sequence[tuple[Case, bool]], *, seen: Iterable[Case] = (),
                rounds: int = ROUNDS, params: dict | None = None,
                prior: float = PRIOR) -> Model | None:
    """Train on the inspected cases (with `seen`: every case of the window, for the label-free
    unit-value statistics); None when there are too few outcomes to learn from."""
    labelled = sorted(labelled, key=lambda item: (item[0].on, item[0].id))
    violations = sum(1 for _, label in labelled if label)
    if len(labelled) < MIN_OUTCOMES or violations < MIN_VIOLATIONS:
        return None
    if violations == len(labelled):
        return None
    profiles = profiles_fit(labelled, prior=prior)
    seen = list(seen) or [case for case, _ in labelled]
    numbers = sorted({name for case, _ in labelled for name in case.numbers})
    vocab = {}
    for name in sorted({name for case, _ in labelled for name in case.categories}):
        values = sorted({case.categories.get(name, "") for case, _ in labelled} - {""})
        vocab[name] = {value: i for i, value in enumerate(values)}
    featurizer = Featurizer(profiles, unit_values_fit(seen), numbers, vocab)
    matrix = featurizer.training_matrix(labelled)
    labels = np.array([1 if label else 0 for _, label in labelled])
    dataset = lightgbm.Dataset(matrix, labels, feature_name=[_safe(n) for n in featurizer.names],
                               categorical_feature=featurizer.categorical or "auto",
                               free_raw_data=True)
    booster = lightgbm.train({**PARAMS, **(params or {})}, dataset, num_boost_round=rounds)
    return Model(booster, featurizer, trained_on=len(labelled), violations=violations)


def _safe(name: str) -> str:
    """LightGBM refuses some characters in feature names."""
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
