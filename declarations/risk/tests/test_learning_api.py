"""The learned-selection API: backtests queued and run, trained models read, activated and
retired, the profiles in use; who may do what (the full route matrix is in
tests/test_api_risk_routes.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customs_core.audit.choices import AuditAction
from customs_core.audit.models import AuditEvent
from declarations.choices import CheckResult, FoundDuring
from declarations.models import CheckOutcome, Declaration
from declarations.risk import learned
from declarations.risk.api import learning as api
from declarations.risk.learning import synthetic
from declarations.risk.learning.model import model_train
from declarations.risk.learning.profiles import KEYS, MIN_INSPECTIONS, profiles_fit, smoothed
from declarations.risk.models import RiskRuleset
from declarations.risk.models_learning import (
    Backtest,
    BacktestState,
    ModelStatus,
    RiskModel,
    RiskProfileSet,
)
from declarations.risk.policy import ruleset_active

pytestmark = pytest.mark.django_db

BACKTESTS = "/api/v1/risk/backtests/"
MODELS = "/api/v1/risk/models/"
PROFILES = "/api/v1/risk/profiles/current/"


@pytest.fixture(scope="module")
def history():
    return synthetic.history(3000, seed=5)


@pytest.fixture(scope="module")
def trained(history):
    """A model trained on a small labelled history: its booster and featurizer, as stored."""
    cases, outcomes, _planted = history
    model = model_train([(case, outcomes[case.id].violation) for case in cases])
    assert model is not None
    return model


def model_row(trained, version: int, *, status=ModelStatus.TRAINED, by=None) -> RiskModel:
    data = trained.as_json()
    today = timezone.localdate()
    return RiskModel.objects.create(
        version=version, status=status, window_from=today - timedelta(days=365),
        window_to=today, outcomes=trained.trained_on, violations=trained.violations,
        features=trained.featurizer.names, booster=data["booster"],
        featurizer=data["featurizer"], seconds=1.5, trained_by=by,
        figures={"holdout_days": 28, "holdout_outcomes": 240, "base_rate": 0.07,
                 "hit_rate_top10": 0.31, "auc": 0.81})


def profile_row(history, version: int = 1) -> RiskProfileSet:
    cases, outcomes, _planted = history
    profiles = profiles_fit((case, outcomes[case.id].violation) for case in cases)
    today = timezone.localdate()
    return RiskProfileSet.objects.create(
        version=version, window_from=today - timedelta(days=365), window_to=today,
        inspections=profiles.inspections, violations=profiles.violations,
        base_rate=profiles.base_rate, tables=profiles.as_json())


def labelled_history(make_declaration, officer, *, count: int = 8) -> list[Declaration]:
    """`count` registered declarations spread over the last weeks, every other one inspected
    (one in four found in violation)."""
    now = timezone.now()
    made = []
    for i in range(count):
        declaration = make_declaration(state="submitted")
        registered = now - timedelta(days=3 + 4 * i)
        Declaration.objects.filter(pk=declaration.pk).update(submitted_at=registered)
        if i % 2 == 0:
            CheckOutcome.objects.create(
                declaration=declaration, enterprise=declaration.enterprise,
                check_kind=FoundDuring.INSPECTION, decided_by=officer,
                outcome=CheckResult.VIOLATION if i % 4 == 0 else CheckResult.CONFORM,
                decided_at=registered + timedelta(hours=5))
        made.append(declaration)
    return made


def period(days_back: int = 60) -> dict:
    today = timezone.localdate()
    return {"date_from": (today - timedelta(days=days_back)).isoformat(),
            "date_to": today.isoformat()}


# --- backtests ---------------------------------------------------------------------------------
def test_a_posted_backtest_is_queued_then_runs_and_shows_each_engines_figures(
        api_as, risk_officer, make_declaration, django_capture_on_commit_callbacks):
    made = labelled_history(make_declaration, risk_officer)
    active = ruleset_active()
    client = api_as(risk_officer)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(BACKTESTS, {**period(), "red_share": "25"}, format="json")
        assert response.status_code == 202, response.content[:300]
        body = response.json()
        assert (body["state"], body["percent"], body["result"]) == ("queued", 0, None)
    assert len(queued) == 1  # the worker's task, after commit
    backtest = Backtest.objects.get()
    assert response["Location"] == f"http://testserver{BACKTESTS}{backtest.pk}/"
    assert (body["id"], body["ruleset_version"], body["red_share"], body["requested_by"]) == (
        backtest.pk, active.version, "25.00", "risk_officer")

    shown = client.get(response["Location"]).json()
    assert (shown["state"], shown["percent"], shown["error"]) == ("done", 100, "")
    assert shown["finished_at"] is not None
    result = shown["result"]
    assert (result["declarations"], result["known"], result["red_share"]) == (
        len(made), 4, 0.25)
    engines = {engine["engine"]: engine for engine in result["engines"]}
    assert set(engines) == {"random", f"ruleset v{active.version}", "learned"}
    for engine in engines.values():
        overall = engine["overall"]
        assert (overall["cases"], overall["violations"]) == (len(made), 2)
        assert overall["selected"] == sum(week["selected"] for week in engine["weeks"]) > 0
        assert sum(week["cases"] for week in engine["weeks"]) == len(made)
        assert 0 <= overall["hits"] <= overall["known"] <= overall["selected"]


def test_a_backtest_of_a_draft_ruleset_at_the_default_share(api_as, risk_officer):
    active = ruleset_active()
    draft = RiskRuleset.objects.create(version=active.version + 1, name="Nháp")
    response = api_as(risk_officer).post(BACKTESTS, {**period(), "ruleset": draft.version},
                                         format="json")
    assert response.status_code == 202
    assert (response.json()["ruleset_version"], response.json()["red_share"]) == (
        draft.version, "10.00")
    backtest = Backtest.objects.get()
    assert (backtest.ruleset, backtest.red_share, backtest.state) == (
        draft, Decimal("10"), BacktestState.QUEUED)


def _days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


@pytest.mark.parametrize("body, fields", [
    ({"date_from": _days(-5), "date_to": _days(-10)}, {"date_to"}),
    ({"date_from": _days(-5), "date_to": _days(3)}, {"date_to"}),
    ({"date_from": _days(-500), "date_to": _days(-1)}, {"date_to"}),
    ({**period(), "red_share": "0.1"}, {"red_share"}),
    ({**period(), "red_share": "75"}, {"red_share"}),
    ({**period(), "red_share": "dozen"}, {"red_share"}),
    ({**period(), "ruleset": 9999}, {"ruleset"}),
    ({**period(), "ruleset": "v2"}, {"ruleset"}),
    ({"date_from": "31/02/2026", "date_to": _days(0)}, {"date_from"}),
    ({"date_to": _days(0)}, {"date_from"}),
    ({**period(), "engine": "learned"}, {"engine"}),
])
def test_bad_backtest_input_is_400_with_the_fields_messages(api_as, risk_officer, body,
                                                            fields):
    response = api_as(risk_officer).post(BACKTESTS, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert set(response.json()) == fields
    assert all(isinstance(m, str) and m for f in fields for m in response.json()[f])
    assert not Backtest.objects.exists()


def test_the_unknown_ruleset_message_names_the_version(api_as, risk_officer):
    api_as(risk_officer).cookies["customs_language"] = "en"
    response = api_as(risk_officer).post(BACKTESTS, {**period(), "ruleset": 9999},
                                         format="json")
    assert response.json() == {"ruleset": ["No ruleset has version 9999."]}


def test_backtests_are_listed_newest_first_page_by_page(api_as, risk_officer, leader):
    made = [learned.backtest_request(by=user, date_from=timezone.localdate() - timedelta(days=d),
                                     date_to=timezone.localdate(), red_share=Decimal("10"))
            for d, user in ((30, risk_officer), (60, leader), (90, risk_officer))]
    client = api_as(leader)  # the branch leader reads them too
    page = client.get(BACKTESTS, {"page_size": 2}).json()
    assert page["count"] == 3 and page["next"]
    assert [row["id"] for row in page["results"]] == [made[2].pk, made[1].pk]
    assert page["results"][1]["requested_by"] == "leader"
    rest = client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [made[0].pk]
    assert client.get(f"{BACKTESTS}{made[0].pk}/").json()["date_from"] == (
        timezone.localdate() - timedelta(days=30)).isoformat()
    assert client.get(f"{BACKTESTS}999999999/").status_code == 404


def test_the_same_idempotency_key_queues_one_backtest(api_as, risk_officer):
    client = api_as(risk_officer)
    first, again = (client.post(BACKTESTS, period(), format="json",
                                HTTP_IDEMPOTENCY_KEY="bt-1") for _ in range(2))
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"] == Backtest.objects.get().pk
    assert first["Location"] == again["Location"]


def test_backtests_are_throttled_per_user(api_as, risk_officer, monkeypatch):
    monkeypatch.setattr(api, "BACKTEST_RATE", "2/hour")
    client = api_as(risk_officer)
    answers = [client.post(BACKTESTS, period(), format="json").status_code for _ in range(3)]
    assert answers == [202, 202, 429]
    assert Backtest.objects.count() == 2
    assert client.get(BACKTESTS).status_code == 200  # reading is not throttled with it


def test_an_officer_outside_risk_may_not_run_a_backtest_and_an_enterprise_sees_no_route(
        api_as, doc_checker, declarant_a):
    assert api_as(doc_checker).post(BACKTESTS, period(), format="json").status_code == 403
    assert api_as(declarant_a).post(BACKTESTS, period(), format="json").status_code == 404
    assert api_as(declarant_a).get(BACKTESTS).status_code == 404
    assert not Backtest.objects.exists()


# --- models ------------------------------------------------------------------------------------
def test_models_are_listed_newest_first_without_their_booster(api_as, risk_officer, trained):
    model_row(trained, 1, status=ModelStatus.RETIRED)
    model_row(trained, 2, by=risk_officer)
    client = api_as(risk_officer)
    rows = client.get(MODELS).json()["results"]
    assert [(row["version"], row["status"]) for row in rows] == [(2, "trained"),
                                                                 (1, "retired")]
    one = client.get(f"{MODELS}2/").json()
    assert one == rows[0]
    assert {"booster", "featurizer"}.isdisjoint(one)
    assert (one["outcomes"], one["violations"], one["trained_by"], one["activated_by"]) == (
        trained.trained_on, trained.violations, "risk_officer", None)
    assert one["features"] == trained.featurizer.names and "rate:hs6_origin" in one["features"]
    assert one["figures"] == {"holdout_days": 28, "holdout_outcomes": 240, "base_rate": 0.07,
                              "hit_rate_top10": 0.31, "auc": 0.81}
    assert client.get(f"{MODELS}3/").status_code == 404
    assert client.get(f"{MODELS}99999999999999999999999/").status_code == 404


def test_activating_a_model_switches_the_one_routing_scores_with(
        api_as, risk_officer, trained, history, django_capture_on_commit_callbacks):
    old = model_row(trained, 1, status=ModelStatus.ACTIVE)
    model_row(trained, 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(risk_officer).post(f"{MODELS}2/activate/")
    assert response.status_code == 200, response.content[:300]
    assert (response.json()["status"], response.json()["activated_by"]) == ("active",
                                                                          "risk_officer")
    assert response.json()["activated_at"] is not None
    old.refresh_from_db()
    assert old.status == ModelStatus.RETIRED
    tables = learned.tables()
    assert tables.model_version == 2
    cases = history[0][:5]  # the stored booster scores: the row is a working model
    assert list(tables.model.probabilities(cases)) == pytest.approx(
        list(trained.probabilities(cases)))
    event = AuditEvent.objects.get(action=AuditAction.RISK_MODEL_ACTIVATED)
    assert event.details == {"version": 2, "previous": [1]}


def test_retiring_the_active_model_leaves_routing_on_rules(
        api_as, risk_officer, trained, django_capture_on_commit_callbacks):
    model_row(trained, 1, status=ModelStatus.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(risk_officer).post(f"{MODELS}1/retire/")
    assert response.status_code == 200
    assert response.json()["status"] == "retired"
    assert not RiskModel.objects.filter(status=ModelStatus.ACTIVE).exists()
    assert learned.tables().model is None


@pytest.mark.parametrize("verb", ["activate", "retire"])
def test_a_risk_viewer_who_does_not_edit_may_not_act_on_models(api_as, leader, trained,
                                                               verb):
    model_row(trained, 1, status=ModelStatus.ACTIVE)
    model_row(trained, 2)
    client = api_as(leader)
    assert client.get(f"{MODELS}2/").status_code == 200  # the branch leader reads them
    response = client.post(f"{MODELS}{1 if verb == 'retire' else 2}/{verb}/")
    assert response.status_code == 403
    assert dict(RiskModel.objects.values_list("version", "status")) == {
        1: ModelStatus.ACTIVE, 2: ModelStatus.TRAINED}
    assert not AuditEvent.objects.filter(action=AuditAction.RISK_MODEL_ACTIVATED).exists()


# --- profiles ----------------------------------------------------------------------------------
def test_no_profile_set_built_is_404(api_as, risk_officer):
    assert api_as(risk_officer).get(PROFILES).status_code == 404


def test_the_current_profiles_show_each_keys_riskiest_values(api_as, risk_officer, history):
    profile_row(history, version=1)
    built = profile_row(history, version=2)
    body = api_as(risk_officer).get(PROFILES).json()
    assert (body["version"], body["inspections"], body["violations"]) == (
        2, built.inspections, built.violations)
    assert body["base_rate"] == pytest.approx(built.base_rate)
    assert [entry["key"] for entry in body["keys"]] == list(KEYS)
    base = built.base_rate
    for entry in body["keys"]:
        table = built.tables["tables"][entry["key"]]
        eligible = {value: (v, n) for value, (v, n) in table.items() if n >= MIN_INSPECTIONS}
        values = entry["values"]
        assert len(values) == min(api.TOP_VALUES, len(eligible))
        lifts = [row["lift"] for row in values]
        assert lifts == sorted(lifts, reverse=True)
        for row in values:
            v, n = eligible[row["value"]]
            assert (row["violations"], row["inspections"]) == (v, n)
            assert row["rate"] == pytest.approx(smoothed(v, n, base), abs=1e-4)
        if values:  # nothing eligible left out ranks above the last one shown
            shown = {row["value"] for row in values}
            assert all(smoothed(v, n, base) / base <= values[-1]["lift"] + 0.01
                       for value, (v, n) in eligible.items() if value not in shown)


def test_the_riskiest_origin_pairs_are_the_planted_ones(api_as, risk_officer, history):
    profile_row(history)
    body = api_as(risk_officer).get(PROFILES).json()
    pairs = next(entry["values"] for entry in body["keys"] if entry["key"] == "hs6_origin")
    planted = {f"{code[:6]}|{origin}" for code, origin in history[2].pairs}
    assert pairs[0]["value"] in planted and pairs[0]["lift"] > 2


def test_an_enterprise_does_not_learn_that_profiles_exist(api_as, declarant_a, doc_checker,
                                                          history):
    profile_row(history)
    assert api_as(declarant_a).get(PROFILES).status_code == 404
    assert api_as(doc_checker).get(PROFILES).status_code == 403


def test_retiring_a_model_that_is_not_active_is_a_conflict(api_as, risk_officer, trained):
    model_row(trained, 1, status=ModelStatus.TRAINED)
    response = api_as(risk_officer).post(f"{MODELS}1/retire/")
    assert response.status_code == 409
    assert response.json()["code"] == "model_not_active"
    assert RiskModel.objects.get(version=1).status == ModelStatus.TRAINED
