"""Writes of the reporting app: the branch leader's revenue targets. (Rollups are written by
reporting.rollups only.)"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from customs_core.models import CustomsOffice
from customs_core.roles import BRANCH_LEADER_ROLES

from .models import RevenueTarget

FIRST_YEAR, LAST_YEAR = 2000, 2100


@transaction.atomic
def revenue_target_set(*, office: CustomsOffice, year: int, amount_vnd: Decimal,
                       by) -> RevenueTarget:
    """Set (or replace) an office's budget revenue target for a year: branch leaders only."""
    if by.role not in BRANCH_LEADER_ROLES:
        raise PermissionDenied(_("Only a branch leader sets revenue targets."))
    errors = {}
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [_("A year between %(first)s and %(last)s.")
                          % {"first": FIRST_YEAR, "last": LAST_YEAR}]
    if amount_vnd is None or not amount_vnd.is_finite() or amount_vnd <= 0 \
            or amount_vnd != amount_vnd.to_integral_value() or amount_vnd >= 10 ** 20:
        errors["amount_vnd"] = [_("A whole, positive amount of VND.")]
    if errors:
        raise ValidationError(errors)
    target, _created = RevenueTarget.objects.update_or_create(
        office=office, year=year, defaults={"amount_vnd": amount_vnd, "updated_by": by})
    return target
