"""What declarations do to bonded stock, and the officers' decisions (services, SQLite or
PostgreSQL): a C11 cleared puts its lines in stock; a C12 or a release for home use names its
lots, reserves them at registration and draws them at clearance; nothing half-written when
anything is refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation

from customs_core.exceptions import ApplicationError, FieldErrors, StateConflict
from customs_core.models import BondedWarehouse
from declarations import services as declaration_services
from declarations.choices import DeclarationState as S
from declarations.models import Declaration
from inspection.warehouses import ledger, services
from inspection.warehouses.choices import DrawState, MovementKind
from inspection.warehouses.models import HeldMovement, StockDraw, StockItem, StockMovement
from inspection.warehouses.reports import monthly_report
from inspection.warehouses.testing import NOODLES, bonded_draft, clear, ledger_sum, stock_in
from inspection.warehouses.testing import submit as submit_declaration

pytestmark = pytest.mark.django_db


def _snapshot():
    return (list(StockItem.objects.order_by("pk").values_list("pk", "quantity", "reserved")),
            StockMovement.objects.count(),
            list(StockDraw.objects.order_by("pk").values_list("pk", "state", "quantity")))


def _exit(user, item, quantity, *, regime="C12", name=True):
    draft = bonded_draft(user, regime=regime, quantities=(quantity,))
    if name:
        services.draws_name(declaration=draft, user=user,
                            draws=[{"line_no": 1, "stock_item": item.pk}])
    return draft


def test_a_cleared_c11_puts_each_line_in_stock_as_a_lot(declarant_a):
    draft = bonded_draft(declarant_a, quantities=("100", "40.5"))
    declaration = clear(submit_declaration(draft, declarant_a), declarant_a)
    items = list(StockItem.objects.filter(entry_declaration=declaration).order_by("lot"))
    assert [(i.lot, i.quantity, i.unit, i.owner_id) for i in items] == [
        (f"{declaration.number}/1", Decimal("100.000"), "KGM", declarant_a.enterprise_id),
        (f"{declaration.number}/2", Decimal("40.500"), "KGM", declarant_a.enterprise_id)]
    today = timezone.localdate()
    assert items[0].entered_on == today
    assert items[0].term_until.year == today.year + 1  # twelve months by default
    for item in items:
        assert ledger_sum(item) == item.quantity
        assert item.movements.get().declaration_id == declaration.pk


def test_a_c12_reserves_at_registration_and_draws_at_clearance(declarant_a):
    item = stock_in(declarant_a, "100")
    draft = _exit(declarant_a, item, "30")
    item.refresh_from_db()
    assert (item.quantity, item.reserved) == (100, 0)  # named on a draft: nothing held yet
    registered = submit_declaration(draft, declarant_a)
    item.refresh_from_db()
    assert (item.quantity, item.reserved, item.available) == (100, 30, 70)
    clear(registered, declarant_a)
    item.refresh_from_db()
    assert (item.quantity, item.reserved) == (70, 0)
    out = item.movements.get(kind=MovementKind.OUT)
    assert (out.quantity, out.declaration_id, out.line_no) == (-30, draft.pk, 1)
    assert ledger_sum(item) == item.quantity
    assert StockDraw.objects.get(declaration=draft).state == DrawState.DRAWN


def test_a_release_for_home_use_draws_on_bond_like_a_re_export(declarant_a):
    item = stock_in(declarant_a, "50")
    clear(submit_declaration(_exit(declarant_a, item, "20", regime="A11"), declarant_a),
          declarant_a)
    item.refresh_from_db()
    assert item.quantity == 30 and ledger_sum(item) == 30


@pytest.mark.parametrize("to", ["cancelled", "seized"])
def test_cancelling_or_seizing_gives_the_reservation_back(declarant_a, to):
    from customs_core.testing.factories import UserFactory
    from declarations.workflow import transition

    item = stock_in(declarant_a, "100")
    declaration = submit_declaration(_exit(declarant_a, item, "60"), declarant_a)
    if to == "cancelled":
        declaration_services.declaration_cancel(declaration=declaration, user=declarant_a,
                                                reason="Khách hàng huỷ đơn")
    else:
        officer = UserFactory(username="seizer", role="inspection")
        transition(declaration, to=[S.SCORED, S.RED], by=None, channel="red")
        for state, reason in ((S.INSPECTION, ""), (S.VIOLATION, "Sai số lượng"),
                              (S.SEIZED, "Tịch thu")):
            declaration = Declaration.objects.get(pk=declaration.pk)
            transition(declaration, to=state, by=officer, reason=reason)
    item.refresh_from_db()
    assert (item.quantity, item.reserved) == (100, 0)
    assert StockDraw.objects.get(declaration=declaration).state == DrawState.RELEASED


def test_an_amendment_reserves_again_what_the_amended_lines_take(declarant_a):
    from declarations.testing import declaration_payload, parse

    item = stock_in(declarant_a, "100")
    declaration = submit_declaration(_exit(declarant_a, item, "30"), declarant_a)
    lines = [{"hs_code": NOODLES, "description": "Mì ăn liền", "origin_country": "CN",
              "quantity": "45", "unit_price": "2.00"}]
    payload = declaration_payload(lines=lines, regime="C12", flow="export",
                                  bonded_warehouse="20BBW01")
    declaration_services.declaration_amend(declaration=declaration, user=declarant_a,
                                           data=parse(payload), reason="Sửa số lượng")
    item.refresh_from_db()
    assert item.reserved == 45
    assert StockDraw.objects.get(declaration=declaration).quantity == 45


def test_registration_is_refused_when_the_stock_is_not_there_and_writes_nothing(declarant_a):
    item = stock_in(declarant_a, "100")
    first = _exit(declarant_a, item, "80")
    second = _exit(declarant_a, item, "30")  # checked on the draft: 30 of 100 available
    submit_declaration(first, declarant_a)
    before = _snapshot()
    with pytest.raises(StateConflict) as refused:
        submit_declaration(second, declarant_a)
    assert refused.value.code == "insufficient_stock"
    assert "30" in refused.value.message and "20" in refused.value.message
    assert Declaration.objects.get(pk=second.pk).state == S.DRAFT
    assert _snapshot() == before


def test_an_exit_must_name_the_stock_of_every_line(declarant_a):
    stock_in(declarant_a, "100")
    draft = bonded_draft(declarant_a, regime="C12", quantities=("10",))
    with pytest.raises(FieldErrors) as refused:
        submit_declaration(draft, declarant_a)
    assert "stock_item" in refused.value.fields["lines"]["1"]
    assert Declaration.objects.get(pk=draft.pk).state == S.DRAFT


def test_naming_more_than_the_balance_is_refused(declarant_a):
    item = stock_in(declarant_a, "100")
    before = _snapshot()
    with pytest.raises(StateConflict) as refused:
        _exit(declarant_a, item, "100.001")
    assert refused.value.code == "insufficient_stock"
    assert _snapshot()[:2] == before[:2] and not StockDraw.objects.exists()


def test_another_owners_goods_cannot_be_named(declarant_a, declarant_b):
    theirs = stock_in(declarant_a, "100")
    draft = bonded_draft(declarant_b, regime="C12", quantities=("10",))
    with pytest.raises(FieldErrors) as refused, translation.override("en"):
        services.draws_name(declaration=draft, user=declarant_b,
                            draws=[{"line_no": 1, "stock_item": theirs.pk}])
    message = refused.value.fields["lines"]["1"]["stock_item"][0]
    assert str(theirs.pk) in message and "enterprise" in message
    assert not StockDraw.objects.exists()


@pytest.mark.parametrize("regime, flow", [("C11", "import"), ("B11", "export")])
def test_a_declaration_of_the_wrong_regime_cannot_draw(declarant_a, regime, flow):
    item = stock_in(declarant_a, "100")
    draft = bonded_draft(declarant_a, regime=regime, flow=flow, quantities=("10",))
    with pytest.raises(ApplicationError) as refused:
        services.draws_name(declaration=draft, user=declarant_a,
                            draws=[{"line_no": 1, "stock_item": item.pk}])
    assert refused.value.code == "wrong_regime" and regime in refused.value.message
    assert not StockDraw.objects.exists()


def test_an_export_regime_naming_a_warehouse_is_refused_at_registration(declarant_a):
    draft = bonded_draft(declarant_a, regime="B11", quantities=("10",))
    with pytest.raises(ApplicationError) as refused:
        submit_declaration(draft, declarant_a)
    assert refused.value.code == "wrong_regime"


def test_the_line_must_match_the_lot(declarant_a):
    item = stock_in(declarant_a, "100")
    draft = bonded_draft(declarant_a, regime="C12", quantities=("10",), hs_code="17049099")
    with pytest.raises(FieldErrors) as refused:
        services.draws_name(declaration=draft, user=declarant_a,
                            draws=[{"line_no": 1, "stock_item": item.pk}])
    assert NOODLES in refused.value.fields["lines"]["1"]["stock_item"][0]


def _suspend(code="20BBW01"):
    BondedWarehouse.objects.filter(code=code).update(
        suspended_since=timezone.localdate(), suspension_reason="Kiểm tra")


def test_a_suspended_warehouse_takes_nothing_in_and_lets_nothing_out(declarant_a):
    item = stock_in(declarant_a, "100")
    draft_exit = _exit(declarant_a, item, "10")
    draft_entry = bonded_draft(declarant_a, quantities=("5",))
    _suspend()
    before = _snapshot()
    for draft in (draft_exit, draft_entry):
        with pytest.raises(StateConflict) as refused:
            submit_declaration(draft, declarant_a)
        assert refused.value.code == "warehouse_not_active"
        assert "20BBW01" in refused.value.message
    with pytest.raises(StateConflict):
        _exit(declarant_a, item, "10")
    assert _snapshot() == before


def test_an_expired_licence_is_a_status_computed_from_the_dates(reference_data):
    warehouse = BondedWarehouse.objects.get(code="20BBW01")
    warehouse.licence_valid_to = date(2026, 6, 30)
    assert warehouse.status_on(date(2026, 6, 30)) == "active"
    assert warehouse.status_on(date(2026, 7, 1)) == "licence_expired"
    warehouse.suspended_since = date(2026, 3, 1)
    assert warehouse.status_on(date(2026, 3, 1)) == "suspended"


def test_goods_cleared_after_a_suspension_wait_for_an_officer(declarant_a, supervisor):
    item = stock_in(declarant_a, "100")
    exit_ = submit_declaration(_exit(declarant_a, item, "25"), declarant_a)
    entry = submit_declaration(bonded_draft(declarant_a, quantities=("7",)), declarant_a)
    _suspend()
    clear(exit_, declarant_a)
    clear(entry, declarant_a)
    item.refresh_from_db()
    assert (item.quantity, item.reserved) == (100, 25)  # nothing moved
    held = {h.kind: h for h in HeldMovement.objects.all()}
    assert set(held) == {"in", "out"} and held["out"].why == "suspended"
    with pytest.raises(FieldErrors):
        services.held_apply(held=held["out"], user=supervisor, reason=" ")
    services.held_apply(held=held["out"], user=supervisor, reason="Quyết định 15/QĐ: cho xuất")
    services.held_apply(held=held["in"], user=supervisor, reason="Quyết định 16/QĐ: cho nhập")
    item.refresh_from_db()
    assert (item.quantity, item.reserved) == (75, 0)
    entered = StockItem.objects.get(entry_declaration=entry)
    assert entered.quantity == 7 and ledger_sum(entered) == 7
    with pytest.raises(StateConflict):
        services.held_apply(held=held["in"], user=supervisor, reason="again")
    assert StockDraw.objects.get(declaration=exit_).state == DrawState.DRAWN


def test_officer_adjustments_need_a_reason_and_never_take_reserved_goods(declarant_a,
                                                                         supervisor):
    item = stock_in(declarant_a, "100")
    submit_declaration(_exit(declarant_a, item, "90"), declarant_a)
    with pytest.raises(FieldErrors):
        services.stock_adjust(item=item, user=supervisor, quantity=Decimal(-1), reason="")
    with pytest.raises(StateConflict):
        services.stock_adjust(item=item, user=supervisor, quantity=Decimal(-11),
                              reason="Hao hụt")
    services.stock_adjust(item=item, user=supervisor, quantity=Decimal(-10), reason="Hao hụt")
    services.stock_adjust(item=item, user=supervisor, quantity=Decimal("2.5"),
                          reason="Kiểm kê thừa")
    item.refresh_from_db()
    assert (item.quantity, item.reserved) == (Decimal("92.5"), 90)
    assert ledger_sum(item) == item.quantity


def test_an_enterprise_may_not_adjust_transfer_or_extend(declarant_a):
    item = stock_in(declarant_a, "100")
    for call in (lambda: services.stock_adjust(item=item, user=declarant_a, quantity=1,
                                               reason="x"),
                 lambda: services.term_extend(item=item, user=declarant_a,
                                              until=date(2040, 1, 1), reason="x")):
        with pytest.raises(PermissionDenied):
            call()


def test_a_transfer_moves_out_and_in_in_one_transaction(declarant_a, supervisor):
    item = stock_in(declarant_a, "100")
    target = BondedWarehouse.objects.get(code="20BBW02")
    out, into = services.stock_transfer(item=item, user=supervisor, to_warehouse=target,
                                        quantity=Decimal(40), reason="Chuyển kho lạnh")
    moved = StockItem.objects.get(warehouse=target)
    item.refresh_from_db()
    assert (item.quantity, moved.quantity) == (60, 40)
    assert (moved.lot, moved.term_until, moved.owner_id) == (item.lot, item.term_until,
                                                              item.owner_id)
    assert out.transfer == into.transfer and out.quantity == -40 and into.quantity == 40
    _suspend("20BBW02")
    target.refresh_from_db()
    with pytest.raises(StateConflict) as refused:
        services.stock_transfer(item=item, user=supervisor, to_warehouse=target,
                                quantity=Decimal(1), reason="x")
    assert refused.value.code == "warehouse_not_active"
    with pytest.raises(StateConflict):  # more than there is: nothing moves on either side
        services.stock_transfer(item=item, user=supervisor,
                                to_warehouse=BondedWarehouse.objects.get(code="20BBW03"),
                                quantity=Decimal(61), reason="x")
    assert not StockItem.objects.filter(warehouse__code="20BBW03", quantity__gt=0).exists()


def test_storage_terms_are_flagged_extended_and_unflagged(declarant_a, supervisor):
    from customs_core import notifications

    seen = []
    notifications.register_handler("test", seen.append)
    try:
        item = stock_in(declarant_a, "100")
        later = item.term_until + timedelta(days=1)
        assert services.stock_flag_overdue(later) == {"flagged": 1, "unflagged": 0}
        assert services.stock_flag_overdue(later) == {"flagged": 0, "unflagged": 0}
        item.refresh_from_db()
        assert item.overdue_since == later
        assert seen[0].kind == services.STOCK_OVERDUE
        assert declarant_a in seen[0].recipients
        with pytest.raises(FieldErrors):
            services.term_extend(item=item, user=supervisor, until=item.term_until,
                                 reason="x")
        services.term_extend(item=item, user=supervisor, until=later + timedelta(days=90),
                             reason="Chờ tái xuất theo hợp đồng")
        item.refresh_from_db()
        assert item.overdue_since is None  # the extension lifts the flag at once
        assert services.stock_flag_overdue(later) == {"flagged": 0, "unflagged": 0}
        assert item.extensions.get().previous_until == later - timedelta(days=1)
    finally:
        notifications.unregister_handler("test")


def test_the_ledger_refuses_update_and_the_balance_refuses_to_go_negative(declarant_a):
    item = stock_in(declarant_a, "10")
    movement = item.movements.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(reason="edited")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(quantity=Decimal(-1))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(reserved=Decimal(11))
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            StockMovement.objects.filter(pk=movement.pk).delete()
    assert StockMovement.objects.get(pk=movement.pk).reason == ""


def test_file_clear_re_export_and_read_the_monthly_report(declarant_a):
    """The issue's walk: a C11 into a warehouse, cleared; a C12 of part of it, cleared; the
    month's report (last month's stock as the opening)."""
    earlier = stock_in(declarant_a, "80")
    # Last month's entry: the row's time is the database's, so move the whole ledger row set
    # of this lot to last month by re-recording it there (the ledger refuses UPDATE).
    last_month = timezone.now().replace(day=1) - timedelta(days=3)
    opening_item = StockItem.objects.create(
        warehouse=earlier.warehouse, owner=earlier.owner, tariff_line=earlier.tariff_line,
        description="Mì ăn liền (tồn đầu kỳ)", lot="OPEN/1", unit="KGM",
        entered_on=last_month.date(), term_until=last_month.date() + timedelta(days=365))
    ledger.put(opening_item, Decimal(500), at=last_month)
    ledger.take(opening_item, Decimal(120), kind=MovementKind.ADJUSTMENT, reason="Hao hụt",
                at=last_month + timedelta(hours=1))
    exit_ = clear(submit_declaration(_exit(declarant_a, earlier, "30"), declarant_a),
                  declarant_a)
    assert exit_.state == S.CLEARED
    opening_exit = submit_declaration(_exit(declarant_a, opening_item, "100"), declarant_a)
    clear(opening_exit, declarant_a)
    rows = {r.lot: r for r in monthly_report(earlier.warehouse, timezone.localdate())}
    assert (rows["OPEN/1"].opening, rows["OPEN/1"].entered, rows["OPEN/1"].exited,
            rows["OPEN/1"].closing) == (380, 0, 100, 280)
    lot = earlier.lot
    assert (rows[lot].opening, rows[lot].entered, rows[lot].exited, rows[lot].closing) == (
        0, 80, 30, 50)
    previous = {r.lot: r for r in monthly_report(earlier.warehouse, last_month.date())}
    assert set(previous) == {"OPEN/1"} and previous["OPEN/1"].closing == 380
