"""The declaration state machine: the table of allowed transitions and the one function that
performs them (DESIGN.md §4, STYLE.md). Nothing else writes Declaration.state."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.choices import Role
from customs_core.exceptions import StateConflict

from .choices import DeclarationErrorCode
from .choices import DeclarationState as S
from .models import Declaration, DeclarationEvent

SYSTEM = "system"  # the risk engine and automatic clearance act as the system (no user)
OFFICERS = frozenset({Role.DOC_CHECK, Role.INSPECTION, Role.TEAM_LEADER, Role.BRANCH_LEADER})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    reason_required: bool = False


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.DRAFT, S.SUBMITTED): Rule(frozenset({Role.ENTERPRISE})),
    (S.SUBMITTED, S.SCORED): Rule(frozenset({SYSTEM})),
    (S.SCORED, S.GREEN): Rule(frozenset({SYSTEM})),
    (S.SCORED, S.YELLOW): Rule(frozenset({SYSTEM})),
    (S.SCORED, S.RED): Rule(frozenset({SYSTEM})),
    (S.GREEN, S.CLEARED): Rule(frozenset({SYSTEM})),
    (S.YELLOW, S.DOC_CHECK): Rule(frozenset({Role.DOC_CHECK, Role.TEAM_LEADER})),
    (S.DOC_CHECK, S.CLEARED): Rule(frozenset({Role.DOC_CHECK, Role.TEAM_LEADER})),
    (S.DOC_CHECK, S.AMEND_REQUESTED): Rule(frozenset({Role.DOC_CHECK, Role.TEAM_LEADER}),
                                          reason_required=True),
    (S.DOC_CHECK, S.RED): Rule(frozenset({Role.DOC_CHECK, Role.TEAM_LEADER}),
                              reason_required=True),
    (S.RED, S.INSPECTION): Rule(frozenset({Role.INSPECTION, Role.TEAM_LEADER})),
    (S.INSPECTION, S.CLEARED): Rule(frozenset({Role.INSPECTION, Role.TEAM_LEADER})),
    (S.INSPECTION, S.VIOLATION): Rule(frozenset({Role.INSPECTION, Role.TEAM_LEADER}),
                                      reason_required=True),
    (S.CLEARED, S.GATE_OUT): Rule(OFFICERS | {SYSTEM}),
    # Amendment: back to submitted, re-scored (VNACCS IDE/EDE); requested or on the firm's own.
    (S.AMEND_REQUESTED, S.SUBMITTED): Rule(frozenset({Role.ENTERPRISE})),
    (S.SUBMITTED, S.SUBMITTED): Rule(frozenset({Role.ENTERPRISE}), reason_required=True),
    (S.DRAFT, S.CANCELLED): Rule(frozenset({Role.ENTERPRISE})),
    (S.SUBMITTED, S.CANCELLED): Rule(frozenset({Role.ENTERPRISE}), reason_required=True),
    (S.AMEND_REQUESTED, S.CANCELLED): Rule(frozenset({Role.ENTERPRISE}), reason_required=True),
}


def allowed_targets(state: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == state]


def actor_role(user) -> str:
    return SYSTEM if user is None else user.role


def transition(declaration: Declaration, *, to: str, by, reason: str = "",
               data: dict | None = None, **fields) -> Declaration:
    """Move a declaration from its current state to `to` with one conditional UPDATE + one event.

    `by` is the acting user (None for the system). Extra `fields` are written in the same
    UPDATE (number, channel, cleared_at...). Zero rows updated means someone moved it first.
    """
    current = declaration.state
    rule = TRANSITIONS.get((current, to))
    if rule is None:
        raise StateConflict(
            _("A declaration in state “%(state)s” cannot move to “%(to)s”.")
            % {"state": S(current).label, "to": S(to).label},
            code=DeclarationErrorCode.WRONG_STATE, current_state=current)
    if actor_role(by) not in rule.roles:
        raise PermissionDenied(_("Your role may not do this."))
    if rule.reason_required and not reason.strip():
        from django.core.exceptions import ValidationError

        raise ValidationError({"reason": [_("A reason is required.")]})
    now = timezone.now()
    with transaction.atomic():
        updated = Declaration.objects.filter(pk=declaration.pk, state=current,
                                             version=declaration.version).update(
            state=to, version=F("version") + 1, updated_at=now, **fields)
        if updated == 0:
            fresh = Declaration.objects.filter(pk=declaration.pk).values_list("state", flat=True)
            raise StateConflict(_("Someone else changed this declaration first."),
                                code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE,
                                current_state=fresh.first() or "")
        DeclarationEvent.objects.create(declaration=declaration, from_state=current, to_state=to,
                                        actor=by, reason=reason, data=data or {}, at=now)
    declaration.state = to
    declaration.version += 1
    declaration.updated_at = now
    for name, value in fields.items():
        setattr(declaration, name, value)
    return declaration
