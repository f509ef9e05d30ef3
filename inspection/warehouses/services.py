"""Writes of bonded-warehouse supervision: what declarations do to stock (state-change
subscribers, registered in extensions.py), what an enterprise names on its exit declaration,
and the officers' decisions (adjustments, transfers, storage-term extensions, goods held by a
warehouse that may not move them). Every balance change goes through ledger.py."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core import notifications
from customs_core.exceptions import ApplicationError, FieldErrors, StateConflict
from customs_core.models import BondedWarehouse, User
from customs_core.roles import WAREHOUSE_SUPERVISOR_ROLES
from declarations.choices import DeclarationState as S
from declarations.models import Declaration, GoodsLine

from . import ledger, rules
from .choices import DrawState, HeldState, MovementKind, WarehouseErrorCode
from .models import HeldMovement, StockDraw, StockItem, StockMovement, TermExtension
from .rules import INTO, OUT_OF

STOCK_OVERDUE = "bonded_stock_overdue"
MAX_REASON = 2000


def _require_supervisor(user: User) -> None:
    if getattr(user, "role", None) not in WAREHOUSE_SUPERVISOR_ROLES:
        raise PermissionDenied(_("Only the branch's supervising officers change bonded stock."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": [_("An officer's decision on bonded stock gives its "
                                        "reason.")]})
    if len(reason) > MAX_REASON:
        raise FieldErrors({"reason": [_("At most %(n)d characters.") % {"n": MAX_REASON}]})
    return reason


def _positive(quantity: Decimal, field: str = "quantity") -> Decimal:
    if quantity is None or quantity <= 0:
        raise FieldErrors({field: [_("Must be greater than zero.")]})
    return quantity


# --- What a declaration names and does ----------------------------------------------------------


def _lines_of(declaration: Declaration) -> dict[int, dict]:
    return {row["line_no"]: row for row in GoodsLine.objects.filter(declaration=declaration)
            .values("line_no", "tariff_line_id", "description", "quantity", "unit")}


def _checked(declaration: Declaration, lines: dict[int, dict], items: dict[int, StockItem], *,
             every_line: bool) -> list[tuple[int, StockItem, Decimal]]:
    """(line_no, item, quantity) for each line that names stock, or 400 with every problem on
    its line; then 409 when an item has less available than its lines draw together."""
    errors: dict = {}

    def fail(line_no, message):
        errors.setdefault(str(line_no), {}).setdefault("stock_item", []).append(message)

    checked = []
    for line_no, line in sorted(lines.items()):
        item = items.get(line_no)
        if item is None:
            if every_line:
                fail(line_no, _("Name the bonded stock this line takes out."))
            continue
        if item.warehouse_id != declaration.bonded_warehouse_id:
            fail(line_no, _("Stock item %(id)s is not in the warehouse this declaration names.")
                 % {"id": item.pk})
        elif item.tariff_line_id != line["tariff_line_id"]:
            fail(line_no, _("Stock item %(id)s holds HS %(stock)s; this line declares another "
                            "HS code.") % {"id": item.pk, "stock": item.tariff_line.hs_code})
        elif item.unit != line["unit"]:
            fail(line_no, _("Stock item %(id)s is counted in %(unit)s; declare the line in the "
                            "same unit.") % {"id": item.pk, "unit": item.unit})
        else:
            checked.append((line_no, item, line["quantity"]))
    for line_no in sorted(set(items) - set(lines)):
        fail(line_no, _("The declaration has no goods line %(n)s.") % {"n": line_no})
    if errors:
        raise FieldErrors({"lines": errors})
    wanted: dict[int, Decimal] = {}
    for _line_no, item, quantity in checked:
        wanted[item.pk] = wanted.get(item.pk, Decimal(0)) + quantity
    for _line_no, item, _quantity in checked:
        if wanted[item.pk] > item.available:
            raise ledger.shortfall(item, wanted[item.pk])
    return checked


def _items_of_owner(declaration: Declaration, ids) -> dict[int, StockItem]:
    return {item.pk: item for item in StockItem.objects.filter(
        pk__in=ids, owner_id=declaration.enterprise_id).select_related("tariff_line")}


def draws_name(*, declaration: Declaration, user: User, draws: list[dict]) -> list[StockDraw]:
    """The enterprise names, per goods line of its draft exit declaration, the stock the line
    takes out (replacing what it named before). Checked now against today's stock; reserved
    only when the declaration is registered."""
    if not getattr(user, "is_declarant", False) or user.enterprise_id != declaration.enterprise_id:
        raise PermissionDenied(_("Only the declaring enterprise names the stock it draws on."))
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.state != S.DRAFT:
            raise StateConflict(_("Stock is named on a draft; amend the declaration to change "
                                  "it."), code=WarehouseErrorCode.NOT_A_DRAFT,
                                current_state=declaration.state)
        direction = rules.bond_direction(declaration)
        if direction != OUT_OF:
            raise rules.wrong_regime(declaration)
        rules.require_active(declaration.bonded_warehouse, on=timezone.localdate(),
                             going=OUT_OF)
        named = {int(d["line_no"]): d["stock_item"] for d in draws}
        if len(named) != len(draws):
            raise FieldErrors({"draws": [_("A goods line is named twice.")]})
        owned = _items_of_owner(declaration, named.values())
        errors = {str(n): {"stock_item": [_("No stock item %(id)s of this enterprise is in "
                                            "bond.") % {"id": pk}]}
                  for n, pk in named.items() if pk not in owned}
        if errors:
            raise FieldErrors({"lines": errors})
        items = {n: owned[pk] for n, pk in named.items()}
        checked = _checked(declaration, _lines_of(declaration), items, every_line=False)
        StockDraw.objects.filter(declaration=declaration).delete()
        StockDraw.objects.bulk_create([
            StockDraw(declaration=declaration, line_no=n, item=item, quantity=quantity)
            for n, item, quantity in checked])
    return list(StockDraw.objects.filter(declaration=declaration).select_related("item"))


def _give_back(declaration: Declaration, *, to: str) -> None:
    for draw in StockDraw.objects.filter(declaration=declaration, state=DrawState.RESERVED):
        ledger.unreserve(draw.item_id, draw.quantity)
        draw.state = to
        draw.save(update_fields=["state", "updated_at"])


def _registered(change) -> None:
    declaration = change.declaration
    if change.from_state != S.DRAFT:  # an amendment: what it held is checked again
        _give_back(declaration, to=DrawState.NAMED)
    direction = rules.bond_direction(declaration)
    if direction is None:
        if change.from_state != S.DRAFT:
            StockDraw.objects.filter(declaration=declaration).delete()
        return
    if direction not in (INTO, OUT_OF):
        raise rules.wrong_regime(declaration)
    warehouse = BondedWarehouse.objects.get(pk=declaration.bonded_warehouse_id)
    rules.require_active(warehouse, on=timezone.localdate(), going=direction)
    if direction == INTO:
        return
    lines = _lines_of(declaration)
    draws = {d.line_no: d for d in StockDraw.objects.filter(declaration=declaration)
             .select_related("item__tariff_line")}
    checked = _checked(declaration, lines, {n: d.item for n, d in draws.items()},
                       every_line=True)
    # Items in id order: two declarations drawing on the same two lots cannot deadlock.
    for line_no, item, quantity in sorted(checked, key=lambda c: (c[1].pk, c[0])):
        ledger.reserve(item.pk, quantity)
        draw = draws[line_no]
        draw.quantity, draw.state = quantity, DrawState.RESERVED
        draw.save(update_fields=["quantity", "state", "updated_at"])


def on_registered(changes) -> None:
    """Subscriber (many) on entering "submitted": registration or an amendment. A declaration
    into a warehouse that takes nothing in, or drawing stock that is not there, is refused
    with the transition (the enterprise gets the reason); an exit's stock is reserved."""
    for change in changes:
        if change.declaration.bonded_warehouse_id or change.from_state != S.DRAFT:
            _registered(change)


def entry_item(declaration: Declaration, line: dict, on: date) -> StockItem:
    item, _created = StockItem.objects.get_or_create(
        warehouse_id=declaration.bonded_warehouse_id, owner_id=declaration.enterprise_id,
        tariff_line_id=line["tariff_line_id"], description=line["description"],
        lot=f"{declaration.number}/{line['line_no']}",
        defaults={"unit": line["unit"], "entry_declaration": declaration, "entered_on": on,
                  "term_until": rules.storage_term_until(on)})
    return item


def _cleared(declaration: Declaration, warehouse: BondedWarehouse, on: date) -> None:
    direction = rules.bond_direction(declaration)
    may_move = warehouse.status_on(on)
    held_because = "" if may_move == "active" else may_move
    source = {"declaration": declaration}
    if direction == INTO:
        for line in _lines_of(declaration).values():
            item = entry_item(declaration, line, on)
            if held_because:
                HeldMovement.objects.create(item=item, kind=MovementKind.IN,
                                            quantity=line["quantity"], line_no=line["line_no"],
                                            why=held_because, **source)
            else:
                ledger.put(item, line["quantity"], line_no=line["line_no"], **source)
    elif direction == OUT_OF:
        for draw in StockDraw.objects.filter(declaration=declaration,
                                             state=DrawState.RESERVED).select_related("item"):
            if held_because:
                HeldMovement.objects.create(item=draw.item, kind=MovementKind.OUT,
                                            quantity=-draw.quantity, line_no=draw.line_no,
                                            why=held_because, **source)
                draw.state = DrawState.HELD
            else:
                ledger.take(draw.item, draw.quantity, reserved=True, line_no=draw.line_no,
                            **source)
                draw.state = DrawState.DRAWN
            draw.save(update_fields=["state", "updated_at"])


def on_cleared(changes) -> None:
    """Subscriber (many) on "cleared": a C11's lines enter stock, an exit's reserved stock
    leaves; a warehouse that may not move goods today holds them for an officer instead (the
    clearance itself stands)."""
    bonded = [c.declaration for c in changes if c.declaration.bonded_warehouse_id]
    if not bonded:
        return
    warehouses = BondedWarehouse.objects.in_bulk({d.bonded_warehouse_id for d in bonded})
    on = timezone.localdate()
    for declaration in bonded:
        _cleared(declaration, warehouses[declaration.bonded_warehouse_id], on)


def on_withdrawn(changes) -> None:
    """Subscriber (many) on "cancelled" and "seized": reservations are given back."""
    for change in changes:
        if change.declaration.bonded_warehouse_id:
            _give_back(change.declaration, to=DrawState.RELEASED)


# --- Officers' decisions ------------------------------------------------------------------------


def stock_adjust(*, item: StockItem, user: User, quantity: Decimal, reason: str) -> StockMovement:
    """An officer's adjustment (a count that differs, goods destroyed or taken as samples):
    signed, never zero, with a reason; it may not take what is reserved. Allowed in a suspended
    warehouse: it is the officer's decision."""
    _require_supervisor(user)
    reason = _require_reason(reason)
    if not quantity:
        raise FieldErrors({"quantity": [_("An adjustment adds or removes some quantity.")]})
    fields = {"kind": MovementKind.ADJUSTMENT, "actor": user, "reason": reason}
    with transaction.atomic():
        if quantity > 0:
            return ledger.put(item, quantity, **fields)
        return ledger.take(item, -quantity, **fields)


def stock_transfer(*, item: StockItem, user: User, to_warehouse: BondedWarehouse,
                   quantity: Decimal, reason: str) -> tuple[StockMovement, StockMovement]:
    """Move goods to another warehouse: one transaction, out here and in there, same owner,
    item and lot; the storage term travels with them. The receiving warehouse must be active."""
    _require_supervisor(user)
    reason = _require_reason(reason)
    _positive(quantity)
    if to_warehouse.pk == item.warehouse_id:
        raise FieldErrors({"to_warehouse": [_("Choose another warehouse.")]})
    rules.require_active(to_warehouse, on=timezone.localdate(), going=INTO)
    with transaction.atomic():
        target, _created = StockItem.objects.get_or_create(
            warehouse=to_warehouse, owner_id=item.owner_id, tariff_line_id=item.tariff_line_id,
            description=item.description, lot=item.lot,
            defaults={"unit": item.unit, "entry_declaration_id": item.entry_declaration_id,
                      "entered_on": item.entered_on, "term_until": item.term_until})
        if target.unit != item.unit:
            raise ApplicationError(_("The receiving warehouse counts this lot in %(unit)s.")
                                   % {"unit": target.unit}, code="unit_mismatch",
                                   field="to_warehouse")
        return ledger.move(item, target, quantity, actor=user, reason=reason)


def term_extend(*, item: StockItem, user: User, until: date, reason: str) -> TermExtension:
    """Extend an item's storage term (each extension kept with its reason)."""
    _require_supervisor(user)
    reason = _require_reason(reason)
    with transaction.atomic():
        item = StockItem.objects.select_for_update().get(pk=item.pk)
        if until is None or until <= item.term_until:
            raise FieldErrors({"until": [_("Extend beyond the current term (%(date)s).")
                                         % {"date": item.term_until.isoformat()}]})
        extension = TermExtension.objects.create(item=item, previous_until=item.term_until,
                                                 until=until, reason=reason, officer=user)
        item.term_until = until
        if item.overdue_since and until >= timezone.localdate():
            item.overdue_since = None
        item.save(update_fields=["term_until", "overdue_since", "updated_at"])
    return extension


def held_apply(*, held: HeldMovement, user: User, reason: str) -> StockMovement:
    """An officer lets a held entry in or a held exit out of a warehouse that is not active,
    with the reason for the decision."""
    _require_supervisor(user)
    reason = _require_reason(reason)
    with transaction.atomic():
        if not HeldMovement.objects.filter(pk=held.pk, state=HeldState.WAITING).update(
                state=HeldState.APPLIED, decided_by=user, reason=reason,
                decided_at=timezone.now()):
            raise StateConflict(_("Another officer has already decided on these goods."),
                                code="already_decided", current_state=HeldState.APPLIED)
        item = StockItem.objects.get(pk=held.item_id)
        fields = {"declaration_id": held.declaration_id, "line_no": held.line_no, "actor": user,
                  "reason": reason}
        if held.kind == MovementKind.IN:
            return ledger.put(item, held.quantity, **fields)
        movement = ledger.take(item, -held.quantity, reserved=True, **fields)
        StockDraw.objects.filter(declaration_id=held.declaration_id, line_no=held.line_no,
                                 state=DrawState.HELD).update(state=DrawState.DRAWN)
        return movement


# --- Storage terms ------------------------------------------------------------------------------


def stock_flag_overdue(today: date | None = None) -> dict:
    """Flag the goods held past their storage term (and unflag those extended or gone); tell
    each owner once per term what it newly has overdue."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(StockItem.objects.select_for_update(skip_locked=True)
                   .filter(quantity__gt=0, term_until__lt=today, overdue_since__isnull=True)
                   .select_related("warehouse"))
        StockItem.objects.filter(pk__in=[i.pk for i in due]).update(overdue_since=today)
        cleared = StockItem.objects.filter(overdue_since__isnull=False).filter(
            Q(quantity=0) | Q(term_until__gte=today)).update(overdue_since=None)
        by_owner: dict[int, list[StockItem]] = {}
        for item in due:
            by_owner.setdefault(item.owner_id, []).append(item)
        people = User.objects.filter(enterprise_id__in=by_owner, is_active=True)
        for owner_id, items in by_owner.items():
            notifications.notify(
                STOCK_OVERDUE, recipients=[p for p in people if p.enterprise_id == owner_id],
                context={"lots": [f"{i.warehouse.code} {i.lot}" for i in items]},
                dedupe_key=f"stock-overdue-{owner_id}-{today.isoformat()}")
    return {"flagged": len(due), "unflagged": cleared}
