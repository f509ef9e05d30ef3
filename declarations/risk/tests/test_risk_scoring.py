"""The pure scoring function: one test per criterion, determinism, channel decisions."""

from datetime import date
from decimal import Decimal

import pytest

from declarations.risk.choices import RuleEffect, RuleType
from declarations.risk.rules import rule_params_clean
from declarations.risk.scoring import (
    Decision,
    Facts,
    LineFacts,
    Policy,
    RuleSpec,
    capacity_rank,
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
    # the learned criteria (profile, model) are tested in test_learning.py
    assert {case[0] for case in CASES} | {RuleType.RANDOM, RuleType.PROFILE, RuleType.MODEL} \
        == set(RuleType.values)


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


SHARES = dict(expected_yellow=Decimal("37.5"), expected_red=Decimal("5"))


def decided(score: int, channel: str, forced: str = "green") -> Decision:
    return Decision(score=score, channel=channel, hits=(), post_audit=False, forced=forced)


def ranked(decision: Decision, recent, number="100000012340", **shares):
    return capacity_rank(decision, number=number, recent=recent, secret=b"test-secret",
                         **{**SHARES, **shares})


# 100 decisions: red 2% (short of 5%), yellow 40% (met); 2 of them scored above 60
WINDOW = [("red", 80)] * 2 + [("yellow", 35)] * 40 + [("green", 10)] * 58


def test_the_highest_scoring_of_the_window_is_raised_and_a_lower_scoring_one_is_not():
    recent = [("red", 80)] * 2 + [("green", 10)] * 98  # red 2%, short of 5%
    channel, hits = ranked(decided(28, "green"), recent, expected_yellow=Decimal(0))
    assert channel == "red" and hits[0].code == "capacity-red"
    assert hits[0].args == {"channel": "red", "actual": "2.0", "window": 100, "target": "5",
                            "score": 28, "rank": 3, "top": "5"}
    assert hits[0].detail == ("red 2.0% of the last 100 decisions < 5%; score 28 ranks 3 of "
                              "100, in the top 5%")
    assert ranked(decided(5, "green"), recent, expected_yellow=Decimal(0)) == ("green", [])
    assert ranked(decided(20, "green"), WINDOW) == ("green", [])  # 42 of 100 scored higher


def test_a_tie_on_the_edge_admits_by_the_draw_the_share_that_still_fits():
    recent = [("red", 80)] * 2 + [("green", 25)] * 40 + [("green", 10)] * 58
    admitted = {n: ranked(decided(25, "green"), recent, number=n, expected_yellow=Decimal(0))
                for n in (f"10{n:09d}0" for n in range(200))}
    for number, (channel, hits) in admitted.items():  # 2 higher, 40 tied: 3 of 40 fit
        inside = draw(b"test-secret", number, "capacity-rank") < Decimal(3) / 40
        assert channel == ("red" if inside else "green")
        assert not inside or (hits[0].args["tied"], hits[0].args["rank"]) == (40, 3)
    assert 0 < sum(channel == "red" for channel, _hits in admitted.values()) < 40


def test_a_yellow_by_score_declaration_is_raised_to_red():
    channel, hits = ranked(decided(60, "yellow"), WINDOW)
    assert channel == "red" and hits[0].code == "capacity-red" and hits[0].args["rank"] == 3


def test_a_green_one_in_the_top_yellow_share_is_raised_to_yellow():
    recent = [("red", 80)] * 5 + [("yellow", 40)] * 30 + [("green", s % 25) for s in range(65)]
    channel, hits = ranked(decided(29, "green"), recent)  # 35 higher: in the top 42.5%
    assert channel == "yellow" and hits[0].code == "capacity-yellow"
    assert (hits[0].args["actual"], hits[0].args["top"]) == ("30.0", "42.5")
    assert ranked(decided(5, "green"), recent) == ("green", [])  # 35 + 47 higher


def test_above_the_ceiling_a_low_ranked_red_by_score_is_lowered_a_mandatory_red_is_not():
    recent = [("red", 90)] * 10 + [("yellow", 40)] * 40 + [("green", 0)] * 50
    ceiling = dict(max_red=Decimal("7"))
    channel, hits = ranked(decided(72, "red"), recent, **ceiling)
    assert channel == "yellow" and hits[0].code == "capacity-drop-red"
    assert hits[0].args["target"] == "7" and hits[0].args["rank"] == 11
    assert "not in the top 5%" in hits[0].detail
    assert ranked(decided(95, "red"), recent, **ceiling) == ("red", [])  # ranks first
    assert ranked(decided(72, "red"), recent) == ("red", [])  # no ceiling: only a floor
    mandatory = evaluate(facts(), [rule(RuleType.ORIGIN_COUNTRY, {"countries": ["SG"]}, points=0,
                                        effect=RuleEffect.MANDATORY_RED)], POLICY)
    assert (mandatory.channel, mandatory.forced) == ("red", "red")
    assert ranked(mandatory, recent, **ceiling) == ("red", [])
    # a random selection with a red score is not lowered either
    assert ranked(decided(72, "red", forced="yellow"), recent, **ceiling) == ("red", [])


def test_above_the_yellow_ceiling_a_yellow_by_score_is_lowered_a_random_one_is_not():
    recent = [("red", 90)] * 5 + [("yellow", 40)] * 50 + [("green", 0)] * 45
    ceiling = dict(max_yellow=Decimal("45"))
    channel, hits = ranked(decided(31, "yellow"), recent, **ceiling)  # 55 higher than 42.5%
    assert channel == "green" and hits[0].code == "capacity-drop-yellow"
    random = evaluate(facts(), [rule(RuleType.RANDOM, {"rate_percent": "100"}, points=0)],
                      POLICY)
    assert (random.channel, random.forced) == ("yellow", "yellow")
    assert ranked(random, recent, **ceiling) == ("yellow", [])
    assert ranked(decided(50, "yellow"), recent, **ceiling) == ("yellow", [])  # ranks 6th


def test_ties_at_zero_admit_the_expected_shares_at_random_and_reproducibly():
    recent = [("green", 0)] * 100
    numbers = [f"10{n:09d}0" for n in range(4000)]
    first = [ranked(decided(0, "green"), recent, number=n)[0] for n in numbers]
    assert first == [ranked(decided(0, "green"), recent, number=n)[0] for n in numbers]
    assert 140 < first.count("red") < 260  # 5% of 4000 = 200
    assert 1300 < first.count("yellow") < 1700  # 37.5% = 1500
    hit = ranked(decided(0, "green"), recent, number=numbers[first.index("red")])[1][0]
    assert hit.args["tied"] == 100 and float(hit.args["draw"]) < 0.05


def test_no_change_on_a_short_window_or_when_the_shares_are_met():
    assert ranked(decided(60, "green"), [("green", 0)] * 19) == ("green", [])
    met = [("red", 80)] * 6 + [("yellow", 40)] * 40 + [("green", 0)] * 54
    assert ranked(decided(99, "green"), met) == ("green", [])
    assert ranked(decided(60, "yellow"), met) == ("yellow", [])
    assert ranked(decided(75, "red"), met, max_red=Decimal("6"),
                  max_yellow=Decimal("40")) == ("red", [])  # at the ceilings, not above


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
