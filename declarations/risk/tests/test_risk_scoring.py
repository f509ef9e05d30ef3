"""The pure scoring function: one test per criterion, determinism, channel decisions."""

from datetime import date
from decimal import Decimal

import pytest

from declarations.risk.choices import RuleEffect, RuleType
from declarations.risk.rules import rule_params_clean
from declarations.risk.scoring import (
    Facts,
    LineFacts,
    Policy,
    RuleSpec,
    capacity_topup,
    draw,
    evaluate,
)

ON = date(2026, 11, 25)
POLICY = Policy(yellow_threshold=30, red_threshold=70, min_random_percent=Decimal(0),
                post_audit_random_percent=Decimal(0), secret=b"test-secret")


def facts(**changes) -> Facts:
    base = dict(number="100000012340", on=ON, regime="A11", trading_country="CN",
                enterprise_tax_code="5701203335", enterprise_priority=False,
                enterprise_age_days=4000, violation_days_ago=(), amendment_count=0,
                lines=(LineFacts(1, "19023040", "CN", Decimal("1.25"), Decimal("1.30")),
                       LineFacts(2, "27101943", "SG", Decimal("0.80"), Decimal("0.85"))))
    base.update(changes)
    return Facts(**base)


def rule(rule_type, params, points=40, effect=RuleEffect.POINTS, **extra) -> RuleSpec:
    return RuleSpec(code=f"r-{rule_type}", name=str(rule_type), rule_type=rule_type,
                    effect=effect, params=rule_params_clean(rule_type, effect, params),
                    points=points, **extra)


CASES = [
    # rule type, params, facts that fire it, facts that do not
    (RuleType.COMPLIANCE_HISTORY, {"months": 12, "min_violations": 2},
     dict(violation_days_ago=(20, 300)), dict(violation_days_ago=(20, 400))),
    (RuleType.NEW_ENTERPRISE, {"months": 12}, dict(enterprise_age_days=100),
     dict(enterprise_age_days=900)),
    (RuleType.PRIORITY_STATUS, {}, dict(enterprise_priority=True), dict()),
    (RuleType.HS_WATCH, {"prefixes": ["2710"]}, dict(), dict(lines=facts().lines[:1])),
    (RuleType.ORIGIN_COUNTRY, {"countries": ["SG"]}, dict(), dict(lines=facts().lines[:1])),
    (RuleType.TRADING_COUNTRY, {"countries": ["HK"]}, dict(trading_country="HK"), dict()),
    (RuleType.VALUATION, {"tolerance_percent": "30"},
     dict(lines=(LineFacts(1, "08106000", "TH", Decimal("1.00"), Decimal("3.20")),)),
     dict(lines=(LineFacts(1, "08106000", "TH", Decimal("2.50"), Decimal("3.20")),))),
    (RuleType.REGIME, {"regimes": ["E21", "G11"]}, dict(regime="G11"), dict()),
    (RuleType.AMENDMENTS, {"min_amendments": 2}, dict(amendment_count=2),
     dict(amendment_count=1)),
    (RuleType.ENTERPRISE_LIST, {"tax_codes": ["5701203335"]}, dict(),
     dict(enterprise_tax_code="0100233583")),
]


@pytest.mark.parametrize("rule_type, params, hit, miss", CASES, ids=[c[0] for c in CASES])
def test_each_criterion_fires_on_its_facts_only(rule_type, params, hit, miss):
    spec = rule(rule_type, params)
    assert [h.code for h in evaluate(facts(**hit), [spec], POLICY).hits] == [spec.code]
    assert evaluate(facts(**miss), [spec], POLICY).hits == ()


def test_every_rule_type_has_a_test():
    assert {case[0] for case in CASES} | {RuleType.RANDOM} == set(RuleType.values)


def test_points_add_up_to_the_channel():
    rules = [rule(RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=20),
             rule(RuleType.REGIME, {"regimes": ["A11"]}, points=15)]
    decision = evaluate(facts(), rules, POLICY)
    assert (decision.score, decision.channel) == (35, "yellow")
    rules.append(rule(RuleType.HS_WATCH, {"prefixes": ["19"]}, points=40))
    assert evaluate(facts(), rules, POLICY).channel == "red"


def test_priority_enterprise_lowers_the_score():
    rules = [rule(RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=35),
             rule(RuleType.PRIORITY_STATUS, {}, points=-40)]
    assert evaluate(facts(enterprise_priority=True), rules, POLICY).channel == "green"


def test_mandatory_red_overrides_a_low_score():
    spec = rule(RuleType.ORIGIN_COUNTRY, {"countries": ["SG"]}, points=0,
                effect=RuleEffect.MANDATORY_RED)
    decision = evaluate(facts(), [spec], POLICY)
    assert decision.channel == "red" and decision.score == 0


def test_rules_outside_their_period_or_inactive_do_not_fire():
    base = dict(code="p", name="p", rule_type=RuleType.TRADING_COUNTRY,
                effect=RuleEffect.POINTS, params={"countries": ["CN"]}, points=50)
    expired = RuleSpec(**base, valid_to=date(2026, 11, 24))
    future = RuleSpec(**base, valid_from=date(2026, 11, 26))
    off = RuleSpec(**base, is_active=False)
    assert evaluate(facts(), [expired, future, off], POLICY).hits == ()


def test_random_selection_is_deterministic_and_close_to_its_rate():
    spec = rule(RuleType.RANDOM, {"rate_percent": "10"}, points=0)
    numbers = [f"10{n:09d}0" for n in range(2000)]
    first = [evaluate(facts(number=n), [spec], POLICY).channel for n in numbers]
    again = [evaluate(facts(number=n), [spec], POLICY).channel for n in numbers]
    assert first == again
    assert 150 < first.count("yellow") < 250


def test_random_draw_ignores_the_amendment_digit_and_depends_on_the_secret():
    assert draw(b"s", "100000012340", "x") == draw(b"s", "100000012343", "x")
    assert draw(b"s", "100000012340", "x") != draw(b"t", "100000012340", "x")


def test_minimum_random_rate_selects_without_any_rule():
    policy = Policy(30, 70, Decimal(100), Decimal(0), b"s")
    decision = evaluate(facts(), [], policy)
    assert decision.channel == "yellow" and decision.hits[0].code == "min-random"


def test_post_audit_flag_only_for_green():
    audit = rule(RuleType.HS_WATCH, {"prefixes": ["1902"]}, effect=RuleEffect.POST_AUDIT)
    assert evaluate(facts(), [audit], POLICY).post_audit
    red = rule(RuleType.REGIME, {"regimes": ["A11"]}, points=80)
    assert not evaluate(facts(), [audit, red], POLICY).post_audit


def test_capacity_topup_selects_green_when_yellow_is_short():
    recent = ["green"] * 79 + ["yellow"] * 15 + ["red"] * 6
    channel, hits = capacity_topup("green", recent, expected_yellow=Decimal("37.5"),
                                   expected_red=Decimal("5"))
    assert channel == "yellow" and hits[0].code == "topup-yellow"


def test_capacity_topup_leaves_green_when_shares_are_met_or_window_is_small():
    recent = ["green"] * 55 + ["yellow"] * 39 + ["red"] * 6
    assert capacity_topup("green", recent, expected_yellow=Decimal("37.5"),
                          expected_red=Decimal("5"))[0] == "green"
    assert capacity_topup("green", ["green"] * 5, expected_yellow=Decimal("37.5"),
                          expected_red=Decimal("5"))[0] == "green"


@pytest.mark.parametrize("rule_type, effect, params, field", [
    (RuleType.HS_WATCH, RuleEffect.POINTS, {"prefixes": ["8"]}, "prefixes"),
    (RuleType.HS_WATCH, RuleEffect.POINTS, {"prefixes": []}, "prefixes"),
    (RuleType.VALUATION, RuleEffect.POINTS, {"tolerance_percent": "150"}, "tolerance_percent"),
    (RuleType.COMPLIANCE_HISTORY, RuleEffect.POINTS, {"months": 0}, "months"),
    (RuleType.ORIGIN_COUNTRY, RuleEffect.POINTS, {"countries": ["China"]}, "countries"),
    (RuleType.RANDOM, RuleEffect.MANDATORY_RED, {"rate_percent": "1"}, "effect"),
    (RuleType.REGIME, RuleEffect.POINTS, {"regimes": ["A11"], "colour": 1}, "params"),
])
def test_invalid_parameters_are_refused_with_the_field(rule_type, effect, params, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        rule_params_clean(rule_type, effect, params)
    assert field in info.value.message_dict
