"""Test helpers: bonded declarations built through the real services and transitions, so the
subscribers move stock as they do in production."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from declarations import services as declaration_services
from declarations.choices import DeclarationState as S
from declarations.models import Declaration
from declarations.testing import declaration_payload, parse
from declarations.workflow import transition

from .models import StockItem

NOODLES = "19023040"  # LINES[0] of declarations.testing: instant noodles, counted in KGM


def bonded_draft(user, *, regime="C11", warehouse="20BBW01", quantities=("100",),
                 hs_code=NOODLES, **overrides) -> Declaration:
    """A draft C11 entry (or C12 re-export, A11 release...) with one line per quantity."""
    flow = overrides.pop("flow", "export" if regime in {"C12", "B11"} else "import")
    lines = [{"hs_code": hs_code, "description": "Mì ăn liền", "origin_country": "CN",
              "quantity": str(q), "unit_price": "2"} for q in quantities]
    payload = declaration_payload(lines=lines, regime=regime, flow=flow,
                                  bonded_warehouse=warehouse, **overrides)
    return declaration_services.declaration_create_draft(user=user, data=parse(payload))


def submit(declaration: Declaration, user) -> Declaration:
    declaration = Declaration.objects.get(pk=declaration.pk)
    declaration_services.declaration_submit(declaration=declaration, user=user)
    return Declaration.objects.get(pk=declaration.pk)


def clear(declaration: Declaration, user) -> Declaration:
    """Route green, pay what is due, clear (as the green path does)."""
    declaration = Declaration.objects.get(pk=declaration.pk)
    if declaration.state == S.SUBMITTED:
        transition(declaration, to=[S.SCORED, S.GREEN], by=None, channel="green")
        declaration = Declaration.objects.get(pk=declaration.pk)
    if declaration.outstanding_vnd > 0:
        declaration_services.declaration_pay(declaration=declaration, user=user,
                                             amount_vnd=declaration.outstanding_vnd,
                                             reference=f"KB-W{declaration.pk:08d}")
        declaration = Declaration.objects.get(pk=declaration.pk)
    if declaration.state == S.GREEN:
        transition(declaration, to=S.CLEARED, by=None, cleared_at=timezone.now())
    return Declaration.objects.get(pk=declaration.pk)


def stock_in(user, quantity="100", **kwargs) -> StockItem:
    """Goods in bond: a C11 entry filed, registered and cleared; its one lot. One transaction:
    in a transactional test the routing queued on the submission's commit would otherwise run
    (Celery eager) before `clear` and could send the entry to yellow; here it finds the entry
    cleared and does nothing."""
    with transaction.atomic():
        declaration = clear(submit(bonded_draft(user, quantities=(quantity,), **kwargs), user),
                            user)
    return StockItem.objects.get(entry_declaration=declaration)


def ledger_sum(item: StockItem) -> Decimal:
    return sum((m.quantity for m in item.movements.all()), Decimal(0))
