"""Backtest: replay a history in date order as if an engine had selected it.

Each day the engine scores the day's declarations with what it knew at the start of the day,
the red share of them with the highest scores is selected (a share of those places goes to a
random draw instead: exploration, so the labels are not only what the engine already
believed), and only the selected declarations reveal their outcome, to this engine, at the end
of the day. Every `refit_days` the engine refits on what it has seen revealed. A declaration
that was not selected never reveals anything, however its label reads in `outcomes`.

Pure: cases and outcomes in, figures out. Figures per week and overall: hit rate (violations
among selected declarations whose outcome is known), recall (of all known violations of the
period), duties and penalties found, AUC of the scores over the declarations with a known
outcome.

For a history where only some declarations were inspected (the branch's own), `outcomes`
holds just those: a selected declaration with no known outcome counts as selected but neither
as a hit nor as revealed.
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from ..scoring import Policy, RuleSpec, evaluate
from .cases import Case, Outcome
from .inputs import learned_inputs
from .model import ROUNDS, Model, model_train
from .profiles import KEYS, MIN_INSPECTIONS, PRIOR, Profiles, profiles_fit

EXPLORE_SHARE = 0.05  # of the red places, drawn at random
REFIT_DAYS = 7
MANDATORY_BONUS = 10_000.0  # a mandatory-red criterion outranks any score


def draw(seed: str, case_id: str, salt: str) -> float:
    """A reproducible number in [0, 1) for a case."""
    digest = hashlib.sha256(f"{seed}:{case_id}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


# --- engines -----------------------------------------------------------------------------------
class Engine:
    """Scores cases with what it has learned; refits on what was revealed to it."""

    name = "engine"

    def refit(self, revealed: Sequence[tuple[Case, Outcome]], seen: Sequence[Case],
              on: date) -> None:
        """Learn from the outcomes revealed so far (`seen`: every case registered so far)."""

    def reveal(self, case: Case, outcome: Outcome) -> None:
        """One selected case's outcome, at the end of its day."""

    def scores(self, cases: Sequence[Case]) -> list[float]:
        raise NotImplementedError


class RandomEngine(Engine):
    """Selection at random: the floor every engine must beat."""

    name = "random"

    def __init__(self, seed: str = "random"):
        self.seed = seed

    def scores(self, cases):
        return [draw(self.seed, c.id, "score") for c in cases]


class LearnedEngine(Engine):
    """Profiles and a gradient-boosted model refitted on the revealed outcomes; while too few
    outcomes are known for a model, the strongest profile's lift ranks; with none, all tie."""

    name = "learned"

    def __init__(self, *, use_model: bool = True, rounds: int = ROUNDS, window_days: int | None =
                 None, min_inspections: int = MIN_INSPECTIONS, prior: float = PRIOR):
        self.use_model = use_model
        self.prior = prior
        self.rounds = rounds
        self.window_days = window_days
        self.min_inspections = min_inspections
        self.profiles: Profiles | None = None
        self.model: Model | None = None

    def refit(self, revealed, seen, on):
        if self.window_days:
            since = on - timedelta(days=self.window_days)
            revealed = [(c, o) for c, o in revealed if c.on >= since]
            seen = [c for c in seen if c.on >= since]
        labelled = [(case, outcome.violation) for case, outcome in revealed]
        self.profiles = profiles_fit(labelled, prior=self.prior)
        self.model = model_train(labelled, seen=seen, rounds=self.rounds, prior=self.prior) \
            if self.use_model else None

    def scores(self, cases):
        if self.model is not None:
            return [float(s) for s in self.model.raw_scores(cases)]
        if self.profiles is None or not self.profiles.inspections:
            return [0.0] * len(cases)
        out = []
        for case in cases:
            lifts = [r.lift for r in self.profiles.rates(case, KEYS)
                     if r.inspections >= self.min_inspections]
            out.append(math.log(max(lifts)) if lifts else 0.0)
        return out


class RulesEngine(Engine):
    """A ruleset through the live scorer (`evaluate`), on the `Facts` each case carries in
    `ref`. The enterprise's compliance history is what this replay revealed, not the history
    on record. `learned` (an engine) supplies the profile and model criteria, refitted with it.
    """

    def __init__(self, rules: Sequence[RuleSpec], policy: Policy, *, name: str = "ruleset",
                 learned: "LearnedEngine | None" = None):
        self.rules = tuple(rules)
        self.policy = policy
        self.name = name
        self.learned = learned
        self.violations: dict[str, list[date]] = defaultdict(list)

    def refit(self, revealed, seen, on):
        if self.learned is not None:
            self.learned.refit(revealed, seen, on)

    def reveal(self, case, outcome):
        if outcome.violation and case.ref is not None:
            self.violations[case.ref.enterprise_tax_code].append(case.on)

    def scores(self, cases):
        extra = (learned_inputs(cases, profiles=self.learned.profiles, model=self.learned.model,
                                reasons=False)
                 if self.learned is not None else [None] * len(cases))
        out = []
        for case, learned in zip(cases, extra, strict=True):
            facts = replace(case.ref, violation_days_ago=tuple(sorted(
                (case.on - d).days for d in self.violations.get(case.ref.enterprise_tax_code, ())
                if d < case.on)))
            decision = evaluate(facts, self.rules, self.policy, learned=learned)
            mandatory = any(h.effect == "mandatory_red" for h in decision.hits)
            out.append(decision.score + (MANDATORY_BONUS if mandatory else 0.0))
        return out


# --- figures -----------------------------------------------------------------------------------
def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    y = np.asarray(labels, dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass
class Figures:
    cases: int = 0
    selected: int = 0
    known: int = 0  # selected with a known outcome
    hits: int = 0
    violations: int = 0  # known violations among all cases of the period
    found_vnd: float = 0.0
    auc: float | None = None

    @property
    def hit_rate(self) -> float | None:
        return self.hits / self.known if self.known else None

    @property
    def recall(self) -> float | None:
        return self.hits / self.violations if self.violations else None

    def as_dict(self) -> dict:
        return {"cases": self.cases, "selected": self.selected, "known": self.known,
                "hits": self.hits, "violations": self.violations,
                "found_vnd": round(self.found_vnd), "hit_rate": _round(self.hit_rate),
                "recall": _round(self.recall), "auc": _round(self.auc)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


@dataclass
class Result:
    engine: str
    overall: Figures
    weeks: list[tuple[date, Figures]]
    # per case, in replay order: (case id, score, selected, explored)
    decisions: list[tuple[str, float, bool, bool]] = field(default_factory=list)

    def as_dict(self, *, with_decisions: bool = False) -> dict:
        data = {"engine": self.engine, "overall": self.overall.as_dict(),
                "weeks": [{"week": week.isoformat(), **f.as_dict()} for week, f in self.weeks]}
        if with_decisions:
            data["decisions"] = [list(d) for d in self.decisions]
        return data


def _select(cases, scores, places: int, explore: int, seed: str) -> tuple[set, set]:
    """The `places - explore` highest scores (ties by draw), and `explore` drawn at random
    among the rest."""
    ranked = sorted(range(len(cases)), key=lambda i: (-scores[i], draw(seed, cases[i].id, "tie")))
    chosen = set(ranked[:max(0, places - explore)])
    rest = sorted((i for i in range(len(cases)) if i not in chosen),
                  key=lambda i: draw(seed, cases[i].id, "explore"))
    explored = set(rest[:min(explore, places)])
    return chosen | explored, explored


@dataclass
class _Run:
    """One engine's replay so far."""

    engine: Engine
    revealed: list
    carry: float = 0.0  # fractions of a red place carried to the next day
    explore_carry: float = 0.0
    next_refit: date | None = None
    scores: list = field(default_factory=list)  # of cases with a known outcome
    labels: list = field(default_factory=list)
    weeks: dict = field(default_factory=lambda: defaultdict(Figures))
    week_labels: dict = field(default_factory=lambda: defaultdict(lambda: ([], [])))
    overall: Figures = field(default_factory=Figures)
    decisions: list = field(default_factory=list)

    def day(self, day: date, today: list[Case], seen: list[Case], outcomes, *,
            red_share: float, explore_share: float, refit_days: int, seed: str) -> None:
        engine = self.engine
        if self.next_refit is None or day >= self.next_refit:
            engine.refit(self.revealed, seen, day)
            self.next_refit = day + timedelta(days=refit_days)
        scores = engine.scores(today)
        quota = self.carry + red_share * len(today)
        places = int(quota)
        self.carry = quota - places
        explore_quota = self.explore_carry + explore_share * places
        explore = int(explore_quota)
        self.explore_carry = explore_quota - explore
        selected, explored = _select(today, scores, places, explore, seed)
        week = day - timedelta(days=day.weekday())
        figures = (self.weeks[week], self.overall)
        for f in figures:
            f.cases += len(today)
            f.selected += len(selected)
        for i, case in enumerate(today):
            self.decisions.append((case.id, scores[i], i in selected, i in explored))
            outcome = outcomes.get(case.id)
            if outcome is None:
                continue
            self.scores.append(scores[i])
            self.labels.append(outcome.violation)
            self.week_labels[week][0].append(scores[i])
            self.week_labels[week][1].append(outcome.violation)
            for f in figures:
                f.violations += outcome.violation
                if i in selected:
                    f.known += 1
                    f.hits += outcome.violation
                    f.found_vnd += outcome.found_vnd if outcome.violation else 0.0
            if i in selected:
                self.revealed.append((case, outcome))
                engine.reveal(case, outcome)

    def result(self) -> "Result":
        self.overall.auc = auc(self.scores, self.labels)
        for week, (scores, labels) in self.week_labels.items():
            self.weeks[week].auc = auc(scores, labels)
        return Result(self.engine.name, self.overall, sorted(self.weeks.items()),
                      self.decisions)


def replay(cases: Sequence[Case], outcomes: Mapping[str, Outcome], engines: Sequence[Engine], *,
           red_share: float = 0.10, explore_share: float = EXPLORE_SHARE,
           refit_days: int = REFIT_DAYS, prior: Sequence[tuple[Case, Outcome]] = (),
           seed: str = "backtest", progress: Callable[[int, int], None] | None = None,
           ) -> list[Result]:
    """Replay `cases` (any order; walked by day, then id) through each engine independently.

    `outcomes`: case id -> what an inspection found (only those known). `prior`: outcomes
    known before the period (real inspections), revealed to every engine from the start.
    `progress(done, total)` is called once per day.
    """
    if not 0 < red_share <= 1:
        raise ValueError("red_share must be in (0, 1]")
    if not 0 <= explore_share <= 1:
        raise ValueError("explore_share must be in [0, 1]")
    by_day: dict[date, list[Case]] = defaultdict(list)
    for case in cases:
        by_day[case.on].append(case)
    runs = []
    for engine in engines:
        for case, outcome in prior:
            engine.reveal(case, outcome)
        runs.append(_Run(engine, revealed=list(prior)))
    seen: list[Case] = [case for case, _ in prior]
    done = 0
    for day in sorted(by_day):
        today = sorted(by_day[day], key=lambda c: c.id)
        for run in runs:
            run.day(day, today, seen, outcomes, red_share=red_share,
                    explore_share=explore_share, refit_days=refit_days, seed=seed)
        seen.extend(today)
        done += len(today)
        if progress:
            progress(done, len(cases))
    return [run.result() for run in runs]
