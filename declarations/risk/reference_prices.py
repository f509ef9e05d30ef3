"""Risk reference unit prices: a risk officer's override of a tariff line's own reference."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record
from customs_core.choices import Role
from customs_core.models import TariffLine, User

from .models import ReferencePrice

EDITORS = frozenset({Role.RISK, Role.ADMIN})


def _tariff_line(hs_code: str) -> TariffLine:
    tariff_line = TariffLine.objects.filter(hs_code=hs_code).first()
    if tariff_line is None:
        raise ValidationError({"hs_code": [_("Unknown HS code.")]})
    return tariff_line


def _check_editor(by: User) -> None:
    if by.role not in EDITORS:
        raise PermissionDenied(_("Only a risk officer sets reference prices."))


@transaction.atomic
def reference_price_set(*, hs_code: str, price_usd: Decimal, note: str,
                        by: User) -> ReferencePrice:
    """Set (or replace) the reference unit price in USD of a tariff line."""
    _check_editor(by)
    tariff_line = _tariff_line(hs_code)
    if price_usd is None or not price_usd.is_finite() or price_usd <= 0:
        raise ValidationError({"price_usd": [_("A positive price.")]})
    old = ReferencePrice.objects.filter(tariff_line=tariff_line).first()
    price, _created = ReferencePrice.objects.update_or_create(
        tariff_line=tariff_line,
        defaults={"price_usd": price_usd, "note": note, "updated_by": by})
    record(None, AuditAction.REFERENCE_PRICE_CHANGED, tariff_line, actor=by, label=hs_code,
           details={"price_usd": {"old": old.price_usd if old else None, "new": price_usd},
                    "note": note})
    return price


@transaction.atomic
def reference_price_clear(*, hs_code: str, by: User) -> bool:
    """Remove the override: the tariff's own reference price applies again."""
    _check_editor(by)
    tariff_line = _tariff_line(hs_code)
    old = ReferencePrice.objects.filter(tariff_line=tariff_line).first()
    if old is None:
        return False
    old.delete()
    record(None, AuditAction.REFERENCE_PRICE_CHANGED, tariff_line, actor=by, label=hs_code,
           details={"price_usd": {"old": old.price_usd, "new": None}})
    return True
