"""The access audit's API routes: built from the URL configuration, so a route added later is
covered without editing this file (the meta-test in test_api_officer_routes.py fails when a
route under these prefixes has no recipe here).

For every route: anonymous is 401; an enterprise and every officer who does not search the
audit are 403 and learn nothing of it; the branch leader and an auditor read it, filtered as
the search page filters; and nobody writes through it."""

import pytest
from django.urls import reverse

from customs_core.audit.choices import AuditAction
from customs_core.audit.models import AuditEvent
from customs_core.audit.services import record
from customs_core.testing.factories import UserFactory
from tests.routes import api_routes

pytestmark = pytest.mark.django_db

AUDIT_PREFIXES = ("api/v1/^audit/",)
AUDIT_BODIES = {
    ("audit-event-list", "get"): lambda w: None,
}


def audit_routes():
    return sorted({(name, method) for path, name, method, _action in api_routes()
                   if path.startswith(AUDIT_PREFIXES) and method != "head"})


@pytest.fixture
def auditor(reference_data):
    return UserFactory(username="auditor", role="auditor")


@pytest.fixture
def world(make_declaration, doc_checker, leader):
    declaration = make_declaration(state="submitted")
    return {"declaration": declaration,
            "read": record(None, AuditAction.DECLARATION_VIEWED, declaration,
                           actor=doc_checker),
            "role": record(None, AuditAction.ROLE_CHANGED, doc_checker, actor=leader,
                           details={"role": {"old": "doc_check", "new": "risk"}})}


def _call(client, method, name, world, params=None):
    body = AUDIT_BODIES[name, method](world)
    url = reverse(name)
    if body is None:
        return getattr(client, method)(url, params)
    return getattr(client, method)(url, body[1], format=body[0])


def test_every_audit_route_has_a_recipe():
    assert set(audit_routes()) == set(AUDIT_BODIES)


@pytest.mark.parametrize("name, method", audit_routes())
def test_anonymous_gets_401(api_client, world, name, method):
    assert _call(api_client, method, name, world).status_code == 401


@pytest.mark.parametrize("name, method", audit_routes())
@pytest.mark.parametrize("who", ["declarant_a", "doc_checker", "inspector", "risk_officer",
                                 "team_leader", "admin_user"])
def test_everyone_else_gets_403_and_learns_nothing(api_as, request, world, name, method, who):
    response = _call(api_as(request.getfixturevalue(who)), method, name, world)
    assert response.status_code == 403, (who, response.status_code)
    assert world["declaration"].number not in response.content.decode()


@pytest.mark.parametrize("name, method", audit_routes())
@pytest.mark.parametrize("who", ["leader", "auditor"])
def test_the_leader_and_the_auditor_read_it(api_as, request, world, name, method, who):
    response = _call(api_as(request.getfixturevalue(who)), method, name, world)
    assert response.status_code == 200, response.content[:300]
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    assert {world["role"].pk, world["read"].pk} <= set(ids)


def test_the_api_filters_as_the_page_does(api_as, auditor, world):
    client = api_as(auditor)
    found = client.get("/api/v1/audit/events/", {"object": world["declaration"].number,
                                                 "action": "declaration_viewed"}).json()
    assert [row["id"] for row in found["results"]] == [world["read"].pk]
    row = found["results"][0]
    assert (row["actor_username"], row["actor_role"], row["object_type"]) == (
        "doc_checker", "doc_check", "declarations.declaration")
    role = client.get("/api/v1/audit/events/", {"actor": "leader"}).json()["results"][0]
    assert role["details"] == {"role": {"old": "doc_check", "new": "risk"}}


@pytest.mark.parametrize("params", [{"date_from": "31/02/2026"}, {"ip": "999.1.1.1"},
                                    {"action": "nothing"}, {"page": "0"}])
def test_bad_filters_are_400_with_the_field(api_as, auditor, world, params):
    response = api_as(auditor).get("/api/v1/audit/events/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nothing_is_written_through_the_api(api_as, auditor, world, method):
    before = AuditEvent.objects.count()
    response = getattr(api_as(auditor), method)("/api/v1/audit/events/", {}, format="json")
    assert response.status_code == 405
    assert AuditEvent.objects.count() == before
