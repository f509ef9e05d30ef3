"""Learned selection pages: the profile set in use and its strongest values, the trained models
(activated and retired by a risk editor), and the backtests asked for from the what-if page,
run on a worker with their progress, then their figures per engine.

Same rules as the other risk pages (views.risk_page): an enterprise gets 404, an officer whose
role may not see risk data gets 403, and the buttons that change something need an editor.
"""

import json
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customs_core.exceptions import StateConflict
from customs_core.roles import RISK_EDITOR_ROLES, RISK_VIEWER_ROLES

from . import learned, selectors, selectors_learning
from .forms_learning import BacktestForm
from .learning.profiles import MIN_INSPECTIONS
from .learning_labels import (
    engine_label,
    feature_group,
    feature_label,
    group_label,
    key_label,
    key_value,
    profile_sentence,
)
from .models_learning import BacktestState, ModelStatus
from .tasks import profiles_rebuild_task, risk_model_train_task
from .views import _apply_errors, risk_page

VIEWERS, EDITORS = RISK_VIEWER_ROLES, RISK_EDITOR_ROLES
LIFT_COLOUR = "#c0392b"
ENGINE_COLOURS = {"random": "#7f8c8d", "learned": "#1f6fb2"}
RULESET_COLOURS = ["#c99a06", "#8e44ad", "#1f8a4c", "#d35400"]
POLL_SECONDS = 2


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else round(100 * fraction, 1)


# --- profiles and models -----------------------------------------------------------------------
def _short(text: str, size: int = 28) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _lift_chart(shown: list[str], leaders) -> str:
    """A Chart.js horizontal bar config: each value's lift over the base rate."""
    return json.dumps({
        "type": "bar",
        "data": {"labels": [_short(text) for text in shown],
                 "datasets": [{"label": _("Lift over the base rate"),
                               "data": [round(r.lift, 2) for r in leaders],
                               "backgroundColor": LIFT_COLOUR}]},
        "options": {"indexAxis": "y", "maintainAspectRatio": False,
                    "plugins": {"legend": {"display": False}},
                    "scales": {"x": {"beginAtZero": True,
                                     "title": {"display": True,
                                               "text": _("× the base rate")}}}}},
        ensure_ascii=False)


def _profile_keys(profile_set) -> list[dict]:
    if profile_set is None:
        return []
    leaders = selectors_learning.profile_leaders(profile_set)
    names = selectors_learning.value_names(leaders)
    keys = []
    for key, rows in leaders.items():
        shown = [names.get((key, r.value)) or key_value(r.value) for r in rows]
        keys.append({"key": key, "label": key_label(key), "chart_json": _lift_chart(shown, rows),
                     "rows": [{"value": text, "violations": r.violations,
                               "inspections": r.inspections, "lift": r.lift,
                               "sentence": profile_sentence(
                                   key=key, value=r.value, shown=text,
                                   violations=r.violations, inspections=r.inspections,
                                   lift=r.lift)}
                              for r, text in zip(rows, shown, strict=True)]})
    return keys


def _model_row(model) -> dict:
    figures = model.figures or {}
    return {"model": model, "hit_rate": _percent(figures.get("hit_rate_top10")),
            "base_rate": _percent(figures.get("base_rate")), "auc": figures.get("auc"),
            "holdout_outcomes": figures.get("holdout_outcomes"),
            "holdout_days": figures.get("holdout_days"),
            "active": model.status == ModelStatus.ACTIVE}


@risk_page(VIEWERS)
@require_GET
def learning(request):
    profile_set = selectors_learning.profile_set_in_use()
    return render(request, "risk/learning/learning.html", {
        "profile_set": profile_set,
        "base_percent": _percent(profile_set.base_rate) if profile_set else None,
        "keys": _profile_keys(profile_set), "min_inspections": MIN_INSPECTIONS,
        "models": [_model_row(m) for m in selectors_learning.risk_models()],
        "can_change": request.user.role in EDITORS})


def _queue(task, user) -> None:
    """Queue a task with the user's id once the request's writes are committed."""
    user_id = user.pk

    def publish():
        task.delay(user_id)

    transaction.on_commit(publish, robust=True)


@risk_page(EDITORS)
@require_POST
def learning_rebuild(request):
    _queue(profiles_rebuild_task, request.user)
    messages.success(request, _("Profile rebuild queued: the new profiles are in use as soon "
                                "as it is done."))
    return redirect("risk:learning")


@risk_page(EDITORS)
@require_POST
def learning_train(request):
    _queue(risk_model_train_task, request.user)
    messages.success(request, _("Model training queued: the new model appears in the list when "
                                "it is done (none if there are too few inspection outcomes). "
                                "It is not used until you activate it."))
    return redirect("risk:learning")


@risk_page(VIEWERS)
@require_GET
def model_detail(request, version):
    model = selectors_learning.risk_model_get(version)
    features = [{"name": name, "label": feature_label(name),
                 "group": group_label(feature_group(name))} for name in model.features]
    return render(request, "risk/learning/model.html", {
        **_model_row(model), "features": features,
        "can_change": request.user.role in EDITORS})


@risk_page(EDITORS)
@require_POST
def model_activate(request, version):
    model = selectors_learning.risk_model_get(version)
    learned.risk_model_activate(model=model, by=request.user)
    messages.success(request, _("Model v%(version)s is now active: routing uses it.")
                     % {"version": model.version})
    return redirect("risk:learning")


@risk_page(EDITORS)
@require_POST
def model_retire(request, version):
    model = selectors_learning.risk_model_get(version)
    try:
        learned.risk_model_deactivate(model=model, by=request.user)
    except StateConflict as exc:
        messages.error(request, str(exc))
        return redirect("risk:learning")
    messages.success(request, _("Model v%(version)s retired: routing runs on the rules and "
                                "profiles alone.") % {"version": model.version})
    return redirect("risk:learning")


# --- backtests ---------------------------------------------------------------------------------
@risk_page(VIEWERS)
@require_POST
def backtest_new(request, pk):
    ruleset = selectors.ruleset_get(pk)
    form = BacktestForm(request.POST)
    if form.is_valid():
        try:
            backtest = learned.backtest_request(by=request.user, ruleset=ruleset,
                                                **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(exc, form, fallback=None)
        else:
            return redirect("risk:backtest", pk=backtest.pk)
    return render(request, "risk/learning/backtest_form.html",
                  {"ruleset": ruleset, "form": form}, status=400)


def _week(value: str) -> str:
    return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")


def _engine_colour(name: str, index: int) -> str:
    return ENGINE_COLOURS.get(name, RULESET_COLOURS[index % len(RULESET_COLOURS)])


def _weekly_chart(engines: list[dict]) -> str:
    """A Chart.js line config: each engine's hit rate per week (gaps where none is known)."""
    weeks = sorted({w["week"] for engine in engines for w in engine["weeks"]})
    datasets = []
    for index, engine in enumerate(engines):
        by_week = {w["week"]: w["hit_rate"] for w in engine["weeks"]}
        colour = _engine_colour(engine["engine"], index)
        datasets.append({"label": engine_label(engine["engine"]),
                         "data": [_percent(by_week.get(week)) for week in weeks],
                         "borderColor": colour, "backgroundColor": colour,
                         "spanGaps": True, "tension": 0.2})
    return json.dumps({
        "type": "line", "data": {"labels": [_week(w) for w in weeks], "datasets": datasets},
        "options": {"maintainAspectRatio": False,
                    "scales": {"y": {"beginAtZero": True, "max": 100,
                                     "title": {"display": True, "text": _("Hit rate (%)")}},
                               "x": {"title": {"display": True, "text": _("Week from")}}}}},
        ensure_ascii=False)


def _result(backtest) -> dict | None:
    result = backtest.result or {}
    if backtest.state != BacktestState.DONE or "engines" not in result:
        return None
    engines = result["engines"]
    rows = []
    for engine in engines:
        overall = engine["overall"]
        rows.append({"engine": engine["engine"], "label": engine_label(engine["engine"]),
                     "selected": overall["selected"], "known": overall["known"],
                     "hits": overall["hits"], "violations": overall["violations"],
                     "hit_rate": _percent(overall["hit_rate"]),
                     "recall": _percent(overall["recall"]),
                     "found_vnd": overall["found_vnd"], "auc": overall["auc"]})
    return {"rows": rows, "declarations": result.get("declarations"),
            "known": result.get("known"), "prior_outcomes": result.get("prior_outcomes"),
            "seconds": result.get("seconds"), "chart_json": _weekly_chart(engines)}


def _htmx(request) -> bool:
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


@risk_page(VIEWERS)
@require_GET
def backtest_detail(request, pk):
    """The backtest page; under htmx only its status (the page polls it while it runs)."""
    backtest = selectors_learning.backtest_get(pk)
    running = backtest.running
    context = {"backtest": backtest, "running": running, "result": _result(backtest),
               "poll_seconds": POLL_SECONDS}
    template = ("risk/learning/_backtest_status.html" if _htmx(request)
                else "risk/learning/backtest.html")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _summary(backtest) -> list[dict]:
    if backtest.state != BacktestState.DONE:
        return []
    return [{"label": engine_label(engine["engine"]),
             "hit_rate": _percent(engine["overall"]["hit_rate"])}
            for engine in (backtest.result or {}).get("engines", [])]


@risk_page(VIEWERS)
@require_GET
def backtest_list(request):
    return render(request, "risk/learning/backtests.html", {
        "backtests": [{"backtest": b, "summary": _summary(b)}
                      for b in selectors_learning.backtests_recent()]})
