"""Learned selection's API routes (backtests, trained models, the profiles in use): built from
the URL configuration, so a route added later is covered without editing this file (the
meta-test in test_api_officer_routes.py fails when a route under these prefixes has no recipe
here).

For every route and a valid body: anonymous is 401; an enterprise is 404 (risk data is
confidential: never confirm it exists); an officer outside risk is 403; the branch leader reads
and runs backtests but activates and retires no model (403); a risk officer and an
administrator reach every route; and nothing is written by anyone refused."""

from datetime import timedelta
from functools import cache
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_core.audit.choices import AuditAction
from customs_core.audit.models import AuditEvent
from declarations.risk.learning import synthetic
from declarations.risk.learning.backtest import LearnedEngine, RandomEngine, replay
from declarations.risk.learning.model import model_train
from declarations.risk.learning.profiles import profiles_fit
from declarations.risk.models_learning import (
    Backtest,
    BacktestState,
    ModelStatus,
    RiskModel,
    RiskProfileSet,
)
from declarations.risk.policy import ruleset_active
from tests.routes import api_routes

pytestmark = pytest.mark.django_db

RISK_PREFIXES = ("api/v1/^risk/",)


def _period() -> dict:
    today = timezone.localdate()
    return {"date_from": (today - timedelta(days=30)).isoformat(), "date_to": today.isoformat()}


# A valid body per (url name, http method), so that a refusal is about who asks, never about
# the input.
RISK_BODIES = {
    ("risk-backtest-list", "get"): lambda w: None,
    ("risk-backtest-list", "post"): lambda w: ("json", {**_period(), "red_share": "10"}),
    ("risk-backtest-detail", "get"): lambda w: None,
    ("risk-model-list", "get"): lambda w: None,
    ("risk-model-detail", "get"): lambda w: None,
    ("risk-model-activate", "post"): lambda w: ("json", {}),
    ("risk-model-retire", "post"): lambda w: ("json", {}),
    ("risk-profile-current", "get"): lambda w: None,
}
EDITOR_ROUTES = {("risk-model-activate", "post"), ("risk-model-retire", "post")}
SUCCESS = {("risk-backtest-list", "post"): 202}


@cache
def replayed_result() -> dict:
    """A backtest result as backtest_compute shapes it, replayed once per process."""
    cases, outcomes, _planted = synthetic.history(1500, seed=5, days=28)
    results = replay(cases, outcomes, [RandomEngine(), LearnedEngine(rounds=20)],
                     red_share=0.1)
    return {"date_from": cases[0].on.isoformat(), "date_to": cases[-1].on.isoformat(),
            "red_share": 0.1, "declarations": len(cases), "known": len(outcomes),
            "prior_outcomes": 0, "seconds": 0.0, "engines": [r.as_dict() for r in results]}


@cache
def trained_model() -> dict:
    """A model trained on a small generated history, as a RiskModel row stores it (trained once
    per process: the fuzzing world uses it too)."""
    cases, outcomes, _planted = synthetic.history(3000, seed=5)
    model = model_train([(case, outcomes[case.id].violation) for case in cases], rounds=40)
    return {**model.as_json(), "features": model.featurizer.names,
            "profiles": profiles_fit((case, outcomes[case.id].violation) for case in cases)}


def learning_world(by) -> dict:
    """Model v1 active and v2 trained, a profile set, a queued backtest and a done one (run by
    the real service on whatever history the database has)."""
    data = trained_model()
    today = timezone.localdate()
    models = [RiskModel.objects.create(
        version=version, status=status, window_from=today - timedelta(days=365),
        window_to=today, outcomes=data["trained_on"], violations=data["violations"],
        features=data["features"], booster=data["booster"], featurizer=data["featurizer"],
        figures={"holdout_days": 28, "holdout_outcomes": 300, "base_rate": 0.07,
                 "hit_rate_top10": 0.3, "auc": None}, trained_by=by)
        for version, status in ((1, ModelStatus.ACTIVE), (2, ModelStatus.TRAINED))]
    profiles = data["profiles"]
    RiskProfileSet.objects.create(version=1, window_to=today, inspections=profiles.inspections,
                                  violations=profiles.violations, base_rate=profiles.base_rate,
                                  tables=profiles.as_json(), built_by=by)
    # Rows as the service leaves them, without running a replay per test (the fuzzing builds
    # this world for every operation): a queued one and a done one with a real result.
    ruleset = ruleset_active()
    queued = Backtest.objects.create(ruleset=ruleset, date_from=today - timedelta(days=14),
                                     date_to=today, requested_by=by)
    done = Backtest.objects.create(ruleset=ruleset, date_from=today - timedelta(days=60),
                                   date_to=today, requested_by=by, state=BacktestState.DONE,
                                   done=1000, total=1000, result=replayed_result(),
                                   finished_at=timezone.now())
    return {"backtest_id": [queued.pk, done.pk, 999_999_999],
            "version": [model.version for model in models] + [999_999_999]}


def risk_routes():
    """(url name, http method) of every route under the prefixes (not HEAD: it is the GET)."""
    return sorted({(name, method) for path, name, method, _action in api_routes()
                   if path.startswith(RISK_PREFIXES) and method != "head"})


@pytest.fixture
def world(risk_officer):
    pools = learning_world(risk_officer)
    return SimpleNamespace(backtest=pools["backtest_id"][1], model=2, active_model=1)


def _url(name, world):
    if name == "risk-backtest-detail":
        return reverse(name, args=[world.backtest])
    if name == "risk-model-retire":  # the active one (retiring another is a 409)
        return reverse(name, args=[world.active_model])
    if name.startswith("risk-model-") and name != "risk-model-list":
        return reverse(name, args=[world.model])
    return reverse(name)


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body[1], format=body[0])


def _snapshot():
    return (Backtest.objects.count(), sorted(RiskModel.objects.values_list("version", "status",
                                                                           "activated_by_id")),
            RiskProfileSet.objects.count(),
            AuditEvent.objects.filter(action=AuditAction.RISK_MODEL_ACTIVATED).count())


def test_every_risk_route_has_a_recipe():
    assert set(risk_routes()) == set(RISK_BODIES)


@pytest.mark.parametrize("name, method", risk_routes())
def test_anonymous_gets_401_and_nothing_is_written(api_client, world, name, method):
    before = _snapshot()
    response = _call(api_client, method, _url(name, world), RISK_BODIES[name, method](world))
    assert response.status_code == 401, (name, method, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("name, method", risk_routes())
@pytest.mark.parametrize("who", ["declarant_a", "declarant_b"])
def test_an_enterprise_gets_404_and_learns_nothing(api_as, request, world, name, method, who):
    before = _snapshot()
    response = _call(api_as(request.getfixturevalue(who)), method, _url(name, world),
                     RISK_BODIES[name, method](world))
    assert response.status_code == 404, (name, method, response.status_code)
    assert set(response.json()) == {"detail"}
    assert _snapshot() == before


@pytest.mark.parametrize("name, method", risk_routes())
@pytest.mark.parametrize("who", ["doc_checker", "inspector", "team_leader"])
def test_an_officer_outside_risk_gets_403(api_as, request, world, name, method, who):
    before = _snapshot()
    response = _call(api_as(request.getfixturevalue(who)), method, _url(name, world),
                     RISK_BODIES[name, method](world))
    assert response.status_code == 403, (name, method, who, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("name, method", risk_routes())
def test_the_branch_leader_reads_and_backtests_but_activates_nothing(api_as, leader, world,
                                                                     name, method):
    before = _snapshot()
    response = _call(api_as(leader), method, _url(name, world), RISK_BODIES[name, method](world))
    if (name, method) in EDITOR_ROUTES:
        assert response.status_code == 403, (name, response.status_code)
        assert _snapshot() == before
    else:
        assert response.status_code == SUCCESS.get((name, method), 200), (
            name, response.status_code, response.content[:300])


@pytest.mark.parametrize("name, method", risk_routes())
@pytest.mark.parametrize("who", ["risk_officer", "admin_user"])
def test_risk_editors_reach_every_route(api_as, request, world, name, method, who):
    response = _call(api_as(request.getfixturevalue(who)), method, _url(name, world),
                     RISK_BODIES[name, method](world))
    assert response.status_code == SUCCESS.get((name, method), 200), (
        name, who, response.status_code, response.content[:300])


@pytest.mark.parametrize("name", sorted({name for name, _method in risk_routes()}))
def test_options_on_every_route_answers(api_as, risk_officer, world, name):
    assert api_as(risk_officer).options(_url(name, world)).status_code == 200
