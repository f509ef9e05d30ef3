"""Officers' routes (checks, the gate, the teams): built from the URL configuration, so a route
added later is covered without editing this file; the meta-test fails when an API route of any
app is neither a declaration's (tests/test_api_scoping.py), an officer's (here), the bonded
warehouses' (tests/test_api_warehouse_routes.py), the partnership desk's
(tests/test_api_partnership_routes.py), the reports (tests/test_api_reporting_routes.py), learned
selection (tests/test_api_risk_routes.py), the declarant's tools that name no declaration
(tests/test_api_declarant_tools_routes.py) nor reference data open to every signed-in user.

For every officer route and a valid body: anonymous is 401, an enterprise (the declaration's
own or another) is 403, an officer of the other team who is not assigned is 403 on every
action; and nothing is written by any of them.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.testing import declaration_make, pdf_file
from inspection.models import Check, CheckEvent, TeamMember
from inspection.testing import crew_make, open_check_of
from tests.routes import api_routes
from tests.test_api_audit_routes import AUDIT_BODIES, AUDIT_PREFIXES
from tests.test_api_declarant_tools_routes import TOOL_ROUTES
from tests.test_api_partnership_routes import PARTNERSHIP_BODIES, PARTNERSHIP_PREFIXES
from tests.test_api_reporting_routes import REPORT_BODIES, REPORT_PREFIXES
from tests.test_api_risk_routes import RISK_BODIES, RISK_PREFIXES
from tests.test_api_scoping import BODIES as DECLARATION_BODIES
from tests.test_api_warehouse_routes import WAREHOUSE_BODIES, WAREHOUSE_PREFIXES

pytestmark = pytest.mark.django_db

OFFICER_PREFIXES = ("api/v1/^checks/", "api/v1/^gate/", "api/v1/^teams/")
# Read-only reference data and the routes every signed-in user has (tested where they live).
OPEN_ROUTES = {"api-token", "tariff-line-list", "tariff-line-detail", "regime-list",
               "regime-detail", "border-gate-list", "border-gate-detail", "exchange-rate-list",
               "exchange-rate-detail", "country-list", "country-detail", "currency-list",
               "currency-detail", "customs-office-list", "customs-office-detail",
               "bonded-warehouse-list", "bonded-warehouse-detail", "code-list-list",
               "code-list-detail", "declaration-list", "declaration-duty-preview",
               "channel-request-list", "channel-request-decide"}


def _soon() -> str:
    return (timezone.now() + timedelta(hours=2)).isoformat()


# A valid body per action, so that a refusal is about who asks, never about the input.
CHECK_BODIES = {
    "list": lambda w: None,
    "retrieve": lambda w: None,
    "claim": lambda w: ("json", {}),
    "assign": lambda w: ("json", {"officer": w.other.doc1.username, "reason": "x"}),
    "start": lambda w: ("json", {}),
    "checklist": lambda w: ("json", {"items": []}),
    "request_amendment": lambda w: ("json", {"issues": [{"text": "Sai xuất xứ"}]}),
    "escalate": lambda w: ("json", {"reason": "Nghi vấn"}),
    "clear": lambda w: ("json", {"conclusion": "Phù hợp"}),
    "schedule": lambda w: ("json", {"method": "full", "site": "DKT-BL1",
                                    "scheduled_at": _soon()}),
    "findings": lambda w: ("json", {"findings": [{"line_no": 1}]}),
    "attachments": lambda w: ("multipart", {"file": pdf_file("photo.pdf")}),
    "violations": lambda w: ("json", {"violation_type": "quantity", "description": "Thừa"}),
    "settle": lambda w: ("json", {"penalty_reference": "KB-1"}),
    "seize": lambda w: ("json", {"reason": "Quyết định tịch thu"}),
    "audit_conclude": lambda w: ("json", {"conclusion": "Không phát hiện"}),
    "lookup": lambda w: None,
    "exits": lambda w: ("json", {"declaration": w.check.declaration_id}),
    "member": lambda w: ("json", {"on_duty": False}),
}
# Read routes an officer of any team may use (officers read the whole branch).
OFFICER_READS = {"list", "retrieve", "lookup"}


def officer_routes():
    return [(name, method, action) for path, name, method, action in api_routes()
            if path.startswith(OFFICER_PREFIXES)]


def test_every_api_route_is_in_a_matrix():
    unknown = []
    for path, name, method, action in api_routes():
        if path.startswith(OFFICER_PREFIXES):
            known = action in CHECK_BODIES
        elif "declarations/(?P<pk>" in path:
            known = action in DECLARATION_BODIES
        elif path.startswith(WAREHOUSE_PREFIXES):
            known = action in WAREHOUSE_BODIES
        elif path.startswith(PARTNERSHIP_PREFIXES):
            # Keyed by (name, method): one action name, several meanings. DRF adds HEAD to a
            # route's actions once it served a GET: HEAD is that GET.
            known = (name, "get" if method == "head" else method) in PARTNERSHIP_BODIES
        elif path.startswith(AUDIT_PREFIXES):  # keyed by (name, method), as the reports'
            known = (name, "get" if method == "head" else method) in AUDIT_BODIES
        elif path.startswith(REPORT_PREFIXES):  # keyed by (name, method), as the desk's
            known = (name, "get" if method == "head" else method) in REPORT_BODIES
        elif path.startswith(RISK_PREFIXES):  # keyed by (name, method), as the reports'
            known = (name, "get" if method == "head" else method) in RISK_BODIES
        elif name in TOOL_ROUTES:  # HS suggestions, the goods-line template
            known = path.startswith("api/v1/^declarations/")
        else:
            known = name in OPEN_ROUTES
        if not known:
            unknown.append((name, action))
    assert not unknown, f"add these routes to a scoping matrix: {unknown}"


@pytest.fixture
def world(reference_data, declarant_a):
    from types import SimpleNamespace

    from declarations.testing import publish_rates

    publish_rates()
    mine, other = crew_make("GSKT1", prefix="m"), crew_make("GSKT2", prefix="o")
    check = open_check_of(declaration_make(state="yellow", user=declarant_a))
    return SimpleNamespace(mine=mine, other=other, check=check)


def _url(name, world):
    if name in {"check-list", "gate-lookup", "gate-exits", "team-list"}:
        return reverse(name)
    if name == "team-member":
        member = TeamMember.objects.get(officer=world.mine.doc1)
        return reverse(name, args=[world.mine.team.pk, member.pk])
    return reverse(name, args=[world.check.pk])


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url, {"q": "10"} if url.endswith("lookup/") else None)
    return getattr(client, method)(url, body[1], format=body[0])


def _snapshot(world):
    check = Check.objects.get(pk=world.check.pk)
    declaration = check.declaration
    return (check.version, check.officer_id, check.state, CheckEvent.objects.count(),
            declaration.version, declaration.state, declaration.violations.count(),
            TeamMember.objects.filter(on_duty=False).count())


@pytest.mark.parametrize("name, method, action", officer_routes())
def test_anonymous_gets_401_and_nothing_is_written(api_client, world, name, method, action):
    before = _snapshot(world)
    response = _call(api_client, method, _url(name, world), CHECK_BODIES[action](world))
    assert response.status_code == 401, (name, response.status_code)
    assert _snapshot(world) == before


@pytest.mark.parametrize("name, method, action", officer_routes())
@pytest.mark.parametrize("who", ["own_enterprise", "other_enterprise"])
def test_an_enterprise_gets_403_on_every_officer_route(api_as, world, declarant_a, declarant_b,
                                                       name, method, action, who):
    before = _snapshot(world)
    user = declarant_a if who == "own_enterprise" else declarant_b
    response = _call(api_as(user), method, _url(name, world), CHECK_BODIES[action](world))
    assert response.status_code == 403, (name, response.status_code, response.content[:200])
    assert str(world.check.declaration.number) not in response.content.decode()
    assert _snapshot(world) == before


@pytest.mark.parametrize("name, method, action",
                         [r for r in officer_routes() if r[2] not in OFFICER_READS
                          and r[0].startswith("check-")])
def test_an_officer_of_the_other_team_may_not_act_on_the_check(api_as, world, name, method,
                                                               action):
    assert world.check.team_id == world.mine.team.pk and world.check.officer_id
    before = _snapshot(world)
    response = _call(api_as(world.other.doc1), method, _url(name, world),
                     CHECK_BODIES[action](world))
    assert response.status_code == 403, (name, response.status_code, response.content[:300])
    assert _snapshot(world) == before


def test_an_officer_of_the_other_team_may_not_change_this_teams_members(api_as, world):
    before = _snapshot(world)
    response = _call(api_as(world.other.leader), "post", _url("team-member", world),
                     CHECK_BODIES["member"](world))
    assert response.status_code == 403
    assert _snapshot(world) == before
