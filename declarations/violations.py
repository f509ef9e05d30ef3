"""Recording a violation: the one writer of `Violation` rows, for every checker (document
check, physical inspection, post-clearance audit). It does not move the declaration: the
checker's own service does that with transition() in the same transaction (a document check
or an inspection moves it to `violation`; an audit finds it already released)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.exceptions import StateConflict
from customs_core.models import User
from customs_core.roles import DOC_CHECK_ROLES, FRONTLINE_ROLES, INSPECTION_ROLES

from .choices import CheckResult, DeclarationErrorCode, FoundDuring, ViolationType
from .choices import DeclarationState as S
from .models import CheckOutcome, Declaration, GoodsLine, Violation

# Which check may find a violation in which state, and who does that check.
FOUND_IN = {
    FoundDuring.DOC_CHECK: (frozenset({S.DOC_CHECK}), DOC_CHECK_ROLES),
    FoundDuring.INSPECTION: (frozenset({S.INSPECTION}), INSPECTION_ROLES),
    FoundDuring.POST_CLEARANCE_AUDIT: (frozenset({S.CLEARED, S.GATE_OUT}), FRONTLINE_ROLES),
}


@transaction.atomic
def violation_record(*, declaration: Declaration, found_by: User, violation_type: str,
                     description: str, found_during: str, penalty_vnd: Decimal = Decimal(0),
                     penalty_decision_number: str = "",
                     goods_line: GoodsLine | None = None) -> Violation:
    """Record a violation found on `declaration` by `found_by` during a check."""
    if found_during not in FOUND_IN:
        raise ValidationError({"found_during": [_("Unknown check.")]})
    states, roles = FOUND_IN[found_during]
    if getattr(found_by, "role", None) not in roles:
        raise PermissionDenied(_("Your role may not record this violation."))
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.state not in states:
        raise StateConflict(_("A violation of this check cannot be recorded in this state."),
                            code=DeclarationErrorCode.WRONG_STATE,
                            current_state=declaration.state)
    errors = {}
    if violation_type not in ViolationType.values:
        errors["violation_type"] = [_("Unknown type of violation.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what was found.")]
    if penalty_vnd is None or penalty_vnd < 0 or penalty_vnd != penalty_vnd.to_integral_value():
        errors["penalty_vnd"] = [_("A penalty is a whole, non-negative amount of VND.")]
    if goods_line is not None and goods_line.declaration_id != declaration.pk:
        errors["goods_line"] = [_("This goods line belongs to another declaration.")]
    if errors:
        raise ValidationError(errors)
    return Violation.objects.create(
        declaration=declaration, enterprise_id=declaration.enterprise_id, goods_line=goods_line,
        line_no=goods_line.line_no if goods_line else None, violation_type=violation_type,
        description=description.strip(), penalty_vnd=penalty_vnd,
        penalty_decision_number=penalty_decision_number.strip(), found_by=found_by,
        found_at=timezone.now(), found_during=found_during)


@transaction.atomic
def check_outcome_record(*, declaration: Declaration, check_kind: str, outcome: str,
                         decided_by: User | None, examined: str = "",
                         share_percent: int | None = None) -> CheckOutcome:
    """How a check ended (conform, or violations found) and what it examined: the label the
    risk engine learns from."""
    if check_kind not in FoundDuring.values:
        raise ValidationError({"check_kind": [_("Unknown check.")]})
    if outcome not in CheckResult.values:
        raise ValidationError({"outcome": [_("Unknown outcome.")]})
    if share_percent is not None and not 1 <= share_percent <= 100:
        raise ValidationError({"share_percent": [_("A share from 1 to 100%.")]})
    return CheckOutcome.objects.create(
        declaration=declaration, enterprise_id=declaration.enterprise_id, check_kind=check_kind,
        outcome=outcome, examined=examined[:200], share_percent=share_percent,
        decided_by=decided_by, decided_at=timezone.now())


@transaction.atomic
def violation_penalty_pay(*, violation: Violation, reference: str, by: User) -> Violation:
    """Record that a violation's penalty was paid (treasury or bank reference)."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": [_("Give the payment reference.")]})
    updated = Violation.objects.filter(pk=violation.pk, penalty_paid_at__isnull=True).update(
        penalty_paid_reference=reference[:64], penalty_paid_at=timezone.now())
    if not updated:
        raise StateConflict(_("This penalty was already paid."),
                            code=DeclarationErrorCode.NOTHING_TO_PAY,
                            current_state=violation.declaration.state)
    violation.refresh_from_db()
    return violation


def violations_settled(declaration: Declaration) -> bool:
    """Every penalty of the declaration's violations is paid."""
    return not Violation.objects.filter(declaration=declaration, penalty_vnd__gt=0,
                                        penalty_paid_at__isnull=True).exists()
