"""Learned selection on the branch's own data: outcomes read from the database, a profile
rebuild, a model trained and activated, and routing that scores with both (with the figures
and reasons in the assessment)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from customs_core.testing.factories import UserFactory
from declarations.choices import CheckResult, FoundDuring
from declarations.models import CheckOutcome
from declarations.risk import learned
from declarations.risk.choices import RuleEffect, RuleType
from declarations.risk.learning import synthetic
from declarations.risk.learning.model import model_train
from declarations.risk.models import RiskModel, RiskRule, RiskRuleset
from declarations.risk.models_learning import ModelStatus
from declarations.risk.services import declaration_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def learned_ruleset(db):
    ruleset = RiskRuleset.objects.create(version=1, name="learned", is_active=True,
                                         min_random_percent=0, post_audit_random_percent=0,
                                         expected_red_percent=0, expected_yellow_percent=0)
    RiskRule.objects.create(ruleset=ruleset, code="profile", name="Hồ sơ rủi ro",
                            rule_type=RuleType.PROFILE, effect=RuleEffect.POINTS,
                            params={"keys": ["enterprise", "hs6_origin"],
                                    "min_inspections": 3}, points=40)
    RiskRule.objects.create(ruleset=ruleset, code="model", name="Mô hình",
                            rule_type=RuleType.MODEL, effect=RuleEffect.POINTS, params={},
                            points=80)
    learned.clear()
    yield ruleset
    learned.clear()


def _inspected(make_declaration, n, *, violation_every=None, **payload):
    """`n` routed-and-checked declarations with their outcome (a violation every Nth)."""
    made = []
    for i in range(n):
        declaration = make_declaration(state="submitted", **payload)
        violation = bool(violation_every) and i % violation_every == 0
        CheckOutcome.objects.create(
            declaration=declaration, enterprise=declaration.enterprise,
            check_kind=FoundDuring.INSPECTION,
            outcome=CheckResult.VIOLATION if violation else CheckResult.CONFORM,
            decided_at=timezone.now())
        made.append(declaration)
    return made


def test_outcomes_and_a_profile_rebuild_read_the_inspected_declarations(make_declaration):
    _inspected(make_declaration, 6, violation_every=2)
    rebuilt = learned.profiles_rebuild()
    assert (rebuilt.version, rebuilt.inspections, rebuilt.violations) == (1, 6, 3)
    enterprise = rebuilt.tables["tables"]["enterprise"]
    assert list(enterprise.values()) == [[3, 6]]  # one enterprise: 3 violations in 6
    assert learned.profiles_rebuild().version == 2  # versioned: a rebuild adds one
    with pytest.raises(PermissionDenied):
        learned.profiles_rebuild(by=UserFactory(role="doc_check"))


def test_routing_scores_with_the_profiles_and_says_why(learned_ruleset, make_declaration):
    _inspected(make_declaration, 8, violation_every=2)  # this enterprise: 4 in 8
    learned.profiles_rebuild()
    declaration = make_declaration(state="submitted")
    assessment = declaration_route(declaration_id=declaration.pk)
    hits = {h["code"]: h for h in assessment.fired}
    # every inspection so far was this enterprise's: the lift is 1, no points
    assert "profile" not in hits and assessment.score == 0


def test_a_risky_enterprise_profile_adds_points(learned_ruleset, make_declaration,
                                                declarant_b):
    _inspected(make_declaration, 8, violation_every=2)  # declarant A's enterprise: 4 in 8
    _inspected(make_declaration, 30, user=declarant_b)  # B's: 0 in 30
    profiles = learned.profiles_rebuild()
    assert profiles.base_rate == pytest.approx(4 / 38)
    declaration = make_declaration(state="submitted")
    assessment = declaration_route(declaration_id=declaration.pk)
    profile = next(h for h in assessment.fired if h["code"] == "profile")
    assert profile["args"]["key"] == "enterprise" and profile["args"]["violations"] == 4
    assert profile["args"]["inspections"] == 8 and profile["args"]["version"] == profiles.version
    assert 0 < profile["points"] <= 40 and assessment.score == profile["points"]
    # B's declarations get no profile points
    clean = make_declaration(state="submitted", user=declarant_b)
    assert all(h["code"] != "profile"
               for h in declaration_route(declaration_id=clean.pk).fired)


def _model_row(version=1, status=ModelStatus.TRAINED):
    cases, outcomes, _ = synthetic.history(2500, seed=3, days=28)
    model = model_train([(c, outcomes[c.id].violation) for c in cases], rounds=30)
    data = model.as_json()
    today = timezone.localdate()
    return RiskModel.objects.create(version=version, status=status,
                                    window_from=today - timedelta(days=28), window_to=today,
                                    outcomes=model.trained_on, violations=model.violations,
                                    features=model.featurizer.names, booster=data["booster"],
                                    featurizer=data["featurizer"])


def test_a_model_scores_only_once_activated_and_activation_is_audited(learned_ruleset,
                                                                      make_declaration):
    from customs_core.audit.models import AuditEvent

    model = _model_row()
    first = make_declaration(state="submitted")
    assert all(h["code"] != "model" for h in declaration_route(declaration_id=first.pk).fired)
    risk = UserFactory(role="risk")
    with pytest.raises(PermissionDenied):
        learned.risk_model_activate(model=model, by=UserFactory(role="doc_check"))
    learned.risk_model_activate(model=model, by=risk)
    assert learned.tables().model_version == model.version
    second = _model_row(version=2)
    learned.risk_model_activate(model=second, by=risk)
    model.refresh_from_db()
    assert model.status == ModelStatus.RETIRED and \
        RiskModel.objects.get(status=ModelStatus.ACTIVE) == second
    assert AuditEvent.objects.filter(action="risk_model_activated").count() == 2
    # the model's probability is in every assessment it scores, its reasons where it fires
    declaration = make_declaration(state="submitted")
    assessment = declaration_route(declaration_id=declaration.pk)
    model_hits = [h for h in assessment.fired if h["code"] == "model"]
    if model_hits:  # this declaration may sit below the base rate: no points then
        assert model_hits[0]["args"]["version"] == 2 and model_hits[0]["args"]["reasons"]
    learned.risk_model_deactivate(model=second, by=risk)
    assert learned.tables().model is None


def test_training_needs_enough_outcomes(make_declaration):
    _inspected(make_declaration, 5, violation_every=2)
    assert learned.risk_model_train() is None
    assert not RiskModel.objects.exists()


def test_the_holdout_figures_of_a_trained_model(make_declaration, monkeypatch):
    monkeypatch.setattr("declarations.risk.learning.model.MIN_OUTCOMES", 20)
    monkeypatch.setattr("declarations.risk.learning.model.MIN_VIOLATIONS", 5)
    _inspected(make_declaration, 40, violation_every=3)
    model = learned.risk_model_train(days=30)
    assert model is not None and model.outcomes == 40 and model.violations == 14
    assert model.status == ModelStatus.TRAINED and model.features
    assert model.window_to == timezone.localdate()
    assert Decimal(str(model.seconds)) >= 0
