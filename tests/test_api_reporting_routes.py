"""Reports routes (the dashboard's figures, an enterprise's own, revenue targets, exports):
built from the URL configuration, so a route added later is covered without editing this file
(the meta-test in test_api_officer_routes.py fails when a route under these prefixes has no
recipe here).

For every route and a valid body: anonymous is 401; an enterprise is 403 on every route but
its own figures, and learns nothing of another's there; an officer who leads nobody is 403 on
all of them; a team leader reads the branch's figures but sets no target and reads no other
leader's export (404); the branch leader reaches every one; and nothing is written by anyone
refused."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_core.models import CustomsOffice
from declarations.testing import declaration_make
from reporting.exports import export_build, export_request
from reporting.forms import filters_from
from reporting.models import ReportExport, RevenueTarget
from reporting.rollups import history_span, rollups_rebuild
from tests.routes import api_routes

pytestmark = pytest.mark.django_db

REPORT_PREFIXES = ("api/v1/^reports/",)
# A valid body per (url name, http method), so that a refusal is about who asks, never about
# the input.
REPORT_BODIES = {
    ("report-dashboard", "get"): lambda w: None,
    ("report-totals", "get"): lambda w: None,
    ("report-monthly", "get"): lambda w: None,
    ("report-channel-mix", "get"): lambda w: None,
    ("report-time-release", "get"): lambda w: None,
    ("report-clearance", "get"): lambda w: None,
    ("report-top-chapters", "get"): lambda w: None,
    ("report-top-enterprises", "get"): lambda w: None,
    ("report-revenue", "get"): lambda w: None,
    ("report-mine", "get"): lambda w: None,
    ("revenue-target-list", "get"): lambda w: None,
    ("revenue-target-detail", "put"): lambda w: ("json", {"amount_vnd": "2000000000"}),
    ("report-export-list", "get"): lambda w: None,
    ("report-export-list", "post"): lambda w: ("json", {"flow": "import"}),
    ("report-export-detail", "get"): lambda w: None,
    ("report-export-download", "get"): lambda w: None,
}
ENTERPRISE_ROUTES = {("report-mine", "get")}
BRANCH_LEADER_ONLY = {("revenue-target-detail", "put")}
# Routes on the branch leader's own export: another leader gets 404 (never told it exists).
ON_AN_EXPORT = {("report-export-detail", "get"), ("report-export-download", "get")}
SUCCESS = {("report-export-list", "post"): 202}


def report_routes():
    """(url name, http method) of every route under the prefixes (not HEAD, which DRF adds to
    a route's actions once it served a GET: it is that GET)."""
    return sorted({(name, method) for path, name, method, _action in api_routes()
                   if path.startswith(REPORT_PREFIXES) and method != "head"})


@pytest.fixture
def world(reference_data, declarant_a, declarant_b, leader):
    """A's and B's declarations in the rollups, a target, and the branch leader's export."""
    mine = declaration_make(state="cleared", user=declarant_a, lines=1)
    theirs = declaration_make(state="cleared", user=declarant_b, lines=2)
    rollups_rebuild(*history_span())
    RevenueTarget.objects.create(office=CustomsOffice.objects.get(code="20BB"),
                                 year=timezone.localdate().year, amount_vnd=10**12,
                                 updated_by=leader)
    export = export_request(user=leader, filters=filters_from({})[0])
    export_build(export.pk)
    return SimpleNamespace(mine=mine, theirs=theirs, export=export)


def _url(name, world):
    if name == "revenue-target-detail":
        return reverse(name, args=["20BB", timezone.localdate().year])
    if name in {"report-export-detail", "report-export-download"}:
        return reverse(name, args=[world.export.pk])
    return reverse(name)


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body[1], format=body[0])


def _snapshot():
    return (sorted(RevenueTarget.objects.values_list("office_id", "year", "amount_vnd",
                                                     "updated_by_id")),
            ReportExport.objects.count())


def test_every_report_route_has_a_recipe():
    assert set(report_routes()) == set(REPORT_BODIES)


@pytest.mark.parametrize("name, method", report_routes())
def test_anonymous_gets_401_and_nothing_is_written(api_client, world, name, method):
    before = _snapshot()
    response = _call(api_client, method, _url(name, world), REPORT_BODIES[name, method](world))
    assert response.status_code == 401, (name, method, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("name, method", report_routes())
@pytest.mark.parametrize("who", ["declarant_a", "declarant_b"])
def test_an_enterprise_reads_only_its_own_figures(api_as, request, world, enterprise_a,
                                                  enterprise_b, name, method, who):
    user = request.getfixturevalue(who)
    other = enterprise_b if who == "declarant_a" else enterprise_a
    theirs = world.theirs if who == "declarant_a" else world.mine
    before = _snapshot()
    response = _call(api_as(user), method, _url(name, world), REPORT_BODIES[name, method](world))
    expected = 200 if (name, method) in ENTERPRISE_ROUTES else 403
    assert response.status_code == expected, (name, method, response.status_code,
                                              response.content[:200])
    content = response.content.decode()
    for secret in (other.name, other.tax_code, theirs.number):
        assert secret not in content, (name, secret)
    assert _snapshot() == before


@pytest.mark.parametrize("name, method", report_routes())
@pytest.mark.parametrize("who", ["doc_checker", "inspector", "risk_officer", "admin_user"])
def test_an_officer_who_leads_nobody_gets_403(api_as, request, world, name, method, who):
    before = _snapshot()
    response = _call(api_as(request.getfixturevalue(who)), method, _url(name, world),
                     REPORT_BODIES[name, method](world))
    assert response.status_code == 403, (name, method, who, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("name, method", report_routes())
def test_a_team_leader_reads_the_branch_but_sets_nothing(api_as, team_leader, world, name,
                                                         method):
    before = _snapshot()
    response = _call(api_as(team_leader), method, _url(name, world),
                     REPORT_BODIES[name, method](world))
    if (name, method) in ENTERPRISE_ROUTES | BRANCH_LEADER_ONLY:
        assert response.status_code == 403, (name, response.status_code)
    elif (name, method) in ON_AN_EXPORT:
        assert response.status_code == 404, (name, response.status_code)
    else:
        assert response.status_code == SUCCESS.get((name, method), 200), (
            name, response.status_code, response.content[:300])
    if (name, method) != ("report-export-list", "post"):
        assert _snapshot() == before


@pytest.mark.parametrize("name, method", report_routes())
def test_the_branch_leader_reaches_every_route(api_as, leader, world, name, method):
    response = _call(api_as(leader), method, _url(name, world),
                     REPORT_BODIES[name, method](world))
    expected = 403 if (name, method) in ENTERPRISE_ROUTES else SUCCESS.get((name, method), 200)
    assert response.status_code == expected, (name, response.status_code, response.content[:300])


@pytest.mark.parametrize("name", sorted({name for name, _method in report_routes()}))
def test_options_on_every_route_answers_who_may_use_it(api_as, leader, declarant_a, world,
                                                       name):
    """OPTIONS describes a route (a PUT that names no object through DRF's own: a 500)."""
    user = declarant_a if name == "report-mine" else leader
    response = api_as(user).options(_url(name, world))
    assert response.status_code == 200, (name, response.status_code)
