"""Bonded warehouses in the demo: the stock that the history's cleared C11 declarations put in
bond (each line a lot, entered on its clearance day), some officers' adjustments, one
warehouse suspended ten days ago (the entries cleared since wait for an
officer), and the lots past their storage term flagged as the beat task would."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from customs_core.models import BondedWarehouse, User
from declarations.choices import DeclarationState as S
from declarations.models import Declaration, GoodsLine

from . import ledger, services
from .choices import MovementKind
from .models import HeldMovement, StockItem

SUSPENDED = "20BBW08"
OFFICER = "inspector"


@transaction.atomic
def stock_seed(rng: random.Random) -> dict[str, int]:
    if StockItem.objects.exists():
        return {"lots": 0}
    today = timezone.localdate()
    suspended = BondedWarehouse.objects.filter(code=SUSPENDED).first()
    if suspended is not None and suspended.suspended_since is None:
        suspended.suspended_since = today - timedelta(days=10)
        suspended.suspension_reason = ("Giấy phép đang được xem xét lại sau kiểm tra / "
                                       "licence under review after an inspection")
        suspended.save(update_fields=["suspended_since", "suspension_reason"])
    entries = (Declaration.objects.filter(regime_id="C11", bonded_warehouse__isnull=False,
                                          state__in=[S.CLEARED, S.GATE_OUT])
               .select_related("bonded_warehouse").order_by("cleared_at"))
    lines = {}
    for line in GoodsLine.objects.filter(declaration__in=entries).values(
            "declaration_id", "line_no", "tariff_line_id", "description", "quantity", "unit"):
        lines.setdefault(line["declaration_id"], []).append(line)
    lots = held = 0
    for declaration in entries:
        on = timezone.localdate(declaration.cleared_at)
        warehouse = declaration.bonded_warehouse
        for line in lines.get(declaration.pk, []):
            item = services.entry_item(declaration, line, on)
            lots += 1
            if warehouse.status_on(on) != "active":
                HeldMovement.objects.create(item=item, kind=MovementKind.IN,
                                            quantity=line["quantity"], declaration=declaration,
                                            line_no=line["line_no"], why=warehouse.status_on(on))
                held += 1
                continue
            ledger.put(item, line["quantity"], declaration=declaration,
                       line_no=line["line_no"], at=declaration.cleared_at)
    officer = User.objects.filter(username=OFFICER).first()
    adjusted = 0
    if officer is not None:
        stocked = list(StockItem.objects.filter(quantity__gt=1).order_by("pk"))
        for item in rng.sample(stocked, min(len(stocked), 6)):
            at = timezone.now() - timedelta(days=rng.randint(1, 20))
            quantity = -(item.quantity * Decimal("0.02")).quantize(Decimal("0.001"))
            if quantity:
                ledger.take(item, -quantity, kind=MovementKind.ADJUSTMENT, actor=officer,
                            reason="Kiểm kê: hao hụt tự nhiên / stocktake: natural loss", at=at)
                adjusted += 1
    return {"lots": lots, "held": held, "adjustments": adjusted,
            **services.stock_flag_overdue(today)}


def seed(*, options: dict, progress) -> dict[str, int]:
    """Called by seed_demo after inspection (the history is cleared by then)."""
    return stock_seed(random.Random(options.get("seed") or 2017))
