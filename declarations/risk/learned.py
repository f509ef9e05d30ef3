"""Learned selection on the branch's own data: the cases and outcomes read from the database,
the profile rebuild, model training and activation, the in-process tables routing reads, and
the backtest run (the pure work is in risk/learning; this module only reads and writes).

Labels: a declaration is labelled when a check of it ended with an outcome (declarations'
`CheckOutcome`, written by every checker): a violation if any check found one. What was found
is the sum of its violations' penalties (VND).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record
from customs_core.exceptions import StateConflict
from customs_core.models import User
from customs_core.process_cache import ProcessCache
from customs_core.roles import RISK_EDITOR_ROLES

from ..choices import CheckResult
from ..models import CheckOutcome, Declaration, Violation
from .choices import RiskErrorCode
from .facts import facts_for
from .learning.backtest import LearnedEngine, RandomEngine, RulesEngine, auc, replay
from .learning.cases import Case, Outcome, case_of
from .learning.inputs import Learned, learned_inputs
from .learning.model import Model, model_train
from .learning.profiles import Profiles, profiles_fit
from .models import RiskRuleset
from .models_learning import Backtest, BacktestState, ModelStatus, RiskModel, RiskProfileSet
from .policy import policy_of, ruleset_active, specs_of
from .scoring import LEARNED_TYPES

WINDOW_DAYS = 365  # outcomes a rebuild or a training reads
HOLDOUT_DAYS = 28  # a trained model's figures: trained without these last days, scored on them
READ_CHUNK = 5_000
MAX_AGE = 60.0  # seconds a process keeps the active profiles and model


# --- reading the history -----------------------------------------------------------------------
def outcomes_between(since: date | None, until: date) -> dict[int, Outcome]:
    """Declaration id -> outcome, for declarations registered in the period with a check
    outcome (a violation if any check found one; found = the penalties)."""
    rows = CheckOutcome.objects.filter(declaration__submitted_at__date__lte=until)
    if since:
        rows = rows.filter(declaration__submitted_at__date__gte=since)
    labels: dict[int, bool] = {}
    for pk, outcome in rows.order_by().values_list("declaration_id", "outcome"):
        labels[pk] = labels.get(pk, False) or outcome == CheckResult.VIOLATION
    found = dict(Violation.objects.filter(declaration_id__in=[pk for pk, v in labels.items()
                                                              if v])
                 .order_by().values("declaration_id").annotate(total=Sum("penalty_vnd"))
                 .values_list("declaration_id", "total")) if any(labels.values()) else {}
    return {pk: Outcome(violation=v, found_vnd=float(found.get(pk) or 0))
            for pk, v in labels.items()}


def cases_of(ids: list[int], *, progress: Callable[[int, int], None] | None = None
             ) -> dict[int, Case]:
    """Declaration id -> Case, read in chunks (facts_for: a constant number of queries each)."""
    cases = {}
    ids = sorted(ids)
    for start in range(0, len(ids), READ_CHUNK):
        chunk = list(Declaration.objects.filter(pk__in=ids[start:start + READ_CHUNK])
                     .select_related("enterprise"))
        for pk, facts in facts_for(chunk).items():
            cases[pk] = case_of(facts)
        if progress:
            progress(min(start + READ_CHUNK, len(ids)), len(ids))
    return cases


def _window(days: int, until: date | None = None) -> tuple[date, date]:
    until = until or timezone.localdate()
    return until - timedelta(days=days), until


def _labelled(since: date, until: date, progress=None) -> list[tuple[Case, Outcome]]:
    outcomes = outcomes_between(since, until)
    cases = cases_of(list(outcomes), progress=progress)
    return sorted(((cases[pk], outcomes[pk]) for pk in outcomes if pk in cases),
                  key=lambda item: (item[0].on, item[0].id))


def _next_version(model) -> int:
    return (model.objects.aggregate(v=Max("version"))["v"] or 0) + 1


# --- profiles ----------------------------------------------------------------------------------
def profiles_rebuild(*, by: User | None = None, days: int = WINDOW_DAYS,
                     until: date | None = None, progress=None) -> RiskProfileSet:
    """A new profile set from the outcomes of the last `days` days; it is in use at once."""
    if by is not None and by.role not in RISK_EDITOR_ROLES:
        raise PermissionDenied(_("Your role may not rebuild risk profiles."))
    started = time.perf_counter()
    since, until = _window(days, until)
    labelled = _labelled(since, until, progress)
    profiles = profiles_fit((case, outcome.violation) for case, outcome in labelled)
    with transaction.atomic():
        built = RiskProfileSet.objects.create(
            version=_next_version(RiskProfileSet), window_from=since, window_to=until,
            inspections=profiles.inspections, violations=profiles.violations,
            base_rate=profiles.base_rate, tables=profiles.as_json(),
            seconds=time.perf_counter() - started, built_by=by)
    clear()
    return built


# --- models ------------------------------------------------------------------------------------
def _holdout_figures(model: Model | None, held: list[tuple[Case, Outcome]]) -> dict:
    """Hit rate of the top 10% of the held-out inspected declarations, against their base
    rate, and the AUC."""
    if model is None or not held:
        return {}
    scores = model.raw_scores([case for case, _ in held])
    labels = np.array([o.violation for _, o in held])
    top = np.argsort(-scores, kind="stable")[:max(1, len(held) // 10)]
    return {"holdout_days": HOLDOUT_DAYS, "holdout_outcomes": len(held),
            "base_rate": round(float(labels.mean()), 4),
            "hit_rate_top10": round(float(labels[top].mean()), 4),
            "auc": auc(scores.tolist(), labels.tolist())}


def risk_model_train(*, by: User | None = None, days: int = WINDOW_DAYS,
                     until: date | None = None, progress=None) -> RiskModel | None:
    """Train a model on the last `days` days of outcomes; its figures come from a model trained
    without the last HOLDOUT_DAYS and scored on them. None with too few outcomes. The new model
    is not active until a risk officer activates it."""
    if by is not None and by.role not in RISK_EDITOR_ROLES:
        raise PermissionDenied(_("Your role may not train risk models."))
    started = time.perf_counter()
    since, until = _window(days, until)
    labelled = _labelled(since, until, progress)
    cut = until - timedelta(days=HOLDOUT_DAYS)
    early = [(c, o.violation) for c, o in labelled if c.on <= cut]
    figures = _holdout_figures(model_train(early), [(c, o) for c, o in labelled if c.on > cut])
    model = model_train([(c, o.violation) for c, o in labelled])
    if model is None:
        return None
    data = model.as_json()
    return RiskModel.objects.create(
        version=_next_version(RiskModel), window_from=since, window_to=until,
        outcomes=model.trained_on, violations=model.violations,
        features=model.featurizer.names, booster=data["booster"],
        featurizer=data["featurizer"], figures=figures, seconds=time.perf_counter() - started,
        trained_by=by)


@transaction.atomic
def risk_model_activate(*, model: RiskModel, by: User) -> RiskModel:
    """Make this model the one routing uses (the previous active one retires)."""
    if by.role not in RISK_EDITOR_ROLES:
        raise PermissionDenied(_("Your role may not activate risk models."))
    model = RiskModel.objects.select_for_update().get(pk=model.pk)
    if model.status == ModelStatus.ACTIVE:
        return model
    previous = list(RiskModel.objects.select_for_update().filter(status=ModelStatus.ACTIVE)
                    .values_list("version", flat=True))
    RiskModel.objects.filter(status=ModelStatus.ACTIVE).update(status=ModelStatus.RETIRED)
    model.status, model.activated_by, model.activated_at = (ModelStatus.ACTIVE, by,
                                                            timezone.now())
    model.save(update_fields=["status", "activated_by", "activated_at"])
    record(None, AuditAction.RISK_MODEL_ACTIVATED, actor=by, obj=model,
           details={"version": model.version, "previous": previous})
    _clear_now_and_on_commit()
    return model


@transaction.atomic
def risk_model_deactivate(*, model: RiskModel, by: User) -> RiskModel:
    """Back to rules (and profiles) alone."""
    if by.role not in RISK_EDITOR_ROLES:
        raise PermissionDenied(_("Your role may not retire risk models."))
    updated = RiskModel.objects.filter(pk=model.pk, status=ModelStatus.ACTIVE).update(
        status=ModelStatus.RETIRED)
    if not updated:
        raise StateConflict(_("Model v%(version)s is not active.") % {"version": model.version},
                            code=RiskErrorCode.MODEL_NOT_ACTIVE, current_state=model.status)
    record(None, AuditAction.RISK_MODEL_ACTIVATED, actor=by, obj=model,
           details={"version": model.version, "deactivated": True})
    _clear_now_and_on_commit()
    model.refresh_from_db()
    return model


# --- what routing reads ------------------------------------------------------------------------
@dataclass(frozen=True)
class LearnedTables:
    profiles: Profiles | None
    profile_version: int | None
    model: Model | None
    model_version: int | None


def _load() -> LearnedTables:
    profile_set = RiskProfileSet.objects.order_by("-version").first()
    active = RiskModel.objects.filter(status=ModelStatus.ACTIVE).first()
    return LearnedTables(
        profiles=Profiles.from_json(profile_set.tables) if profile_set else None,
        profile_version=profile_set.version if profile_set else None,
        model=Model.from_json({"booster": active.booster, "featurizer": active.featurizer,
                               "trained_on": active.outcomes, "violations": active.violations})
        if active else None,
        model_version=active.version if active else None)


_cache = ProcessCache(_load, max_age=MAX_AGE)
tables = _cache.get
clear = _cache.clear


def _clear_now_and_on_commit() -> None:
    """This process reads the change at once; again after the commit, in case another thread
    reloaded the old tables in between (other processes: within MAX_AGE)."""
    clear()
    transaction.on_commit(clear)


def learned_for(facts: list, specs) -> list[Learned | None]:
    """What the profile and model criteria of `specs` read for each declaration (None each
    when the ruleset has none: rules alone, nothing loaded)."""
    if not any(spec.rule_type in LEARNED_TYPES and spec.is_active for spec in specs):
        return [None] * len(facts)
    learned = tables()
    return learned_inputs([case_of(f) for f in facts], profiles=learned.profiles,
                          model=learned.model, profile_version=learned.profile_version,
                          model_version=learned.model_version)


# --- backtest ----------------------------------------------------------------------------------
PRIOR_DAYS = 365  # outcomes before the period that every replayed engine starts from
MAX_BACKTEST_DAYS = 366
MAX_HISTORY_YEARS = 10
BACKTEST_TASK = "declarations.risk.tasks.backtest_run_task"


def has_learned_criteria(ruleset: RiskRuleset) -> bool:
    from .choices import RuleType

    return ruleset.rules.filter(rule_type__in=[RuleType.PROFILE, RuleType.MODEL],
                                is_active=True).exists()


def engines_for(*, candidate: RiskRuleset | None, active: RiskRuleset) -> list:
    """Random, the active ruleset, the candidate (if another; its profile and model criteria
    refitted as the replay goes) and the learned engine alone."""
    engines = [RandomEngine(),
               RulesEngine(specs_of(active.rules.all()), policy_of(active),
                           name=f"ruleset v{active.version}",
                           learned=LearnedEngine() if has_learned_criteria(active) else None)]
    if candidate is not None and candidate.pk != active.pk:
        engines.append(RulesEngine(specs_of(candidate.rules.all()), policy_of(candidate),
                                   name=f"ruleset v{candidate.version}",
                                   learned=LearnedEngine()
                                   if has_learned_criteria(candidate) else None))
    engines.append(LearnedEngine())
    return engines


def backtest_compute(*, date_from: date, date_to: date, red_share: float,
                     candidate: RiskRuleset | None = None,
                     progress: Callable[[str, int, int], None] | None = None) -> dict:
    """Replay the declarations registered in the period (see learning/backtest.py), after the
    outcomes of the PRIOR_DAYS before it; figures per engine, overall and per week."""
    active = ruleset_active()
    ids = list(Declaration.objects.filter(submitted_at__date__gte=date_from,
                                          submitted_at__date__lte=date_to)
               .exclude(number__isnull=True).values_list("pk", flat=True))
    outcomes = outcomes_between(date_from, date_to)
    prior_outcomes = outcomes_between(date_from - timedelta(days=PRIOR_DAYS),
                                      date_from - timedelta(days=1))
    step = (lambda phase: (lambda done, total: progress(phase, done, total))) if progress \
        else (lambda phase: None)
    cases = cases_of(ids + list(prior_outcomes), progress=step("read"))
    period = [cases[pk] for pk in ids if pk in cases]
    prior = [(cases[pk], o) for pk, o in prior_outcomes.items() if pk in cases]
    by_number = {cases[pk].id: o for pk, o in outcomes.items() if pk in cases}
    engines = engines_for(candidate=candidate, active=active)
    started = time.perf_counter()
    results = replay(period, by_number, engines, red_share=red_share, prior=prior,
                     progress=step("replay"))
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
            "red_share": red_share, "declarations": len(period), "known": len(by_number),
            "prior_outcomes": len(prior), "seconds": round(time.perf_counter() - started, 1),
            "engines": [r.as_dict() for r in results]}


def backtest_request(*, by: User, date_from: date, date_to: date, red_share: Decimal,
                     ruleset: RiskRuleset | None = None) -> Backtest:
    """Queue a backtest (the worker runs it: backtest_run)."""
    from customs_core.roles import RISK_VIEWER_ROLES

    if by.role not in RISK_VIEWER_ROLES:
        raise PermissionDenied(_("Your role may not run backtests."))
    errors = {}
    if date_to < date_from:
        errors["date_to"] = [_("The end of the period is before its start.")]
    elif (date_to - date_from).days >= MAX_BACKTEST_DAYS:
        errors["date_to"] = [_("A backtest covers at most %(days)s days.")
                             % {"days": MAX_BACKTEST_DAYS}]
    today = timezone.localdate()
    if date_to > today:
        errors.setdefault("date_to", []).append(_("The period cannot end in the future."))
    if date_from < today - timedelta(days=366 * MAX_HISTORY_YEARS):
        errors["date_from"] = [_("A backtest starts at most %(years)s years ago.")
                               % {"years": MAX_HISTORY_YEARS}]
    if not Decimal("0.5") <= red_share <= Decimal("50"):
        errors["red_share"] = [_("The red share is a percentage between 0.5 and 50.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        backtest = Backtest.objects.create(ruleset=ruleset or ruleset_active(),
                                           date_from=date_from, date_to=date_to,
                                           red_share=red_share, requested_by=by)
        backtest_id = backtest.pk

        def publish_backtest():
            # By name from Celery's registry: tasks.py imports this module, not the reverse.
            # A named function: robust on_commit logs its __qualname__ if the publish fails
            # (and an eager run's error then marks the backtest failed, not the request).
            current_app.tasks[BACKTEST_TASK].delay(backtest_id)

        transaction.on_commit(publish_backtest, robust=True)
    return backtest


def backtest_run(backtest_id: int) -> Backtest | None:
    """Run a queued backtest, saving its progress as it goes; idempotent (a finished or
    running one is left alone)."""
    claimed = Backtest.objects.filter(pk=backtest_id, state=BacktestState.QUEUED).update(
        state=BacktestState.RUNNING)
    if not claimed:
        return None
    backtest = Backtest.objects.select_related("ruleset").get(pk=backtest_id)
    last = [0.0]

    def progress(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 1.0 and done < total:
            return
        last[0] = now
        # reading is the first third of the work, replaying the rest
        share = done / total if total else 1.0
        Backtest.objects.filter(pk=backtest_id).update(
            done=int(1000 * (share / 3 if phase == "read" else 1 / 3 + 2 * share / 3)),
            total=1000)

    try:
        result = backtest_compute(date_from=backtest.date_from, date_to=backtest.date_to,
                                  red_share=float(backtest.red_share) / 100,
                                  candidate=backtest.ruleset, progress=progress)
    except Exception as exc:  # the page shows it; the worker logs it
        Backtest.objects.filter(pk=backtest_id).update(
            state=BacktestState.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    Backtest.objects.filter(pk=backtest_id).update(
        state=BacktestState.DONE, result=result, done=1000, total=1000,
        finished_at=timezone.now())
    backtest.refresh_from_db()
    return backtest
