"""The auditor reads like an officer and acts on nothing: no role set that grants an action
holds the auditor, no transition is the auditor's, and every write route of the declarations
and of the checks refuses an auditor's valid body without writing anything."""

import pytest
from django.urls import reverse

from customs_core import roles
from customs_core.choices import Role
from declarations.workflow import TRANSITIONS
from inspection.actions import check_actions
from tests.test_api_officer_routes import CHECK_BODIES, OFFICER_READS, officer_routes
from tests.test_api_officer_routes import _call as check_call
from tests.test_api_officer_routes import _snapshot as check_snapshot
from tests.test_api_officer_routes import _url as check_url
from tests.test_api_officer_routes import world as check_world  # noqa: F401 (a fixture)
from tests.test_api_scoping import BODIES, URL_ARGS, detail_routes, snapshot

# The sets that grant reading only (every officer reads the branch's declarations) or that
# are the audit itself; every other set in customs_core.roles grants an action.
READING_SETS = {"ALL_ROLES", "OFFICER_ROLES", "SECOND_FACTOR_ROLES", "AUDIT_VIEWER_ROLES"}
READ_METHODS = {"get", "head", "options"}


def test_no_role_set_that_grants_an_action_holds_the_auditor():
    sets = {name: value for name, value in vars(roles).items()
            if name.endswith("_ROLES") and isinstance(value, frozenset)}
    assert READING_SETS <= set(sets)
    granting = {name for name, value in sets.items()
                if name not in READING_SETS and Role.AUDITOR in value}
    assert granting == set()
    assert Role.AUDITOR in roles.OFFICER_ROLES


def test_no_transition_is_the_auditors():
    assert [pair for pair, rule in TRANSITIONS.items() if Role.AUDITOR in rule.roles] == []


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, action",
                         [r for r in detail_routes() if r[1] not in READ_METHODS])
def test_every_write_on_a_declaration_refuses_the_auditor(api_as, auditor, make_declaration,
                                                          name, method, action):
    declaration = make_declaration(state="submitted")
    extra = URL_ARGS.get(action, lambda d: [])(declaration)
    before = snapshot(declaration)
    body = BODIES[action]()
    response = getattr(api_as(auditor), method)(reverse(name, args=[declaration.pk, *extra]),
                                                body[1], format=body[0])
    assert response.status_code == 403, (action, response.status_code, response.content[:200])
    assert snapshot(declaration) == before


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, action",
                         [r for r in officer_routes() if r[2] not in OFFICER_READS])
def test_every_action_on_a_check_refuses_the_auditor(api_as, auditor, request, name, method,
                                                     action):
    world = request.getfixturevalue("check_world")  # the officer routes' world
    before = check_snapshot(world)
    response = check_call(api_as(auditor), method, check_url(name, world),
                          CHECK_BODIES[action](world))
    assert response.status_code == 403, (name, response.status_code, response.content[:200])
    assert check_snapshot(world) == before
    assert check_actions(auditor, world.check) == set()


@pytest.mark.django_db
def test_the_auditor_reads_a_declaration_and_its_risk_but_is_offered_no_action(
        client, auditor, routed):
    client.force_login(auditor)
    response = client.get(reverse("declarations:detail", args=[routed.pk]))
    assert response.status_code == 200
    assert not response.context["actions"]
    page = response.content.decode()
    assert reverse("risk:raise-channel", args=[routed.pk]) not in page
    assert reverse("risk:request-lowering", args=[routed.pk]) not in page
