"""The only writes of stock balances: each a conditional UPDATE that the database applies or
refuses as one statement, plus its ledger row, inside the caller's transaction.

    UPDATE stock_item SET quantity = quantity - 3 WHERE id = 7 AND quantity - reserved >= 3

Fifty concurrent withdrawals of 3 from 100 cannot both read 4 and both take 3: the second
UPDATE waits for the first's row lock, re-reads the row and no longer matches, so exactly 33
succeed. The CHECK constraints (quantity >= 0, reserved <= quantity) are the last line behind
it. Quantities are rounded to the column's 3 decimals in SQL, so SQLite's floating arithmetic
(development) agrees with PostgreSQL's exact NUMERIC.
"""

import uuid
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from customs_core.exceptions import StateConflict
from customs_core.money import format_number

from .choices import MovementKind, WarehouseErrorCode
from .models import StockItem, StockMovement

STEP = Decimal("0.001")


def _update(sql_set: str, sql_where: str, params: list) -> tuple | None:
    """Run one conditional UPDATE of a stock item; the row's (quantity, reserved) after it, or
    None when the condition did not hold."""
    table = StockItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sql_set}, updated_at = CURRENT_TIMESTAMP "
                       f"WHERE {sql_where} RETURNING quantity, reserved", params)
        row = cursor.fetchone()
    return None if row is None else (Decimal(str(row[0])).quantize(STEP),
                                     Decimal(str(row[1])).quantize(STEP))


def shortfall(item: StockItem, wanted: Decimal) -> StateConflict:
    """409 insufficient_stock, with the lot and the figures (every refusal of stock says it
    this way: a draft's check, a reservation, a withdrawal)."""
    return StateConflict(
        _("Not enough stock in lot %(lot)s: %(wanted)s %(unit)s asked, %(available)s "
          "available.") % {"lot": item.lot, "wanted": format_number(wanted), "unit": item.unit,
                           "available": format_number(item.available)},
        code=WarehouseErrorCode.INSUFFICIENT_STOCK)


def _short(item_id: int, quantity: Decimal) -> StateConflict:
    """The refusal of a conditional UPDATE that matched no row: the lot as it is now."""
    return shortfall(StockItem.objects.only("lot", "quantity", "reserved", "unit")
                     .get(pk=item_id), quantity)


def _record(item: StockItem, kind: str, delta: Decimal, balance: Decimal, **fields):
    movement = StockMovement(item=item, warehouse_id=item.warehouse_id, kind=kind,
                             quantity=delta, balance_after=balance, **fields)
    if StockItem.warehouse.is_cached(item):  # the answer names it: no query to find it again
        movement.warehouse = item.warehouse
    movement.save(force_insert=True)
    return movement


def put(item: StockItem, quantity: Decimal, *, kind: str = MovementKind.IN,
        **fields) -> StockMovement:
    """Goods enter: the balance grows by `quantity` (> 0)."""
    after = _update("quantity = ROUND(quantity + %s, 3)", "id = %s", [quantity, item.pk])
    item.quantity, item.reserved = after
    return _record(item, kind, quantity, item.quantity, **fields)


def take(item: StockItem, quantity: Decimal, *, kind: str = MovementKind.OUT,
         reserved: bool = False, **fields) -> StockMovement:
    """Goods leave: the balance shrinks by `quantity` (> 0) if that much is available (or, with
    `reserved`, was reserved for this exit); 409 insufficient_stock otherwise."""
    if reserved:
        after = _update("quantity = ROUND(quantity - %s, 3), reserved = ROUND(reserved - %s, 3)",
                        "id = %s AND ROUND(reserved - %s, 3) >= 0",
                        [quantity, quantity, item.pk, quantity])
    else:
        after = _update("quantity = ROUND(quantity - %s, 3)",
                        "id = %s AND ROUND(quantity - reserved - %s, 3) >= 0",
                        [quantity, item.pk, quantity])
    if after is None:
        raise _short(item.pk, quantity)
    item.quantity, item.reserved = after
    return _record(item, kind, -quantity, item.quantity, **fields)


def reserve(item_id: int, quantity: Decimal) -> None:
    """Hold `quantity` of the available stock for a registered exit; 409 if not there."""
    if _update("reserved = ROUND(reserved + %s, 3)",
               "id = %s AND ROUND(quantity - reserved - %s, 3) >= 0",
               [quantity, item_id, quantity]) is None:
        raise _short(item_id, quantity)


def unreserve(item_id: int, quantity: Decimal) -> None:
    """Give a reservation back (cancelled, seized, or amended before clearance)."""
    if _update("reserved = ROUND(reserved - %s, 3)", "id = %s AND ROUND(reserved - %s, 3) >= 0",
               [quantity, item_id, quantity]) is None:
        raise StateConflict(_("This reservation was already given back."),
                            code="reservation_gone")


def move(item: StockItem, target: StockItem, quantity: Decimal, **fields) -> tuple:
    """A transfer: out of one warehouse and into another, one transaction, one transfer id.
    Both rows are locked in id order first, so two opposite transfers cannot deadlock."""
    list(StockItem.objects.select_for_update().filter(pk__in=[item.pk, target.pk])
         .order_by("pk").values_list("pk", flat=True))
    transfer = uuid.uuid4()
    out = take(item, quantity, kind=MovementKind.TRANSFER_OUT, transfer=transfer, **fields)
    into = put(target, quantity, kind=MovementKind.TRANSFER_IN, transfer=transfer, **fields)
    return out, into
