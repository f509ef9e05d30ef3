"""Bonded-warehouse routes: built from the URL configuration, so a route added later is
covered without editing this file (the meta-test in test_api_officer_routes.py fails when a
route under these prefixes has no recipe here).

For every route and a valid body: anonymous is 401; an enterprise with nothing in the
warehouse reads empty lists and gets 404 on everything else (nothing is learnt of what
exists); the owner of the goods is 403 on every officer's decision; and nothing is written
by any of them."""

import pytest
from django.urls import reverse

from customs_core.models import BondedWarehouse
from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from inspection.warehouses.models import HeldMovement, StockItem, StockMovement, TermExtension
from inspection.warehouses.testing import bonded_draft, clear, stock_in, submit
from tests.routes import api_routes

pytestmark = pytest.mark.django_db

WAREHOUSE_PREFIXES = ("api/v1/^warehouses/", "api/v1/^stock-items/", "api/v1/^stock-movements/",
                      "api/v1/^held-stock/")
# A valid body per action, so that a refusal is about who asks, never about the input.
WAREHOUSE_BODIES = {
    "list": lambda w: None,
    "retrieve": lambda w: None,
    "report": lambda w: None,
    "overdue": lambda w: None,
    "adjustments": lambda w: ("json", {"quantity": "-1", "reason": "Hao hụt"}),
    "transfers": lambda w: ("json", {"to_warehouse": "20BBW02", "quantity": "1",
                                     "reason": "Chuyển kho"}),
    "term_extensions": lambda w: ("json", {"until": "2040-01-01", "reason": "Gia hạn"}),
    "apply": lambda w: ("json", {"reason": "Quyết định cho nhập"}),
}
DECISIONS = {"adjustments", "transfers", "term_extensions", "apply"}


def warehouse_routes():
    return [(name, method, action) for path, name, method, action in api_routes()
            if path.startswith(WAREHOUSE_PREFIXES)]


@pytest.fixture
def world(reference_data, declarant_a):
    from types import SimpleNamespace

    item = stock_in(declarant_a, "100")
    entry = submit(bonded_draft(declarant_a, quantities=("5",)), declarant_a)
    BondedWarehouse.objects.filter(code="20BBW01").update(suspended_since="2026-01-01")
    clear(entry, declarant_a)
    held = HeldMovement.objects.get()
    BondedWarehouse.objects.filter(code="20BBW01").update(suspended_since=None)
    return SimpleNamespace(item=item, held=held)


def _url(name, world):
    if name.endswith("-list") or name == "stock-item-overdue":
        return reverse(name)
    if name.startswith("warehouse-"):
        return reverse(name, args=["20BBW01"])
    if name.startswith("held-stock"):
        return reverse(name, args=[world.held.pk])
    return reverse(name, args=[world.item.pk])


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body[1], format=body[0])


def _snapshot():
    return (list(StockItem.objects.order_by("pk").values_list("quantity", "reserved",
                                                              "term_until")),
            StockMovement.objects.count(), TermExtension.objects.count(),
            list(HeldMovement.objects.values_list("state", flat=True)))


def test_every_warehouse_route_has_a_recipe():
    assert {action for _name, _method, action in warehouse_routes()} == set(WAREHOUSE_BODIES)


@pytest.mark.parametrize("name, method, action", warehouse_routes())
def test_anonymous_gets_401_and_nothing_is_written(api_client, world, name, method, action):
    before = _snapshot()
    response = _call(api_client, method, _url(name, world), WAREHOUSE_BODIES[action](world))
    assert response.status_code == 401, (name, response.status_code)
    assert _snapshot() == before


@pytest.mark.parametrize("name, method, action", warehouse_routes())
def test_an_enterprise_with_nothing_there_learns_nothing(api_as, world, name, method, action):
    stranger = DeclarantFactory(username="stranger", enterprise=EnterpriseFactory())
    before = _snapshot()
    response = _call(api_as(stranger), method, _url(name, world),
                     WAREHOUSE_BODIES[action](world))
    if name.endswith("-list") or name == "stock-item-overdue":
        assert response.status_code == 200 and response.json()["count"] == 0, name
    else:
        assert response.status_code == 404, (name, response.status_code)
    assert world.item.lot not in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("name, method, action",
                         [r for r in warehouse_routes() if r[2] in DECISIONS])
def test_the_owner_may_not_take_an_officers_decision(api_as, world, declarant_a, name, method,
                                                     action):
    before = _snapshot()
    response = _call(api_as(declarant_a), method, _url(name, world),
                     WAREHOUSE_BODIES[action](world))
    assert response.status_code == 403, (name, response.status_code, response.content[:200])
    assert _snapshot() == before
