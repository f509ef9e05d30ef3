"""The reports API: who reads which figures, the filters and their 400s, the numbers equal to
the selectors' (the pages show the same), the revenue targets, and an enterprise that never
reads anything but its own declarations through any reports route. The declarations are real
ones (the factories walk the services and transitions) and the rollups are rebuilt from them.
The exports: test_exports.py; every route against every role: tests/test_api_reporting_routes.py.
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from customs_core.models import BorderGate, CustomsOffice
from declarations.models import DutyPayment
from declarations.testing import declaration_make, publish_rates
from reporting import selectors
from reporting.forms import filters_from
from reporting.models import RevenueTarget, ValueRollup
from reporting.rollups import history_span, rollups_rebuild
from reporting.serializing import plain

pytestmark = pytest.mark.django_db

PARTS = {"totals": "totals", "monthly": "monthly", "channel-mix": "channel_mix",
         "time-release": "time_release", "clearance": "clearance",
         "top-chapters": "top_chapters", "top-enterprises": "top_enterprises"}
LEADER_ROUTES = ["dashboard", *PARTS, "revenue"]


def branch_world(declarant_a, declarant_b) -> SimpleNamespace:
    """A: three cleared declarations of one goods line and a yellow one; B: a cleared and a
    red declaration of three lines (other values, other channels); the rollups rebuilt."""
    publish_rates()
    a = [declaration_make(state="cleared", user=declarant_a, lines=1) for _ in range(3)]
    a.append(declaration_make(state="yellow", user=declarant_a, lines=1))
    b = [declaration_make(state="cleared", user=declarant_b, lines=3),
         declaration_make(state="red", user=declarant_b, lines=3)]
    first, last = history_span()
    rollups_rebuild(first, last)
    return SimpleNamespace(a=a, b=b, filters=filters_from({})[0])


@pytest.fixture
def world(declarant_a, declarant_b):
    return branch_world(declarant_a, declarant_b)


def _get(client, route, params=None):
    return client.get(reverse(f"report-{route}"), params or {})


# --- the numbers ---------------------------------------------------------------------------------
def test_the_dashboard_is_exactly_the_selectors_figures(api_as, leader, world):
    response = _get(api_as(leader), "dashboard")
    assert response.status_code == 200
    assert response.json() == plain(selectors.dashboard(world.filters))
    totals = response.json()["totals"]
    assert totals["registered"] == 6 and totals["cleared"] == 4
    assert totals["channels"] == {"green": 4, "yellow": 1, "red": 1}
    paid = DutyPayment.objects.aggregate(s=Sum("amount_vnd"))["s"]
    assert totals["collected_vnd"] == str(paid) and paid > 0


@pytest.mark.parametrize("route", sorted(PARTS))
def test_each_figure_is_the_same_part_of_the_dashboard(api_as, team_leader, world, route):
    response = _get(api_as(team_leader), route)
    assert response.status_code == 200
    assert response.json() == plain(selectors.dashboard(world.filters))[PARTS[route]]


def test_the_top_enterprises_name_both_enterprises_by_turnover(api_as, leader, world,
                                                               enterprise_a, enterprise_b):
    rows = _get(api_as(leader), "top-enterprises").json()
    assert [row["label"] for row in rows] == [enterprise_b.name, enterprise_a.name]
    assert rows[0]["declarations"] == 2 and rows[1]["declarations"] == 4


@pytest.mark.parametrize("params", [
    {"flow": "export"}, {"flow": "import"}, {"regime": "A11"}, {"border_gate": "MCBL1"},
    {"date_from": "01/01/2020", "date_to": "31/12/2020"},
    {"date_from": "2020-01-01", "date_to": "2020-12-31"},
])
def test_the_filters_give_the_selectors_figures_for_them(api_as, leader, world, params):
    filters, errors = filters_from(params)
    assert not errors
    response = _get(api_as(leader), "dashboard", params)
    assert response.status_code == 200
    assert response.json() == plain(selectors.dashboard(filters))
    assert response.json()["filters"]["date_from"] == filters.date_from.isoformat()


def test_a_filter_that_excludes_everything_gives_zeros(api_as, leader, world):
    totals = _get(api_as(leader), "totals", {"flow": "export"}).json()
    assert totals["registered"] == 0 and totals["invoice_usd"] == "0.00"


def test_the_revenue_is_the_years_progress(api_as, leader, world):
    year = timezone.localdate().year
    response = _get(api_as(leader), "revenue", {"year": str(year)})
    assert response.status_code == 200
    assert response.json() == plain(selectors.revenue_progress(year))
    assert _get(api_as(leader), "revenue").json() == response.json()  # default: this year


def test_the_dashboard_reads_a_constant_number_of_queries(api_as, leader, world,
                                                          django_assert_max_num_queries):
    client = api_as(leader)
    with django_assert_max_num_queries(30):
        assert _get(client, "dashboard").status_code == 200


# --- bad filters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("params, field", [
    ({"date_from": "2026-13-01"}, "date_from"),
    ({"date_from": "not a day"}, "date_from"),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
    ({"date_from": "2020-01-01", "date_to": "2025-01-01"}, "date_to"),
    ({"date_from": "0001-01-01", "date_to": "0001-01-31"}, "date_from"),
    ({"date_from": "9999-12-01"}, "date_from"),
    ({"flow": "sideways"}, "flow"),
    ({"regime": "ZZZ"}, "regime"),
    ({"border_gate": "NOWHERE"}, "border_gate"),
])
@pytest.mark.parametrize("route", ["dashboard", "totals", "monthly"])
def test_bad_filters_are_a_400_naming_the_field(api_as, leader, route, params, field):
    response = _get(api_as(leader), route, params)
    assert response.status_code == 400
    assert field in response.json() and response.json()[field][0]


@pytest.mark.parametrize("year", ["abc", "1999", "2101", "-1", "20x6"])
def test_a_bad_year_is_a_400(api_as, leader, year):
    response = _get(api_as(leader), "revenue", {"year": year})
    assert response.status_code == 400 and "year" in response.json()


def test_the_enterprise_route_checks_its_filters_too(api_as, declarant_a):
    response = _get(api_as(declarant_a), "mine", {"date_to": "31/02/2026"})
    assert response.status_code == 400 and "date_to" in response.json()


# --- who reads what ------------------------------------------------------------------------------
@pytest.mark.parametrize("route", LEADER_ROUTES)
@pytest.mark.parametrize("who", ["declarant_a", "doc_checker", "inspector", "risk_officer",
                                 "admin_user"])
def test_only_leaders_read_the_branchs_figures(api_as, request, route, who):
    response = _get(api_as(request.getfixturevalue(who)), route)
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("route", LEADER_ROUTES + ["mine"])
def test_anonymous_is_401(api_client, route):
    assert _get(api_client, route).status_code == 401


@pytest.mark.parametrize("who", ["leader", "team_leader", "doc_checker"])
def test_officers_have_no_enterprise_figures(api_as, request, who):
    response = _get(api_as(request.getfixturevalue(who)), "mine")
    assert response.status_code == 403


def test_a_session_reads_the_dashboard_as_the_page_does(client, leader, world):
    client.force_login(leader)
    response = client.get(reverse("report-dashboard"))
    assert response.status_code == 200
    assert response.json() == plain(selectors.dashboard(world.filters))


# --- an enterprise's own figures, and nothing else ---------------------------------------------
def test_an_enterprise_reads_its_own_figures(api_as, declarant_a, enterprise_a, world):
    response = _get(api_as(declarant_a), "mine")
    assert response.status_code == 200
    assert response.json() == plain(selectors.enterprise_figures(enterprise_a, world.filters))
    mine = response.json()
    assert mine["declarations"] == 4
    assert mine["channels"] == {"green": 3, "yellow": 1, "red": 0}
    paid = DutyPayment.objects.filter(declaration__enterprise=enterprise_a).aggregate(
        s=Sum("amount_vnd"))["s"]
    assert sum(Decimal(m["paid_vnd"]) for m in mine["paid_by_month"]) == paid
    own = {row["channel"]: row["own"]["count"] for row in mine["clearance"]}
    assert own == {"green": 3, "yellow": 0, "red": 0, "": 3}


def test_an_enterprise_reads_none_of_the_other_enterprises_numbers(api_as, declarant_a,
                                                                   declarant_b, enterprise_a,
                                                                   enterprise_b, world):
    theirs = DutyPayment.objects.filter(declaration__enterprise=enterprise_b)
    assert theirs.exists()
    their_total = theirs.aggregate(s=Sum("amount_vnd"))["s"]
    mine_total = DutyPayment.objects.filter(declaration__enterprise=enterprise_a).aggregate(
        s=Sum("amount_vnd"))["s"]
    a_page = _get(api_as(declarant_a), "mine").content.decode()
    b_body = _get(api_as(declarant_b), "mine").json()
    # B's own figures are B's: 2 declarations, one red, its payments only.
    assert b_body["declarations"] == 2 and b_body["channels"] == {"green": 1, "yellow": 0,
                                                                  "red": 1}
    assert sum(Decimal(m["paid_vnd"]) for m in b_body["paid_by_month"]) == their_total
    # ... and none of them in A's answer: no payment, no total, no name, no number.
    for amount in {*theirs.values_list("amount_vnd", flat=True), their_total,
                   their_total + mine_total}:
        assert f'"{amount}"' not in a_page
    for text in (enterprise_b.name, enterprise_b.tax_code, *(d.number for d in world.b)):
        assert text not in a_page


@pytest.mark.parametrize("route", LEADER_ROUTES)
def test_an_enterprise_reads_no_branch_figure_through_any_route(api_as, declarant_a, world,
                                                                enterprise_b, route):
    body = _get(api_as(declarant_a), route, {"border_gate": "MCBL1"}).content.decode()
    assert enterprise_b.name not in body and enterprise_b.tax_code not in body


def test_filters_narrow_an_enterprises_figures_to_its_own_still(api_as, declarant_a, world):
    body = _get(api_as(declarant_a), "mine", {"border_gate": "MCBL1", "regime": "A11",
                                              "flow": "import"}).json()
    assert body["declarations"] == 4


# --- revenue targets -----------------------------------------------------------------------------
def _target_url(code="20BB", year=2026):
    return reverse("revenue-target-detail", args=[code, year])


def test_the_branch_leader_sets_a_target_and_leaders_read_it(api_as, leader, team_leader):
    response = api_as(leader).put(_target_url(), {"amount_vnd": "1500000000000"},
                                  format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount_vnd"] == "1500000000000"
    assert response.json()["office"] == "20BB" and response.json()["year"] == 2026
    target = RevenueTarget.objects.get()
    assert target.amount_vnd == Decimal("1500000000000") and target.updated_by == leader
    listed = api_as(team_leader).get(reverse("revenue-target-list")).json()
    assert listed["count"] == 1 and listed["results"][0]["updated_by"] == "leader"
    assert api_as(team_leader).get(reverse("revenue-target-list"),
                                   {"year": "2025"}).json()["count"] == 0


def test_setting_again_replaces_the_target(api_as, leader):
    client = api_as(leader)
    client.put(_target_url(), {"amount_vnd": "100"}, format="json")
    client.put(_target_url(), {"amount_vnd": "250"}, format="json")
    assert list(RevenueTarget.objects.values_list("amount_vnd", flat=True)) == [Decimal(250)]


def test_the_target_shows_in_the_revenue_figures(api_as, leader, world):
    year = timezone.localdate().year
    api_as(leader).put(_target_url(year=year), {"amount_vnd": "1000000000"}, format="json")
    revenue = _get(api_as(leader), "revenue", {"year": str(year)}).json()
    assert revenue["target_vnd"] == "1000000000"
    assert revenue == plain(selectors.revenue_progress(year))


@pytest.mark.parametrize("body, field", [
    ({"amount_vnd": "0"}, "amount_vnd"), ({"amount_vnd": "-5"}, "amount_vnd"),
    ({"amount_vnd": "1.5"}, "amount_vnd"), ({"amount_vnd": "abc"}, "amount_vnd"),
    ({"amount_vnd": ""}, "amount_vnd"), ({}, "amount_vnd"),
    ({"amount_vnd": "100", "note": "x"}, "note"),
])
def test_a_bad_amount_is_a_400_and_nothing_is_written(api_as, leader, body, field):
    response = api_as(leader).put(_target_url(), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not RevenueTarget.objects.exists()


def test_a_year_out_of_range_is_a_400(api_as, leader):
    response = api_as(leader).put(_target_url(year=1999), {"amount_vnd": "100"}, format="json")
    assert response.status_code == 400 and "year" in response.json()


def test_an_unknown_office_is_a_404(api_as, leader):
    response = api_as(leader).put(_target_url("ZZ99"), {"amount_vnd": "100"}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["team_leader", "doc_checker", "declarant_a", "risk_officer"])
def test_only_the_branch_leader_sets_targets(api_as, request, who):
    response = api_as(request.getfixturevalue(who)).put(_target_url(), {"amount_vnd": "100"},
                                                       format="json")
    assert response.status_code == 403
    assert not RevenueTarget.objects.exists()


@pytest.mark.parametrize("who", ["declarant_a", "doc_checker"])
def test_only_leaders_read_targets(api_as, request, leader, who):
    RevenueTarget.objects.create(office=CustomsOffice.objects.get(code="20BB"), year=2026,
                                 amount_vnd=100, updated_by=leader)
    response = api_as(request.getfixturevalue(who)).get(reverse("revenue-target-list"))
    assert response.status_code == 403 and "100" not in response.content.decode()


def test_options_on_a_target_says_what_put_takes(api_as, leader, team_leader, declarant_a):
    body = api_as(leader).options(_target_url()).json()
    assert "amount_vnd" in body["actions"]["PUT"]
    assert "actions" not in api_as(declarant_a).options(_target_url()).json()


def test_the_figures_are_those_of_a_border_gate_alone(api_as, leader, world):
    other = BorderGate.objects.exclude(code="MCBL1").order_by("code").first()
    totals = _get(api_as(leader), "totals", {"border_gate": other.code}).json()
    assert totals["registered"] == 0
    mcbl1 = _get(api_as(leader), "totals", {"border_gate": "MCBL1"}).json()
    assert mcbl1["registered"] == 6


def test_top_chapters_list_the_chapters_declared(api_as, leader, world):
    rows = _get(api_as(leader), "top-chapters").json()
    chapters = set(ValueRollup.objects.filter(kind="chapter").values_list("ref", flat=True))
    assert {row["ref"] for row in rows} == chapters and rows
    assert all(row["label"] == row["ref"] for row in rows)


def test_a_past_year_compares_with_the_year_before(api_as, leader, world):
    today = timezone.localdate()
    params = {"date_from": date(today.year, 1, 1).isoformat(),
              "date_to": today.isoformat()}
    monthly = _get(api_as(leader), "monthly", params).json()
    assert sum(m["declarations"] for m in monthly) == 6
    assert sum(m["previous_declarations"] for m in monthly) == 0
