"""Learned selection's pure functions: smoothing, profile keys, the model and its reasons,
the profile and model criteria, determinism, and the backtest's promise that a declaration
nobody selected reveals nothing."""

import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from declarations.risk.defaults import DEFAULT_RULES
from declarations.risk.learning import synthetic
from declarations.risk.learning.backtest import (
    LearnedEngine,
    RandomEngine,
    RulesEngine,
    auc,
    replay,
)
from declarations.risk.learning.cases import Case, Outcome
from declarations.risk.learning.inputs import learned_inputs
from declarations.risk.learning.model import MIN_OUTCOMES, Model, model_train
from declarations.risk.learning.profiles import (
    PRIOR,
    key_values,
    profile_points,
    profiles_fit,
    smoothed,
    strongest,
)
from declarations.risk.management.commands.backtest_selection import LEARNED_CRITERIA
from declarations.risk.scoring import Policy, RuleSpec, evaluate

ON = date(2026, 3, 2)
POLICY = Policy(yellow_threshold=30, red_threshold=70, min_random_percent=Decimal(0),
                post_audit_random_percent=Decimal(0), secret=b"test")
HAND_MADE = [RuleSpec(code=c, name=n, rule_type=t, effect=e, params=p, points=pts)
             for c, n, t, e, p, pts, _max in DEFAULT_RULES]


def case(i: int, **fields) -> Case:
    base = dict(id=f"c{i:06d}", on=ON, hs_code="87032310", origin="CN", trading_country="CN",
                enterprise="0101234567", declarant="D1", gate="MC-KL", partner="P1")
    return Case(**{**base, **fields})


@pytest.fixture(scope="module")
def history():
    return synthetic.history(6000, seed=11, days=84)


# --- profiles ------------------------------------------------------------------------------------
def test_smoothing_pulls_few_inspections_toward_the_base_rate():
    assert smoothed(1, 1, 0.10) == pytest.approx((1 + PRIOR * 0.10) / (1 + PRIOR))
    assert smoothed(1, 1, 0.10) < 0.15  # one violation in one inspection is not certainty
    assert smoothed(0, 0, 0.10) == pytest.approx(0.10)  # nothing known: the base rate
    assert smoothed(400, 1000, 0.10) == pytest.approx(0.4, abs=0.01)  # plenty: the data


def test_profile_keys_of_a_case():
    values = key_values(case(1))
    assert values == {"hs_line": "87032310", "hs6": "870323", "hs6_origin": "870323|CN",
                      "hs6_trading": "870323|CN", "enterprise": "0101234567",
                      "enterprise_hs6": "0101234567|870323", "declarant": "D1",
                      "gate": "MC-KL", "partner": "P1"}
    # a missing part leaves its keys out, never profiles an empty value
    assert "hs6_origin" not in key_values(case(2, origin="")) and \
        "declarant" not in key_values(case(2, declarant=""))


def test_profiles_count_violations_per_key_and_the_strongest_key_explains():
    labelled = ([(case(i, enterprise="E-BAD"), i % 2 == 0) for i in range(40)]
                + [(case(100 + i, enterprise=f"E{i}"), i % 20 == 0) for i in range(160)])
    profiles = profiles_fit(labelled)
    assert profiles.inspections == 200 and profiles.violations == 20 + 8
    bad = profiles.rate("enterprise", "E-BAD")
    assert (bad.violations, bad.inspections) == (20, 40)
    assert bad.lift == pytest.approx(smoothed(20, 40, 28 / 200) / (28 / 200))
    best = strongest(profiles, case(999, enterprise="E-BAD"))
    assert best.key == "enterprise" and best.lift > 2.5
    # a key seen fewer than min_inspections times never explains a selection
    assert strongest(profiles, case(998, enterprise="E1", hs_code="01012100", declarant="",
                                    gate="", partner="", origin="", trading_country="")) is None


def test_profile_points_follow_the_log_of_the_lift_and_are_capped():
    assert profile_points(1.0, 40) == 0 and profile_points(0.5, 40) == 0
    assert profile_points(2.0, 40) == 20 and profile_points(4.0, 40) == 40
    assert profile_points(50.0, 40) == 40


def test_profiles_are_deterministic_whatever_the_order(history):
    cases, outcomes, _ = history
    labelled = [(c, outcomes[c.id].violation) for c in cases[:3000]]
    assert profiles_fit(labelled).as_json() == profiles_fit(labelled[::-1]).as_json()


# --- the model -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(history):
    cases, outcomes, _ = history
    return model_train([(c, outcomes[c.id].violation) for c in cases[:4000]], seen=cases[:4000],
                       rounds=60)


def test_too_few_outcomes_train_no_model(history):
    cases, outcomes, _ = history
    assert model_train([(c, outcomes[c.id].violation) for c in cases[:MIN_OUTCOMES - 1]]) is None


def test_the_model_is_deterministic_and_survives_a_round_trip(history, trained):
    cases, outcomes, _ = history
    again = model_train([(c, outcomes[c.id].violation) for c in cases[:4000]], seen=cases[:4000],
                        rounds=60)
    later = cases[4000:4500]
    assert list(trained.raw_scores(later)) == list(again.raw_scores(later))
    restored = Model.from_json(trained.as_json())
    assert list(restored.raw_scores(later)) == list(trained.raw_scores(later))


def test_the_model_ranks_unseen_declarations_and_gives_reasons(history, trained):
    cases, outcomes, planted = history
    later = cases[4000:]
    scores = trained.raw_scores(later)
    assert auc(scores, [outcomes[c.id].violation for c in later]) > 0.65
    top = sorted(range(len(later)), key=lambda i: -scores[i])[:20]
    reasons = trained.reasons([later[i] for i in top])
    assert all(reasons) and all(r.weight > 0 for rs in reasons for r in rs)
    details = [r.detail() for rs in reasons for r in rs]
    assert any("violations in" in d or "unit value" in d or "lowest price" in d for d in details)


# --- the criteria in the live scorer -------------------------------------------------------------
def test_profile_and_model_criteria_add_points_with_the_figures_behind_them(history, trained):
    cases, outcomes, planted = history
    cheat = next(c for c in cases[4000:] if c.enterprise in planted.origin_cheats)
    [learned] = learned_inputs([cheat], profiles=trained.featurizer.profiles, model=trained,
                               profile_version=3, model_version=2)
    decision = evaluate(cheat.ref, LEARNED_CRITERIA, POLICY, learned=learned)
    hits = {h.code: h for h in decision.hits}
    assert "profile" in hits and hits["profile"].args["version"] == 3
    assert "violations in" in hits["profile"].detail and 0 < hits["profile"].points <= 40
    assert decision.score == sum(h.points for h in decision.hits)
    if "model" in hits:
        assert hits["model"].args["reasons"] and 0 < hits["model"].points <= 80
    # no learned inputs (no model active, no profiles yet): rules alone, nothing fires
    assert evaluate(cheat.ref, LEARNED_CRITERIA, POLICY).hits == ()


def test_an_unremarkable_declaration_gets_no_learned_points(history, trained):
    cases, _outcomes, planted = history
    plain = next(c for c in cases[4000:] if c.enterprise not in planted.origin_cheats
                 and c.declarant not in planted.quantity_cheats and c.price_ratio
                 and c.price_ratio > 0.9)
    [learned] = learned_inputs([plain], profiles=trained.featurizer.profiles, model=trained)
    decision = evaluate(plain.ref, LEARNED_CRITERIA, POLICY, learned=learned)
    assert decision.score < 60


# --- the backtest --------------------------------------------------------------------------------
def test_auc():
    assert auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)
    assert auc([1, 1, 1], [True, False, True]) == pytest.approx(0.5)
    assert auc([1, 2], [True, True]) is None


def test_replay_selects_the_red_share_and_is_deterministic(history):
    cases, outcomes, _ = history
    first = replay(cases[:2000], outcomes, [LearnedEngine(rounds=30)], red_share=0.1)[0]
    again = replay(cases[:2000], outcomes, [LearnedEngine(rounds=30)], red_share=0.1)[0]
    assert first.overall.selected == 200  # the share over the period, fractions carried
    assert first.decisions == again.decisions
    assert sum(1 for d in first.decisions if d[3]) == pytest.approx(10, abs=1)  # exploration


class _Spy(LearnedEngine):
    """A learned engine that remembers every outcome it was shown."""

    def __init__(self):
        super().__init__(rounds=30)
        self.shown = {}

    def refit(self, revealed, seen, on):
        self.shown.update({c.id: o for c, o in revealed})
        super().refit(revealed, seen, on)


def test_an_unselected_declaration_reveals_nothing(history):
    cases, outcomes, _ = history
    period = cases[:2500]
    spy = _Spy()
    result = replay(period, outcomes, [spy], red_share=0.1)[0]
    selected = {d[0] for d in result.decisions if d[2]}
    assert set(spy.shown) <= selected
    # Plant a label on a declaration the replay did not select (early: every later refit would
    # see it if it leaked): the decisions do not change at all.
    unselected = next(d[0] for d in result.decisions if not d[2])
    planted = {**outcomes, unselected: Outcome(violation=not outcomes[unselected].violation,
                                               found_vnd=9e9)}
    again = replay(period, planted, [_Spy()], red_share=0.1)[0]
    assert [d[:3] for d in again.decisions] == [d[:3] for d in result.decisions]
    # ...while the same change on a selected one is seen
    chosen = next(d[0] for d in result.decisions if d[2])
    changed = {**outcomes, chosen: Outcome(violation=not outcomes[chosen].violation)}
    spy = _Spy()
    replay(period, changed, [spy], red_share=0.1)
    assert spy.shown[chosen].violation != outcomes[chosen].violation


def test_the_rules_engine_learns_compliance_history_only_from_what_it_selected(history):
    cases, outcomes, _ = history
    engine = RulesEngine(HAND_MADE, POLICY)
    c = cases[0]
    engine.reveal(c, Outcome(violation=True))
    later = replace(c, id="later", on=c.on + timedelta(days=3))
    [with_history] = engine.scores([later])
    [without] = RulesEngine(HAND_MADE, POLICY).scores([later])
    assert with_history == without + 30  # "violations-12m": 30 points


def test_on_a_generated_history_the_learned_engine_beats_the_hand_made_ruleset_and_random(
        history):
    cases, outcomes, _ = history
    results = {r.engine: r.overall for r in replay(
        cases, outcomes, [RandomEngine(), RulesEngine(HAND_MADE, POLICY, name="hand-made"),
                          LearnedEngine(rounds=60)], red_share=0.1)}
    assert results["learned"].hit_rate > results["hand-made"].hit_rate > \
        results["random"].hit_rate
    assert results["learned"].hit_rate > 1.5 * results["hand-made"].hit_rate
    assert math.isclose(results["learned"].selected, 600, abs_tol=1)


def test_a_row_mapped_from_elsewhere_is_normalised():
    from datetime import datetime

    row = Case(id=17, on=datetime(2020, 1, 2, 9, 30), hs_code=8703231000, origin=None,
               value_usd=None, quantity="3.5")
    assert (row.id, row.on, row.hs_code, row.origin) == ("17", date(2020, 1, 2), "8703231000",
                                                         "")
    assert (row.value_usd, row.quantity) == (0.0, 3.5)
    assert key_values(row)["hs6"] == "870323"


def test_a_stored_model_keeps_its_column_order_whatever_the_json_store_does(history, trained):
    """PostgreSQL's jsonb sorts object keys: the feature columns must not follow them."""
    import json

    def sort_keys(value):
        if isinstance(value, dict):
            return {k: sort_keys(value[k]) for k in sorted(value, key=lambda k: (len(k), k))}
        if isinstance(value, list):
            return [sort_keys(v) for v in value]
        return value

    stored = sort_keys(json.loads(json.dumps(trained.as_json())))
    restored = Model.from_json(stored)
    later = history[0][4000:4200]
    assert restored.featurizer.names == trained.featurizer.names
    assert list(restored.raw_scores(later)) == list(trained.raw_scores(later))
