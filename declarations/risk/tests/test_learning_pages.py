"""The learned selection pages: the profiles in use and their strongest values, the trained
models (activated and retired by an editor), and the backtests asked for from the what-if page,
through Django's test client (Celery runs eagerly here)."""

import re
from dataclasses import replace
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_core.models import BorderGate
from declarations.risk import services
from declarations.risk.learning import synthetic
from declarations.risk.learning.model import model_train
from declarations.risk.learning.profiles import KEYS, profiles_fit
from declarations.risk.learning_labels import FEATURE_GROUP_LABELS
from declarations.risk.models_learning import Backtest, ModelStatus, RiskModel, RiskProfileSet
from declarations.risk.selectors_learning import profile_leaders
from declarations.risk.views_learning import risk_model_train_task

pytestmark = pytest.mark.django_db

# The codes the core names things with that no sentence contains: none may be what a reader
# sees (the one-word keys and engines are checked where they would show: headings, rows).
RAW_CODES = [*(key for key in KEYS if "_" in key or key == "hs6"),
             *(group for group in FEATURE_GROUP_LABELS if "_" in group or ":" in group),
             *(f"rate:{key}" for key in KEYS), *(f"n:{key}" for key in KEYS),
             "log_value", "log_quantity", "log_unit_value", "unit_value_vs_hs6",
             "price_ratio", "ruleset v"]
ONE_WORD_CODES = {key for key in KEYS if "_" not in key} | {"random", "learned"}


def _language(client, settings, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def visible_text(response) -> str:
    """What a reader sees: the page without its tags, scripts and attributes."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def raw_codes_in(response) -> list[str]:
    """The codes a reader would see on the page: anywhere in its text, or as the heading of a
    profile key or the name of an engine."""
    text = visible_text(response)
    found = [code for code in RAW_CODES
             if re.search(rf"(?<![\w:]){re.escape(code)}(?![\w])", text)]
    html = response.content.decode()
    shown = re.findall(r'data-testid="profile-key-\w+">\s*<h2>([^<]+)</h2>', html)
    shown += re.findall(r'data-testid="engine-row"[^>]*>\s*<th scope="row">([^<]+)</th>', html)
    return found + [name for name in shown if name.strip() in ONE_WORD_CODES]


@pytest.fixture(scope="module")
def trained():
    """Profiles and a small model from a generated history, its cases carrying the numbers and
    the category the branch's cases have."""
    cases, outcomes, _ = synthetic.history(3000, seed=5, days=84)
    cases = [replace(c, numbers={"lines": 1.0 + i % 3, "amendments": float(i % 2),
                                 "priority": 0.0, "enterprise_age_days": 400.0 + i % 50},
                     categories={"regime": "A11" if i % 4 else "E31"})
             for i, c in enumerate(cases)]
    labelled = [(c, outcomes[c.id].violation) for c in cases]
    return profiles_fit(labelled), model_train(labelled, rounds=20)


def _model_row(model, *, version: int, by, status=ModelStatus.TRAINED) -> RiskModel:
    data = model.as_json()
    return RiskModel.objects.create(
        version=version, status=status, window_from=date(2025, 1, 6),
        window_to=date(2025, 3, 31), outcomes=model.trained_on, violations=model.violations,
        features=model.featurizer.names, booster=data["booster"],
        featurizer=data["featurizer"], seconds=2.5, trained_by=by,
        figures={"holdout_days": 28, "holdout_outcomes": 512, "base_rate": 0.1016,
                 "hit_rate_top10": 0.4231, "auc": 0.8134})


@pytest.fixture
def learned_world(trained, risk_officer):
    profiles, model = trained
    profile_set = RiskProfileSet.objects.create(
        version=1, window_from=date(2025, 1, 6), window_to=date(2025, 3, 31),
        inspections=profiles.inspections, violations=profiles.violations,
        base_rate=profiles.base_rate, tables=profiles.as_json(), seconds=1.25,
        built_by=risk_officer)
    backtest = Backtest.objects.create(ruleset=services.ruleset_active(),
                                       date_from=date(2025, 1, 6), date_to=date(2025, 3, 31),
                                       requested_by=risk_officer)
    return {"profile_set": profile_set, "backtest": backtest,
            "old": _model_row(model, version=1, by=risk_officer),
            "model": _model_row(model, version=2, by=risk_officer)}


PAGES = {
    "learning": lambda w: reverse("risk:learning"),
    "model": lambda w: reverse("risk:learning-model", args=[w["model"].version]),
    "backtests": lambda w: reverse("risk:backtests"),
    "backtest": lambda w: reverse("risk:backtest", args=[w["backtest"].pk]),
    "simulate": lambda w: reverse("risk:simulate", args=[w["backtest"].ruleset_id]),
}
POSTS = {
    "rebuild": lambda w: reverse("risk:learning-rebuild"),
    "train": lambda w: reverse("risk:learning-train"),
    "activate": lambda w: reverse("risk:learning-model-activate", args=[w["model"].version]),
    "retire": lambda w: reverse("risk:learning-model-retire", args=[w["model"].version]),
    "backtest-new": lambda w: reverse("risk:backtest-new", args=[w["backtest"].ruleset_id]),
}


# --- who sees what -----------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_renders_for_a_risk_officer_without_a_raw_code(client, settings, risk_officer,
                                                                learned_world, page, language):
    _language(client, settings, language)
    client.force_login(risk_officer)
    response = client.get(PAGES[page](learned_world))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == language
    assert raw_codes_in(response) == []


def test_the_learning_page_shows_the_profile_set_a_chart_per_key_and_the_models(
        client, settings, risk_officer, learned_world):
    _language(client, settings, "en")
    client.force_login(risk_officer)
    page = client.get(reverse("risk:learning")).content.decode()
    profile_set = learned_world["profile_set"]
    assert "06/01/2025" in page and "31/03/2025" in page  # the window, day first
    assert f'data-testid="profile-inspections">{profile_set.inspections:,}<' in page
    headings = dict(re.findall(r'data-testid="profile-key-(\w+)">\s*<h2>([^<]+)</h2>', page))
    assert list(headings) == list(KEYS) and headings["hs6_origin"] == "HS6 × origin"
    for key in KEYS:
        assert f'data-testid="lift-chart-{key}"' in page
    assert "42.3%" in page and "10.2%" in page and "0.813" in page  # holdout figures
    assert 'data-testid="activate-2"' in page and 'data-testid="activate-1"' in page
    assert 'data-testid="rebuild-profiles"' in page and 'data-testid="train-model"' in page


def test_a_value_is_said_with_its_figures_and_few_inspections_are_left_out(
        client, settings, risk_officer):
    tables = {key: {} for key in KEYS}
    tables["hs6_origin"] = {"870323|CN": [12, 41], "870324|JP": [1, 30], "999999|XX": [4, 4]}
    gate = BorderGate.objects.order_by("code").first()
    tables["gate"] = {str(gate.pk): [3, 10]}  # the key's value is the gate's id
    RiskProfileSet.objects.create(
        version=3, window_from=date(2025, 1, 1), window_to=date(2025, 12, 31), inspections=1000,
        violations=100, base_rate=0.1, seconds=0.5,
        tables={"base_rate": 0.1, "violations": 100, "inspections": 1000, "prior": 20.0,
                "tables": tables})
    _language(client, settings, "en")
    client.force_login(risk_officer)
    text = " ".join(visible_text(client.get(reverse("risk:learning"))).split())
    # (12 + 20 x 0.1) / (41 + 20) = 23.0%, 2.3 times the base rate of 10%
    assert "HS6 × origin 870323 × CN: 12 violations in 41 inspections, 2.3× the base rate" in text
    assert "870324 × JP: 1 violation in 30 inspections, 0.6× the base rate" in text
    assert "999999" not in text  # 4 inspections: fewer than 5
    assert f"{gate.code} {gate.name_en}: 3 violations in 10 inspections" in text


def test_the_ten_strongest_values_of_a_key_come_first(risk_officer):
    values = {f"0{i:09d}": [i % 7, 5 + i] for i in range(30)}
    values["0999999999"] = [4, 4]  # the highest rate, but too few inspections
    profile_set = RiskProfileSet(
        version=1, window_to=date(2025, 12, 31), inspections=1000, violations=100,
        base_rate=0.1, tables={"base_rate": 0.1, "prior": 20.0,
                               "tables": {"enterprise": values}})
    leaders = profile_leaders(profile_set)["enterprise"]
    assert len(leaders) == 10
    assert [r.lift for r in leaders] == sorted((r.lift for r in leaders), reverse=True)
    assert leaders[0].value == "0000000006"  # 6 violations in 11 inspections
    assert all(r.inspections >= 5 for r in leaders)


def test_the_model_page_lists_its_features_in_words(client, settings, risk_officer,
                                                    learned_world):
    _language(client, settings, "en")
    client.force_login(risk_officer)
    model = learned_world["model"]
    response = client.get(reverse("risk:learning-model", args=[model.version]))
    rows = dict(re.findall(r'<tr data-feature="([^"]+)"><td>([^<]+)</td>',
                           response.content.decode()))
    assert list(rows) == model.features
    assert rows["rate:hs6_origin"] == "Violation rate by HS6 × origin"
    assert rows["number:enterprise_age_days"] == "Age of the enterprise (days)"
    assert rows["category:regime"] == "Customs regime"
    assert rows["unit_value_vs_hs6"] == "Unit value against the usual for its HS6"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_an_enterprise_user_is_told_nothing_exists(client, declarant_a, learned_world, page):
    client.force_login(declarant_a)
    assert client.get(PAGES[page](learned_world)).status_code == 404


@pytest.mark.parametrize("name", sorted(POSTS))
def test_an_enterprise_user_changes_nothing(client, declarant_a, learned_world, name):
    client.force_login(declarant_a)
    assert client.post(POSTS[name](learned_world)).status_code == 404
    assert RiskModel.objects.filter(status=ModelStatus.ACTIVE).count() == 0


@pytest.mark.parametrize("page", sorted(PAGES))
def test_an_officer_outside_risk_gets_403(client, doc_checker, learned_world, page):
    client.force_login(doc_checker)
    assert client.get(PAGES[page](learned_world)).status_code == 403


@pytest.mark.parametrize("name", sorted(POSTS))
def test_an_officer_outside_risk_may_not_post(client, doc_checker, learned_world, name):
    client.force_login(doc_checker)
    assert client.post(POSTS[name](learned_world)).status_code == 403
    assert Backtest.objects.count() == 1 and RiskProfileSet.objects.count() == 1


@pytest.mark.parametrize("name", ["rebuild", "train", "activate", "retire"])
def test_a_branch_leader_reads_but_may_not_change(client, leader, learned_world, name):
    client.force_login(leader)
    page = client.get(reverse("risk:learning")).content.decode()
    assert "v2" in page and 'data-testid="activate-2"' not in page
    assert 'data-testid="rebuild-profiles"' not in page
    assert client.post(POSTS[name](learned_world)).status_code == 403
    assert RiskModel.objects.filter(status=ModelStatus.ACTIVE).count() == 0
    assert RiskProfileSet.objects.count() == 1


# --- changing -----------------------------------------------------------------------------------
def test_an_editor_activates_a_model_then_another_then_retires_it(client, settings,
                                                                  risk_officer, learned_world):
    _language(client, settings, "en")
    client.force_login(risk_officer)
    old, new = learned_world["old"], learned_world["model"]
    assert client.post(reverse("risk:learning-model-activate", args=[1])).status_code == 302
    old.refresh_from_db()
    assert old.status == ModelStatus.ACTIVE and old.activated_by == risk_officer

    response = client.post(reverse("risk:learning-model-activate", args=[2]), follow=True)
    assert "Model v2 is now active" in response.content.decode()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (ModelStatus.RETIRED, ModelStatus.ACTIVE)
    assert 'data-testid="retire-2"' in response.content.decode()

    assert client.post(reverse("risk:learning-model-retire", args=[2])).status_code == 302
    new.refresh_from_db()
    assert new.status == ModelStatus.RETIRED
    assert not RiskModel.objects.filter(status=ModelStatus.ACTIVE).exists()


def test_retiring_a_model_that_is_not_active_says_so(client, settings, risk_officer,
                                                     learned_world):
    _language(client, settings, "en")
    client.force_login(risk_officer)
    response = client.post(reverse("risk:learning-model-retire", args=[2]), follow=True)
    assert "Model v2 is not active." in response.content.decode()
    assert client.post(reverse("risk:learning-model-retire", args=[99])).status_code == 404


def test_rebuild_now_builds_a_profile_set_once_the_request_is_committed(
        client, settings, risk_officer, learned_world, django_capture_on_commit_callbacks):
    _language(client, settings, "en")
    client.force_login(risk_officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("risk:learning-rebuild"), follow=True)
    assert len(callbacks) == 1
    assert "Profile rebuild queued" in response.content.decode()
    newest = RiskProfileSet.objects.order_by("-version").first()
    assert newest.version == 2 and newest.built_by == risk_officer


def test_train_now_queues_the_training_with_the_officers_id(
        client, risk_officer, learned_world, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(risk_model_train_task, "delay", queued.append)
    client.force_login(risk_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(reverse("risk:learning-train")).status_code == 302
    assert queued == []  # not before the commit
    for callback in callbacks:
        callback()
    assert queued == [risk_officer.pk]


# --- backtests -----------------------------------------------------------------------------------
def _backtest_post(client, ruleset, **data):
    return client.post(reverse("risk:backtest-new", args=[ruleset.pk]), data)


def test_the_what_if_page_offers_a_backtest_of_the_last_90_days_at_10_percent(
        client, risk_officer):
    client.force_login(risk_officer)
    ruleset = services.ruleset_active()
    page = client.get(reverse("risk:simulate", args=[ruleset.pk])).content.decode()
    today = timezone.localdate()
    assert f'action="{reverse("risk:backtest-new", args=[ruleset.pk])}"' in page
    assert f'value="{(today - timedelta(days=90)):%d/%m/%Y}"' in page
    assert f'value="{today:%d/%m/%Y}"' in page
    assert 'name="red_share" value="10"' in page


@pytest.mark.parametrize(("data", "field"), [
    ({"date_from": "31/03/2025", "date_to": "01/03/2025", "red_share": "10"}, "date_to"),
    ({"date_from": "01/03/2025", "date_to": "31/03/2025", "red_share": "0"}, "red_share"),
    ({"date_from": "31/02/2025", "date_to": "31/03/2025", "red_share": "10"}, "date_from"),
    ({"date_from": "01/03/2025", "date_to": "31/03/2025", "red_share": "mười"}, "red_share"),
])
def test_a_wrong_backtest_form_shows_the_error_on_its_field(client, risk_officer, data, field):
    client.force_login(risk_officer)
    response = _backtest_post(client, services.ruleset_active(), **data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not Backtest.objects.exists()


@pytest.fixture
def history(reference_data, settings, tmp_path):
    """The demo's declarations with their check outcomes, over the last two years."""
    from customs_core import demo as core_demo
    from declarations import demo

    settings.MEDIA_ROOT = tmp_path
    core_demo.seed(options={}, progress=lambda it, **kw: it)
    demo.history_seed(count=300, seed=2017, progress=lambda it, **kw: it)


def test_a_backtest_runs_and_shows_each_engine(client, settings, risk_officer, history,
                                               django_capture_on_commit_callbacks):
    _language(client, settings, "vi")
    client.force_login(risk_officer)
    ruleset = services.ruleset_active()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = _backtest_post(client, ruleset,
                                  date_from=f"{today - timedelta(days=90):%d/%m/%Y}",
                                  date_to=f"{today:%d/%m/%Y}", red_share="12,5")
    backtest = Backtest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("risk:backtest", args=[backtest.pk])
    assert backtest.state == "done" and backtest.requested_by == risk_officer
    assert str(backtest.red_share) == "12.50" and backtest.ruleset == ruleset
    engines = [e["engine"] for e in backtest.result["engines"]]
    assert engines == ["random", f"ruleset v{ruleset.version}", "learned"]

    response = client.get(response.url)
    page = response.content.decode()
    assert re.findall(r'data-testid="engine-row" data-engine="([^"]+)"', page) == engines
    assert 'data-testid="backtest-chart"' in page
    assert 'data-testid="backtest-progress"' not in page
    assert raw_codes_in(response) == []
    listed = client.get(reverse("risk:backtests")).content.decode()
    assert reverse("risk:backtest", args=[backtest.pk]) in listed


def test_a_running_backtest_polls_its_status_in_the_background(client, risk_officer,
                                                               learned_world):
    client.force_login(risk_officer)
    backtest = learned_world["backtest"]
    Backtest.objects.filter(pk=backtest.pk).update(state="running", done=400, total=1000)
    url = reverse("risk:backtest", args=[backtest.pk])
    page = client.get(url).content.decode()
    assert 'id="backtest-status"' in page and 'value="40"' in page
    assert 'hx-trigger="every 2s"' in page and '"X-Background": "1"' in page

    Backtest.objects.filter(pk=backtest.pk).update(state="failed", error="Out of memory")
    fragment = client.get(url, headers={"HX-Request": "true", "X-Background": "1"})
    body = fragment.content.decode()
    assert "<html" not in body and "hx-trigger" not in body
    assert 'data-testid="backtest-failed"' in body and "Out of memory" in body
