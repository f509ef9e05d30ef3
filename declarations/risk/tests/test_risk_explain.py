"""Fired criteria as officers read them: translated, with plurals, from the arguments each hit
stores; the English detail stays in the record, and old hits without arguments still show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from declarations.risk.choices import RuleType
from declarations.risk.explain import hit_detail, hit_name
from declarations.risk.scoring import Policy, evaluate

from .test_risk_scoring import CASES, ON, POLICY, decided, facts, ranked, rule


def fired(rule_type, params, hit_facts):
    decision = evaluate(facts(**hit_facts), [rule(rule_type, params)], POLICY)
    return decision.fired()[0]


@pytest.mark.parametrize("rule_type, params, hit, miss", CASES)
def test_every_rule_type_stores_arguments_and_reads_in_vietnamese(rule_type, params, hit, miss):
    stored = fired(rule_type, params, hit)
    assert "args" in stored and stored["detail"]
    with translation.override("vi"):
        text = hit_detail(stored)
    assert text and text != stored["detail"]


def test_every_rule_type_has_an_explanation():
    # the learned criteria: test_learned_criteria_read_in_both_languages below
    assert {case[0] for case in CASES} | {RuleType.RANDOM, RuleType.PROFILE, RuleType.MODEL} \
        == set(RuleType.values)


def test_learned_criteria_read_in_both_languages():
    profile = {"code": "profile", "name": "Hồ sơ rủi ro", "type": RuleType.PROFILE,
               "effect": "points", "points": 33, "detail": "hs6_origin 870323|CN: ...",
               "args": {"key": "hs6_origin", "value": "870323|CN", "violations": 12,
                        "inspections": 41, "rate": 0.29, "lift": 4.1, "version": 3}}
    model = {"code": "model", "name": "Mô hình", "type": RuleType.MODEL, "effect": "points",
             "points": 60, "detail": "p=0.41 ...",
             "args": {"probability": 0.4123, "lift": 5.2, "version": 2, "reasons": [
                 {"group": "enterprise", "weight": 0.8, "key": "enterprise",
                  "value": "0101234567", "violations": 1, "inspections": 9, "rate": 0.2,
                  "lift": 2.0},
                 {"group": "unit_value", "weight": 0.5, "hs6": "870323", "vs_usual": 0.41,
                  "price_ratio": 0.38},
                 {"group": "number:lines", "weight": 0.1, "value": 3.0}]}}
    with translation.override("en"):
        assert hit_detail(profile) == ("HS6 × origin 870323 × CN: 12 violations in 41 "
                                       "inspections, 4.1× the base rate")
        text = hit_detail(model)
        assert text.startswith("model v2: probability 41.2%, 5.2× the base rate; because: ")
        assert "Enterprise 0101234567: 1 violation in 9 inspections" in text
        assert "unit value 0.41× the usual for HS 870323" in text
        assert "Number of goods lines: 3" in text
    with translation.override("vi"):
        vi = hit_detail(profile) + hit_detail(model)
        assert "870323 × CN" in vi and "41,2" in vi
        for english in ("violations in", "base rate", "because", "unit value", "Number of"):
            assert english not in vi


def test_violations_read_with_plurals():
    one = fired(RuleType.COMPLIANCE_HISTORY, {"months": 12, "min_violations": 1},
                dict(violation_days_ago=(20,)))
    two = fired(RuleType.COMPLIANCE_HISTORY, {"months": 12, "min_violations": 1},
                dict(violation_days_ago=(20, 30)))
    latest = ON - timedelta(days=20)  # the newest violation: its date is in the hit
    assert one["args"] == {"count": 1, "months": 12, "latest": latest.isoformat()}
    assert one["detail"] == f"1 violation(s) in 12 months, latest {latest.isoformat()}"
    with translation.override("en"):
        assert hit_detail(one) == f"1 violation in the last 12 months (latest found " \
                                  f"{latest:%d/%m/%Y})"
        assert hit_detail(two).startswith("2 violations in the last 12 months")
    with translation.override("vi"):
        assert hit_detail(two).startswith("2 lần vi phạm trong 12 tháng gần nhất")
        assert f"{latest:%d/%m/%Y}" in hit_detail(two)
    assert hit_detail({**one, "args": {"count": 1, "months": 12}}).startswith("1")  # older


def test_system_hits_have_translated_names_and_details():
    policy = Policy(yellow_threshold=30, red_threshold=70, min_random_percent=Decimal(100),
                    post_audit_random_percent=Decimal(0), secret=b"s")
    minimum = evaluate(facts(), [], policy).fired()[0]
    # a top-up of an assessment made before capacity ranked
    topup = {"code": "topup-red", "name": "Capacity top-up", "type": "capacity",
             "effect": "points", "points": 0, "detail": "red 0.0% of the last 31 < 5",
             "args": {"channel": "red", "actual": "0.0", "window": 31, "expected": "5"}}
    with translation.override("vi"):
        assert hit_name(minimum) == "Chọn ngẫu nhiên tối thiểu"
        assert hit_name(topup) == "Bổ sung theo năng lực kiểm tra"
        assert "luồng đỏ" in hit_detail(topup) and "31" in hit_detail(topup)
    with translation.override("en"):
        assert hit_detail(topup) == "red channel 0% of the last 31 decisions, expected 5%"


def test_capacity_hits_read_in_the_readers_language():
    raised = ranked(decided(40, "green"), [("red", 80)] * 1 + [("green", 0)] * 29)[1][0]
    assert raised.code == "capacity-red"
    recent = [("red", 90)] * 10 + [("green", 0)] * 90
    dropped = ranked(decided(72, "red"), recent, max_red=Decimal("8"))[1][0]
    admitted = (ranked(decided(0, "green"), [("green", 0)] * 100, number=f"10{n:09d}0")[1]
                for n in range(100))
    tied = next(hits[0] for hits in admitted if hits)  # a draw admitted it among 100 at 0
    with translation.override("en"):
        assert hit_name(raised.as_dict()) == "Capacity ranking"
        assert hit_detail(raised.as_dict()) == (
            "red channel 3.3% of the last 30 decisions, below the expected 5%; score 40 ranks "
            "2 of 30, within the top 5%")
        assert hit_detail(dropped.as_dict()) == (
            "red channel 10% of the last 100 decisions, above the ceiling of 8%; score 72 ranks "
            "11 of 100, outside the top 5%")
        assert hit_detail(tied.as_dict()).endswith(
            f"(100 decisions with the same score: random draw {tied.args['draw']})")
        assert hit_name({"code": "topup-red", "name": "Capacity top-up"}) == "Capacity top-up"


def test_old_hits_without_arguments_show_their_stored_detail():
    old = {"code": "violations-12m", "name": "Vi phạm trong 12 tháng",
           "type": "compliance_history", "effect": "points", "points": 30,
           "detail": "1 violation(s) in 12 months"}
    with translation.override("vi"):
        assert hit_detail(old) == "1 violation(s) in 12 months"
        assert hit_name(old) == "Vi phạm trong 12 tháng"
        assert hit_name({**old, "code": "topup-red", "name": "Capacity top-up"}) == \
            "Bổ sung theo năng lực kiểm tra"


@pytest.mark.django_db
def test_officer_panel_reads_fired_criteria_in_vietnamese(client, doc_checker,
                                                         make_declaration):
    from declarations.risk.models import RiskAssessment
    from declarations.risk.testing import walk_to

    declaration = walk_to(make_declaration(state="submitted"), "green")
    assessment = RiskAssessment.objects.get(declaration=declaration)
    assessment.fired = [
        {"code": "topup-red", "name": "Capacity top-up", "type": "capacity",
         "effect": "points", "points": 0, "detail": "red 1.0% of the last 101 < 5.0%",
         "args": {"channel": "red", "actual": "1.0", "window": 101, "expected": "5.0"}},
        {"code": "violations-12m", "name": "Vi phạm trong 12 tháng",
         "type": "compliance_history", "effect": "points", "points": 30,
         "detail": "1 violation(s) in 12 months", "args": {"count": 1, "months": 12}}]
    assessment.save(update_fields=["fired"])
    client.force_login(doc_checker)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    panel = page.split('data-testid="fired-criteria"')[1].split("</table>")[0]
    assert "Capacity top-up" not in panel and "violation(s)" not in panel
    assert "Bổ sung theo năng lực kiểm tra" in panel and "1 lần vi phạm" in panel


@pytest.mark.django_db
def test_api_fired_criteria_gain_their_arguments(api_as, doc_checker, make_declaration):
    from declarations.risk.models import RiskRule
    from declarations.risk.services import ruleset_active
    from declarations.risk.testing import walk_to

    RiskRule.objects.create(ruleset=ruleset_active(), code="cn", name="Trung Quốc",
                            rule_type="trading_country", effect="points",
                            params={"countries": ["CN"]}, points=1)
    declaration = walk_to(make_declaration(state="submitted"), "green")
    body = api_as(doc_checker).get(f"/api/v1/declarations/{declaration.pk}/risk/").json()
    assert body[0]["fired"] == [{"code": "cn", "name": "Trung Quốc", "type": "trading_country",
                                 "effect": "points", "points": 1,
                                 "detail": "trading country CN", "args": {"country": "CN"}}]
