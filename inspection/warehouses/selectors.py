"""Reads of bonded-warehouse supervision, scoped per user: officers see every warehouse; an
enterprise sees the warehouses it operates (all their stock) and its own goods wherever they
are held, nothing else (a warehouse or item outside that is 404, as if it did not exist)."""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from customs_core.models import BondedWarehouse, User

from .models import HeldMovement, StockDraw, StockItem, StockMovement


def _enterprise_id(user: User) -> int | None:
    return None if getattr(user, "is_officer", False) else (user.enterprise_id or -1)


def warehouses_visible_to(user: User) -> QuerySet:
    warehouses = BondedWarehouse.objects.select_related("office", "operator").order_by("code")
    enterprise = _enterprise_id(user)
    if enterprise is None:
        return warehouses
    owns_stock = StockItem.objects.filter(warehouse=OuterRef("pk"), owner_id=enterprise)
    return warehouses.filter(Q(operator_id=enterprise) | Exists(owns_stock))


def warehouse_get_for(user: User, code: str) -> BondedWarehouse:
    warehouse = warehouses_visible_to(user).filter(code=code).first()
    if warehouse is None:
        raise Http404
    return warehouse


def stock_visible_to(user: User) -> QuerySet:
    items = StockItem.objects.select_related("warehouse", "owner", "tariff_line")
    enterprise = _enterprise_id(user)
    if enterprise is None:
        return items
    return items.filter(Q(owner_id=enterprise) | Q(warehouse__operator_id=enterprise))


def stock_item_get_for(user: User, pk) -> StockItem:
    item = stock_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def may_see_every_owner(user: User, warehouse: BondedWarehouse) -> bool:
    """Officers and the warehouse's operator see all of its stock; an owner only its own."""
    enterprise = _enterprise_id(user)
    return enterprise is None or warehouse.operator_id == enterprise


def movements_visible_to(user: User) -> QuerySet:
    movements = StockMovement.objects.select_related("item", "item__owner", "warehouse",
                                                     "declaration", "actor")
    enterprise = _enterprise_id(user)
    if enterprise is None:
        return movements
    return movements.filter(Q(item__owner_id=enterprise) | Q(warehouse__operator_id=enterprise))


def overdue_visible_to(user: User, today: date | None = None) -> QuerySet:
    """Goods flagged as held past their storage term (the beat task flags them)."""
    return (stock_visible_to(user).filter(overdue_since__isnull=False, quantity__gt=0)
            .order_by("term_until", "pk"))


def held_visible_to(user: User) -> QuerySet:
    held = HeldMovement.objects.select_related("item", "item__warehouse", "item__owner",
                                               "declaration", "decided_by")
    enterprise = _enterprise_id(user)
    if enterprise is None:
        return held
    return held.filter(Q(item__owner_id=enterprise) | Q(item__warehouse__operator_id=enterprise))


def draws_of(declaration) -> list[StockDraw]:
    return list(StockDraw.objects.filter(declaration=declaration)
                .select_related("item", "item__tariff_line").order_by("line_no"))


def available_for(declaration) -> QuerySet:
    """What the declaring enterprise may draw on in the declaration's warehouse: its own
    goods with some stock available, oldest lot first (first in, first out)."""
    return (StockItem.objects.filter(warehouse_id=declaration.bonded_warehouse_id,
                                     owner_id=declaration.enterprise_id, quantity__gt=0)
            .select_related("tariff_line").order_by("entered_on", "pk"))
