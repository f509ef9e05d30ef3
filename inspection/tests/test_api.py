"""The inspection API: the declarations API's conventions (ETag / If-Match, 409 with
current_state, Idempotency-Key, 403 for a role that may not act), the enterprise's view of its
checks, 20 concurrent claims with one winner."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from inspection import services
from inspection.choices import CheckEventKind
from inspection.models import Check, CheckEvent, TeamMember
from inspection.testing import open_check_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/checks/"


def _unassigned(crew, make):
    TeamMember.objects.filter(team=crew.team).update(on_duty=False)
    check = open_check_of(make("yellow", user=DeclarantFactory(enterprise=EnterpriseFactory())))
    TeamMember.objects.filter(team=crew.team).update(on_duty=True)
    assert check.officer is None
    return check


def test_the_queue_lists_the_teams_open_checks_with_filters(api_as, crew, crew2, make):
    mine = open_check_of(make("yellow"))
    theirs = open_check_of(make("yellow", user=DeclarantFactory(enterprise=EnterpriseFactory()),
                                border_gate="MCKM34"))
    client = api_as(mine.officer)
    team = client.get(URL).json()
    assert [row["id"] for row in team["results"]] == [mine.pk]
    assert team["results"][0]["clock"]["limit_minutes"] == 120
    branch = {row["id"] for row in client.get(URL, {"scope": "all"}).json()["results"]}
    assert branch == {mine.pk, theirs.pk}
    assert client.get(URL, {"scope": "all", "border_gate": "MCKM34"}).json()["count"] == 1
    assert client.get(URL, {"scope": "all", "kind": "inspection"}).json()["count"] == 0
    assert client.get(URL, {"scope": "mine", "overdue": "true"}).json()["count"] == 0
    assert client.get(URL, {"kind": "nonsense"}).status_code == 400


def test_claim_gives_the_check_to_the_caller_and_a_second_claim_is_409(api_as, crew, make):
    check = _unassigned(crew, make)
    first = api_as(crew.doc1).post(f"{URL}{check.pk}/claim/")
    assert first.status_code == 200 and first.json()["officer"] == crew.doc1.username
    second = api_as(crew.doc2).post(f"{URL}{check.pk}/claim/")
    assert second.status_code == 409
    assert second.json()["code"] == "already_claimed"
    assert second.json()["current_state"] == "open"
    assert CheckEvent.objects.filter(work=check, kind=CheckEventKind.CLAIMED).count() == 1


def test_an_enterprise_gets_403_on_every_officer_route_and_nothing_is_written(api_as,
                                                                             declarant_a,
                                                                             crew, make):
    check = open_check_of(make("yellow"))
    client = api_as(declarant_a)
    before = (Check.objects.get(pk=check.pk).version, CheckEvent.objects.count())
    for method, path, body in [
        ("get", URL, None), ("get", f"{URL}{check.pk}/", None),
        ("post", f"{URL}{check.pk}/claim/", {}), ("post", f"{URL}{check.pk}/clear/", {}),
        ("post", f"{URL}{check.pk}/request-amendment/", {"issues": [{"text": "x"}]}),
        ("post", "/api/v1/gate/exits/", {"declaration": check.declaration_id}),
        ("get", "/api/v1/gate/lookup/?q=14C", None), ("get", "/api/v1/teams/", None),
    ]:
        response = getattr(client, method)(path, body, format="json") if body is not None \
            else getattr(client, method)(path)
        assert response.status_code == 403, (path, response.status_code)
    assert before == (Check.objects.get(pk=check.pk).version, CheckEvent.objects.count())


def test_the_enterprise_reads_issues_schedule_and_outcome_but_no_internal_detail(
        api_as, declarant_a, declarant_b, crew, make):
    check = open_check_of(make("yellow"))
    Check.objects.filter(pk=check.pk).update(internal_note="Nghi vấn khai giá thấp")
    services.check_request_amendment(check=check, by=check.officer,
                                     issues=[{"text": "Sai xuất xứ dòng 1", "line_no": 1}])
    response = api_as(declarant_a).get(f"/api/v1/declarations/{check.declaration_id}/checks/")
    assert response.status_code == 200
    body = response.json()
    assert body["issues"] == [{"text": "Sai xuất xứ dòng 1", "line_no": 1,
                               "requested_at": body["issues"][0]["requested_at"]}]
    text = response.content.decode()
    for secret in ("Nghi vấn", "points", "officer", crew.doc1.username, crew.doc2.username,
                   "loads", "risk"):
        assert secret not in text
    other = api_as(declarant_b).get(f"/api/v1/declarations/{check.declaration_id}/checks/")
    assert other.status_code == 404


def test_if_match_on_an_action_is_412_when_stale_and_409_names_the_state(api_as, crew, make):
    check = open_check_of(make("yellow"))
    client = api_as(check.officer)
    etag = client.get(f"{URL}{check.pk}/")["ETag"]
    saved = client.put(f"{URL}{check.pk}/checklist/", {"items": []}, format="json",
                       HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] != etag
    stale = client.post(f"{URL}{check.pk}/clear/", {}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    cleared = client.post(f"{URL}{check.pk}/clear/", {"conclusion": "Phù hợp"}, format="json",
                          HTTP_IF_MATCH=saved["ETag"])
    assert cleared.status_code == 200 and cleared.json()["outcome"] == "conform"
    again = client.post(f"{URL}{check.pk}/clear/", {}, format="json")
    assert again.status_code == 409 and again.json()["current_state"] == "done"


def test_bad_input_is_400_with_field_messages(api_as, crew, make):
    check = open_check_of(make("red"))
    client = api_as(check.officer)
    response = client.post(f"{URL}{check.pk}/schedule/", {
        "method": "partial", "site": "DKT-BL1",
        "scheduled_at": (timezone.now() + timedelta(hours=1)).isoformat()}, format="json")
    assert response.status_code == 400 and "share_percent" in response.json()
    response = client.put(f"{URL}{check.pk}/findings/", {"findings": [
        {"line_no": 1, "found_hs_code": "12"}]}, format="json")
    assert response.status_code == 400
    response = client.post(f"{URL}{check.pk}/violations/", {"violation_type": "nope"},
                           format="json")
    assert response.status_code == 400
    assert not check.declaration.violations.exists()


def test_a_violation_posted_twice_with_one_key_is_recorded_once(api_as, crew, make):
    check = open_check_of(make("red"))
    client = api_as(check.officer)
    body = {"violation_type": "quantity", "description": "Thừa 20 thùng",
            "penalty_vnd": "10000000", "penalty_decision_number": "88/QĐ-XPHC"}
    first = client.post(f"{URL}{check.pk}/violations/", body, format="json",
                        HTTP_IDEMPOTENCY_KEY="vio-1")
    again = client.post(f"{URL}{check.pk}/violations/", body, format="json",
                        HTTP_IDEMPOTENCY_KEY="vio-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert check.declaration.violations.count() == 1
    other = client.post(f"{URL}{check.pk}/violations/", {**body, "description": "khác"},
                        format="json", HTTP_IDEMPOTENCY_KEY="vio-1")
    assert other.status_code == 422


def test_the_gate_api_looks_up_and_confirms_exits(api_as, crew, make, declarant_a):
    from declarations import services as declaration_services

    declaration = make("green", vehicles=["14C-215.36"])
    declaration.refresh_from_db()
    declaration_services.declaration_pay(declaration=declaration, user=declarant_a,
                                         amount_vnd=declaration.outstanding_vnd,
                                         reference="KB-GATE-0001")
    client = api_as(crew.insp1)
    found = client.get("/api/v1/gate/lookup/", {"q": "14C21536"}).json()
    assert [row["id"] for row in found] == [declaration.pk]
    wrong = client.post("/api/v1/gate/exits/", {"declaration": declaration.pk,
                                                "container": "MSCU1234565"}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "wrong_container"
    out = client.post("/api/v1/gate/exits/", {"declaration": declaration.pk,
                                              "vehicle": "14C-215.36"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="exit-1")
    assert out.status_code == 201
    twice = client.post("/api/v1/gate/exits/", {"declaration": declaration.pk}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_out"


def test_a_null_character_in_a_query_parameter_is_a_400_naming_it(api_as, crew):
    """PostgreSQL text cannot hold NUL: the gate lookup sent it into a jsonb match and
    answered 500 (found by the schema fuzzing)."""
    client = api_as(crew.insp1)
    for query in ("14C\x0021536", "\x00"):
        response = client.get("/api/v1/gate/lookup/", {"q": query})
        assert response.status_code == 400, response.content[:300]
        assert list(response.json()) == ["q"]
    assert client.get("/api/v1/gate/lookup/", {"q": "14C21536"}).status_code == 200


def test_a_leader_sets_duty_and_capacity_others_get_403(api_as, crew):
    member = TeamMember.objects.get(officer=crew.doc1)
    url = f"/api/v1/teams/{crew.team.pk}/members/{member.pk}/"
    assert api_as(crew.doc2).post(url, {"on_duty": False}, format="json").status_code == 403
    response = api_as(crew.leader).post(url, {"on_duty": False, "daily_capacity_points": 150},
                                        format="json")
    assert response.status_code == 200
    assert response.json()["on_duty"] is False and response.json()["daily_capacity_points"] == 150
    bad = api_as(crew.leader).post(url, {"daily_capacity_points": 5}, format="json")
    assert bad.status_code == 400
    teams = api_as(crew.doc2).get("/api/v1/teams/").json()
    assert {t["code"] for t in teams} == {"GSKT1", "GSKT2"}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_claims_of_one_check_have_one_winner_and_one_event(reference_data):
    from rest_framework.test import APIClient

    from customs_core.testing.second_factor import api_token
    from customs_core.testing.services import require_postgresql
    from declarations.testing import publish_rates
    from inspection.testing import crew_make, declaration_routed

    require_postgresql()
    publish_rates()
    crew = crew_make("GSKT1", prefix="race", capacity=5000)
    TeamMember.objects.filter(team=crew.team).update(on_duty=False)
    check = open_check_of(declaration_routed("yellow"))
    assert check.officer is None
    from customs_core.testing.factories import UserFactory

    officers = [crew.doc1, crew.doc2, crew.leader]
    for n in range(17):
        officer = UserFactory(username=f"race_extra{n}", role="doc_check")
        TeamMember.objects.create(team=crew.team, officer=officer, on_duty=False)
        officers.append(officer)
    tokens = [api_token(officer) for officer in officers]

    def claim(token):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            return client.post(f"{URL}{check.pk}/claim/").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(claim, tokens))
    assert statuses == [200] + [409] * 19
    assert CheckEvent.objects.filter(work=check, kind=CheckEventKind.CLAIMED).count() == 1
    assert Check.objects.get(pk=check.pk).officer_id is not None


def test_the_queue_page_and_api_cost_the_same_few_queries_whatever_their_length(
        api_as, client, crew, make, django_assert_max_num_queries):
    """A page of the queue is chosen on the checks' index, then only its rows are joined."""
    TeamMember.objects.filter(team=crew.team).update(daily_capacity_points=5000)
    for n in range(30):
        make("yellow" if n % 2 else "red", user=DeclarantFactory(enterprise=EnterpriseFactory()))
    client.force_login(crew.leader)
    api = api_as(crew.leader)
    with django_assert_max_num_queries(12):  # with the session's second-factor device
        page = client.get("/inspection/?scope=team")
    with django_assert_max_num_queries(7):
        listed = api.get(URL, {"scope": "team", "page_size": 25})
    assert page.status_code == listed.status_code == 200
    assert page.content.decode().count('data-testid="queue-row"') == 25
    assert listed.json()["count"] == 30 and len(listed.json()["results"]) == 25
