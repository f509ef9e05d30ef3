"""A stateful property test of the ledger: random sequences of entries, exits, reservations,
transfers and officers' adjustments, the refused ones included, keep after every step: the
sum of each item's movements equals its balance, the balance is never negative, no more is
reserved than held, and every figure is what a simple model of the rules expects."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from customs_core.exceptions import StateConflict
from customs_core.models import BondedWarehouse, TariffLine
from customs_core.testing.factories import EnterpriseFactory, UserFactory
from inspection.warehouses import ledger, services
from inspection.warehouses.models import StockItem

pytestmark = pytest.mark.django_db

# Mostly small whole quantities (so exits, reservations and refusals meet at the edges), some
# with three decimals.
QUANTITIES = st.one_of(st.integers(1, 40).map(Decimal),
                       st.decimals(min_value=Decimal("0.001"), max_value=Decimal(60), places=3))


class LedgerMachine(RuleBasedStateMachine):
    items = Bundle("items")
    reservations = Bundle("reservations")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # each run is rolled back in teardown()
        self.warehouses = list(BondedWarehouse.objects.filter(code__in=["20BBW01", "20BBW02"]))
        self.owner = EnterpriseFactory()
        self.officer = UserFactory(role="inspection")
        self.tariff_line = TariffLine.objects.order_by("pk").first()
        self.expected: dict[int, list[Decimal]] = {}  # item id -> [quantity, reserved]
        self.lots = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _refused(self, call) -> bool:
        try:
            with transaction.atomic():
                call()
        except StateConflict:
            return True
        return False

    @rule(target=items, warehouse=st.integers(0, 1), quantity=QUANTITIES)
    def enter(self, warehouse, quantity):
        self.lots += 1
        today = timezone.localdate()
        item = StockItem.objects.create(
            warehouse=self.warehouses[warehouse], owner=self.owner,
            tariff_line=self.tariff_line, description="Hàng thử", lot=f"P/{self.lots}",
            unit="KGM", entered_on=today, term_until=today + timedelta(days=365))
        with transaction.atomic():
            ledger.put(item, quantity)
        self.expected[item.pk] = [quantity, Decimal(0)]
        return item.pk

    @rule(item=items, quantity=QUANTITIES)
    def exit_or_refuse(self, item, quantity):
        quantity_now, reserved = self.expected[item]
        refused = self._refused(lambda: ledger.take(StockItem.objects.get(pk=item), quantity))
        assert refused == (quantity > quantity_now - reserved)
        if not refused:
            self.expected[item][0] -= quantity

    @rule(target=reservations, item=items, quantity=QUANTITIES)
    def reserve(self, item, quantity):
        quantity_now, reserved = self.expected[item]
        refused = self._refused(lambda: ledger.reserve(item, quantity))
        assert refused == (quantity > quantity_now - reserved)
        if refused:
            return (item, Decimal(0))
        self.expected[item][1] += quantity
        return (item, quantity)

    @rule(reservation=consumes(reservations), draw=st.booleans())
    def settle(self, reservation, draw):
        """A reservation ends: drawn by a clearance, or given back by a cancellation."""
        item, quantity = reservation
        if not quantity:
            return
        with transaction.atomic():
            if draw:
                ledger.take(StockItem.objects.get(pk=item), quantity, reserved=True)
                self.expected[item][0] -= quantity
            else:
                ledger.unreserve(item, quantity)
        self.expected[item][1] -= quantity

    @rule(item=items, quantity=QUANTITIES, sign=st.sampled_from([1, -1]))
    def adjust(self, item, quantity, sign):
        quantity_now, reserved = self.expected[item]
        refused = self._refused(lambda: services.stock_adjust(
            item=StockItem.objects.get(pk=item), user=self.officer, quantity=sign * quantity,
            reason="Kiểm kê"))
        assert refused == (sign < 0 and quantity > quantity_now - reserved)
        if not refused:
            self.expected[item][0] += sign * quantity

    @rule(item=items, quantity=QUANTITIES)
    def transfer(self, item, quantity):
        source = StockItem.objects.get(pk=item)
        target_warehouse = next(w for w in self.warehouses if w.pk != source.warehouse_id)
        quantity_now, reserved = self.expected[item]
        refused = self._refused(lambda: services.stock_transfer(
            item=source, user=self.officer, to_warehouse=target_warehouse, quantity=quantity,
            reason="Chuyển kho"))
        assert refused == (quantity > quantity_now - reserved)
        if not refused:
            self.expected[item][0] -= quantity
            target = StockItem.objects.get(warehouse=target_warehouse, lot=source.lot,
                                           owner=self.owner)
            self.expected.setdefault(target.pk, [Decimal(0), Decimal(0)])[0] += quantity

    @invariant()
    def ledger_sum_is_the_balance(self):
        for item in StockItem.objects.filter(owner=self.owner):
            movements = sum((m.quantity for m in item.movements.all()), Decimal(0))
            assert movements == item.quantity
            assert item.quantity >= 0 and Decimal(0) <= item.reserved <= item.quantity
            assert [item.quantity, item.reserved] == self.expected[item.pk]


def test_ledger_invariants_hold_under_random_sequences(reference_data):
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=40, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
