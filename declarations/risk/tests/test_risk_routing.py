"""Routing a submitted declaration: assessment, channel, automatic clearance, overrides."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction

from customs_core.testing.factories import UserFactory
from declarations import services
from declarations.models import Declaration, DeclarationEvent
from declarations.risk.choices import RuleEffect, RuleType
from declarations.risk.models import RiskAssessment, RiskRuleset
from declarations.risk.services import (
    channel_lowering_request,
    channel_request_decide,
    declaration_raise_channel,
    declaration_route,
    rule_save,
)
from declarations.testing import declaration_payload, parse
from declarations.workflow import transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def ruleset(db):
    """An active ruleset with no random selection, so channels follow the rules only."""
    return RiskRuleset.objects.create(version=1, name="test", is_active=True,
                                      min_random_percent=0, post_audit_random_percent=0)


def add_rule(ruleset, rule_type, params, points=0, effect=RuleEffect.POINTS, **extra):
    RiskRuleset.objects.filter(pk=ruleset.pk).update(is_active=False)
    ruleset.refresh_from_db()
    rule = rule_save(ruleset=ruleset, by=UserFactory(username="rules", role="risk"),
                     data={"code": f"r{ruleset.rules.count()}", "name": "rule",
                           "rule_type": rule_type, "effect": effect, "params": params,
                           "points": points, **extra})
    RiskRuleset.objects.filter(pk=ruleset.pk).update(is_active=True)
    return rule


def states(declaration):
    return [(e.from_state, e.to_state) for e in declaration.events.order_by("at", "id")]


def test_routing_writes_one_assessment_and_two_events(ruleset, make_declaration):
    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=35)
    declaration = make_declaration(state="submitted")
    assessment = declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert (assessment.score, assessment.channel, declaration.state, declaration.channel) == (
        35, "yellow", "yellow", "yellow")
    assert assessment.fired[0]["detail"] == "trading country CN"
    assert states(declaration) == [("draft", "submitted"), ("submitted", "scored"),
                                   ("scored", "yellow")]


def test_routing_twice_changes_nothing(ruleset, make_declaration):
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    events = DeclarationEvent.objects.count()
    assert declaration_route(declaration_id=declaration.pk) is None
    assert RiskAssessment.objects.count() == 1 and DeclarationEvent.objects.count() == events


def test_drafts_and_cancelled_declarations_are_not_routed(ruleset, make_declaration,
                                                          declarant_a):
    draft = make_declaration()
    assert declaration_route(declaration_id=draft.pk) is None
    services.declaration_cancel(declaration=draft, user=declarant_a)
    assert declaration_route(declaration_id=draft.pk) is None
    assert declaration_route(declaration_id=999999) is None


def test_green_with_nothing_due_clears_by_itself(ruleset, make_declaration):
    declaration = make_declaration(state="submitted", regime="C11", bonded_warehouse="20BBW01")
    assert declaration.total_duty_vnd == 0
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.state == "cleared" and declaration.cleared_at is not None


def test_green_with_duties_clears_when_paid(ruleset, make_declaration, declarant_a):
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.state == "green"
    services.declaration_pay(declaration=declaration, user=declarant_a,
                             amount_vnd=declaration.total_duty_vnd, reference="KB-9001")
    declaration.refresh_from_db()
    assert declaration.state == "cleared"
    assert states(declaration)[-1] == ("green", "cleared")


def test_mandatory_red_list(ruleset, make_declaration, declarant_a):
    add_rule(ruleset, RuleType.ENTERPRISE_LIST,
             {"tax_codes": [declarant_a.enterprise.tax_code]}, effect=RuleEffect.MANDATORY_RED)
    declaration = make_declaration(state="submitted")
    assert declaration_route(declaration_id=declaration.pk).channel == "red"


def test_maximum_hits_with_no_selection(ruleset, make_declaration):
    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=5,
             max_hits_without_selection=3)
    channels = [declaration_route(declaration_id=make_declaration(state="submitted").pk).channel
                for _ in range(4)]
    assert channels == ["green", "green", "yellow", "green"]


def test_capacity_raises_the_highest_scoring_once_the_window_is_judged(ruleset,
                                                                        make_declaration):
    ruleset.expected_red_percent, ruleset.expected_yellow_percent = Decimal(0), Decimal(10)
    ruleset.save()
    for _ in range(20):  # score 0: not judged before 20 decisions, all green
        declaration_route(declaration_id=make_declaration(state="submitted").pk)
    assert set(RiskAssessment.objects.values_list("channel", flat=True)) == {"green"}
    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=20)  # < 30
    assessment = declaration_route(declaration_id=make_declaration(state="submitted").pk)
    assert (assessment.score, assessment.channel) == (20, "yellow")
    capacity = assessment.fired[-1]
    assert capacity["code"] == "capacity-yellow" and capacity["type"] == "capacity"
    assert capacity["args"] == {"channel": "yellow", "actual": "0.0", "window": 20,
                                "target": "10.00", "score": 20, "rank": 1, "top": "10.00"}


def test_capacity_lowers_a_red_by_score_above_the_ceiling(ruleset, make_declaration):
    ruleset.expected_red_percent, ruleset.max_red_percent = Decimal(0), Decimal(10)
    ruleset.save()
    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=80)
    channels = [declaration_route(declaration_id=make_declaration(state="submitted").pk).channel
                for _ in range(22)]
    assert channels == ["red"] * 20 + ["yellow"] * 2  # red 100% of the last 20 > 10%
    lowered = RiskAssessment.objects.filter(channel="yellow").first()
    assert lowered.score == 80 and lowered.fired[-1]["code"] == "capacity-drop-red"


def test_ceilings_are_never_below_the_expected_share_and_a_clone_keeps_them(ruleset,
                                                                            risk_officer):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from declarations.risk.services import ruleset_clone

    ruleset.max_red_percent = Decimal(4)  # expected 5
    with pytest.raises(ValidationError) as info:
        ruleset.full_clean()
    assert set(info.value.message_dict) == {"max_red_percent"}
    with pytest.raises(IntegrityError), transaction.atomic():
        ruleset.save()
    ruleset.max_red_percent, ruleset.max_yellow_percent = Decimal(8), Decimal("37.5")
    ruleset.full_clean()
    ruleset.save()
    draft = ruleset_clone(ruleset=ruleset, by=risk_officer)
    assert (draft.max_yellow_percent, draft.max_red_percent) == (Decimal("37.5"), Decimal(8))


def test_amended_declaration_is_scored_again(ruleset, make_declaration, declarant_a,
                                             doc_checker):
    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=35)
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    transition(declaration, to="doc_check", by=doc_checker)
    transition(declaration, to="amend_requested", by=doc_checker, reason="Sai mã HS")
    services.declaration_amend(declaration=declaration, user=declarant_a,
                               data=parse(declaration_payload()), reason="Sửa mã HS")
    declaration_route(declaration_id=declaration.pk)
    assert list(declaration.assessments.order_by("amendment_count")
                .values_list("amendment_count", flat=True)) == [0, 1]


def test_officer_raises_a_channel_with_a_reason(ruleset, make_declaration, inspector):
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    declaration_raise_channel(declaration=declaration, by=inspector, channel="red",
                              reason="Tin báo buôn lậu")
    declaration.refresh_from_db()
    assert (declaration.state, declaration.channel) == ("red", "red")
    event = declaration.events.order_by("-at", "-id").first()
    assert (event.to_state, event.actor, event.reason) == ("red", inspector, "Tin báo buôn lậu")


def test_lowering_needs_the_branch_leader(ruleset, make_declaration, risk_officer, leader,
                                          doc_checker):
    from django.core.exceptions import PermissionDenied

    from customs_core.exceptions import StateConflict

    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=80)
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    request = channel_lowering_request(declaration=declaration, by=risk_officer,
                                       channel="yellow", reason="Hàng quen thuộc, C/O hợp lệ")
    declaration.refresh_from_db()
    assert declaration.state == "red"
    with pytest.raises(PermissionDenied):
        channel_request_decide(request=request, by=doc_checker, approve=True)
    channel_request_decide(request=request, by=leader, approve=True, note="Đồng ý")
    declaration.refresh_from_db()
    assert declaration.state == "yellow"
    event = declaration.events.order_by("-at", "-id").first()
    assert event.actor == leader and event.data["requested_by"] == risk_officer.pk
    with pytest.raises(StateConflict):
        channel_request_decide(request=request, by=leader, approve=False)


def test_raise_must_go_up(ruleset, make_declaration, inspector):
    from django.core.exceptions import ValidationError

    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    with pytest.raises(ValidationError):
        declaration_raise_channel(declaration=declaration, by=inspector, channel="green",
                                  reason="x")


URL = "/api/v1/declarations/"


def test_officers_read_the_assessment_enterprises_get_404(api_as, ruleset, make_declaration,
                                                          doc_checker, declarant_a):
    add_rule(ruleset, RuleType.TRADING_COUNTRY, {"countries": ["CN"]}, points=35)
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    body = api_as(doc_checker).get(f"{URL}{declaration.pk}/risk/").json()
    assert body[0]["score"] == 35 and body[0]["fired"][0]["type"] == "trading_country"
    assert api_as(declarant_a).get(f"{URL}{declaration.pk}/risk/").status_code == 404


def test_channel_api_raise_and_request(api_as, ruleset, make_declaration, doc_checker, leader,
                                       declarant_a):
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    raised = api_as(doc_checker).post(f"{URL}{declaration.pk}/raise-channel/",
                                      {"channel": "yellow", "reason": "Kiểm tra hồ sơ"},
                                      format="json")
    assert raised.status_code == 200 and raised.json()["state"] == "yellow"
    request = api_as(doc_checker).post(f"{URL}{declaration.pk}/channel-requests/",
                                       {"channel": "green", "reason": "Nhầm"}, format="json")
    assert request.status_code == 201
    again = api_as(doc_checker).post(f"{URL}{declaration.pk}/channel-requests/",
                                     {"channel": "green", "reason": "Nhầm"}, format="json")
    assert again.status_code == 409
    decided = api_as(leader).post(f"/api/v1/channel-requests/{request.json()['id']}/decide/",
                                  {"approve": True}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert api_as(declarant_a).post(f"{URL}{declaration.pk}/raise-channel/",
                                    {"channel": "red", "reason": "x"},
                                    format="json").status_code == 404
    assert api_as(declarant_a).get("/api/v1/channel-requests/").json()["count"] == 0


def test_post_clearance_audit_filter_is_for_officers_only(api_as, ruleset, make_declaration,
                                                          doc_checker, declarant_a):
    declaration = make_declaration(state="submitted")
    Declaration.objects.filter(pk=declaration.pk).update(post_clearance_audit=True)
    make_declaration(state="submitted")
    officer = api_as(doc_checker).get(URL, {"post_clearance_audit": "true"}).json()
    assert [row["id"] for row in officer["results"]] == [declaration.pk]
    enterprise = api_as(declarant_a).get(URL, {"post_clearance_audit": "true"}).json()
    assert enterprise["count"] == 2  # the filter does nothing for an enterprise


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_routings_give_one_assessment_and_one_transition(declarant_a):
    from customs_core.testing.services import require_postgresql
    from declarations.testing import publish_rates

    require_postgresql()
    publish_rates()
    RiskRuleset.objects.create(version=1, name="t", is_active=True, min_random_percent=0)
    declaration = services.declaration_create_draft(user=declarant_a,
                                                    data=parse(declaration_payload()))
    with mock.patch("declarations.risk.tasks.routing_enqueue"):  # route it here, twice at once
        services.declaration_submit(declaration=declaration, user=declarant_a)

    def route(_):
        try:
            return declaration_route(declaration_id=declaration.pk) is not None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(route, range(2)))
    assert results == [False, True]
    assert RiskAssessment.objects.filter(declaration=declaration).count() == 1
    assert DeclarationEvent.objects.filter(declaration=declaration, to_state="scored").count() == 1


def test_only_risk_officers_change_rules(ruleset, doc_checker, leader):
    from django.core.exceptions import PermissionDenied

    from declarations.risk.services import ruleset_activate, ruleset_clone

    for user in (doc_checker, leader):
        with pytest.raises(PermissionDenied):
            ruleset_clone(ruleset=ruleset, by=user)
        with pytest.raises(PermissionDenied):
            rule_save(ruleset=ruleset, by=user, data={"code": "x", "name": "x",
                                                      "rule_type": "priority_status",
                                                      "effect": "points", "params": {}})
        with pytest.raises(PermissionDenied):
            ruleset_activate(ruleset=ruleset, by=user)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_declaration_another_router_holds_still_sees_it_routed(declarant_a):
    """Issue (hardening, 799 of 800): a routing task found its declaration locked by another
    router's batch, skipped it and returned; when that router rolled back (a retry, a
    deadlock, a crash), the declaration waited for the sweeper. Now the task waits for the
    other router and routes the declaration itself if it is still waiting."""
    import threading

    from customs_core.testing.services import require_postgresql, wait_until
    from declarations.risk.tasks import declaration_route_task
    from declarations.testing import publish_rates

    require_postgresql()
    publish_rates()
    RiskRuleset.objects.create(version=1, name="t", is_active=True, min_random_percent=0)
    declaration = services.declaration_create_draft(user=declarant_a,
                                                    data=parse(declaration_payload()))
    with mock.patch("declarations.risk.tasks.routing_enqueue"):
        services.declaration_submit(declaration=declaration, user=declarant_a)
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def other_router_that_fails():
        try:
            with transaction.atomic():
                list(Declaration.objects.select_for_update().filter(pk=declaration.pk))
                locked.set()
                release.wait(timeout=30)
                raise RuntimeError("the other router's transaction fails and rolls back")
        except RuntimeError:
            pass
        finally:
            connection.close()

    def task():
        try:
            declaration_route_task.apply(args=(declaration.pk,))
        finally:
            done.set()
            connection.close()

    holder = threading.Thread(target=other_router_that_fails)
    holder.start()
    locked.wait(timeout=30)
    runner = threading.Thread(target=task)
    runner.start()

    def task_waits_or_ended():
        if done.is_set():
            return True
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            return cursor.fetchone()[0] > 0

    wait_until(task_waits_or_ended, timeout=30, what="the task to run into the lock")
    release.set()
    holder.join(timeout=30)
    runner.join(timeout=30)
    declaration.refresh_from_db()
    assert declaration.state != "submitted"
    assert RiskAssessment.objects.filter(declaration=declaration).count() == 1


def test_an_amendment_an_officer_asked_for_comes_back_at_least_in_its_channel(ruleset,
                                                                              declarant_a,
                                                                              make_declaration):
    """Nothing in the rules selects it, yet the check that asked for the amendment sees the
    amended version: the declaration returns to its yellow channel."""
    from declarations.risk.testing import walk_to

    declaration = walk_to(make_declaration(state="submitted"), "amend_requested")
    with mock.patch("declarations.risk.tasks.routing_enqueue"):
        services.declaration_amend(declaration=declaration, user=declarant_a,
                                   data=parse(declaration_payload()), reason="Sửa mã HS")
    assessment = declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.state == "yellow" and assessment.channel == "yellow"
    assert "amendment-floor" in {hit["code"] for hit in assessment.fired}


def test_an_amendment_on_the_firms_own_is_scored_afresh(ruleset, declarant_a,
                                                        make_declaration):
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)  # green: nothing selects it
    declaration.refresh_from_db()
    assert declaration.state in {"green", "cleared"}
