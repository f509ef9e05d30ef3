"""The declaration state machine: the table of allowed transitions and the one function that
performs them (DESIGN.md §4, STYLE.md). Nothing else writes Declaration.state."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.bulk import insert_rows
from customs_core.exceptions import StateConflict
from customs_core.roles import (
    BRANCH_LEADER_ROLES,
    CHANNEL_RAISER_ROLES,
    DOC_CHECK_ROLES,
    ENTERPRISE_ROLES,
    FRONTLINE_ROLES,
    INSPECTION_ROLES,
)

from . import events
from .choices import DeclarationErrorCode
from .choices import DeclarationState as S
from .models import Declaration, DeclarationEvent

SYSTEM = "system"  # the risk engine and automatic clearance act as the system (no user)
E = ENTERPRISE_ROLES
SYS = frozenset({SYSTEM})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    action: str  # what the move is called on pages and in the API (actions_for)
    reason_required: bool = False


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.DRAFT, S.SUBMITTED): Rule(E, "submit"),
    (S.SUBMITTED, S.SCORED): Rule(SYS, "route"),
    (S.SCORED, S.GREEN): Rule(SYS, "route"),
    (S.SCORED, S.YELLOW): Rule(SYS, "route"),
    (S.SCORED, S.RED): Rule(SYS, "route"),
    (S.GREEN, S.CLEARED): Rule(SYS, "clear"),
    (S.YELLOW, S.DOC_CHECK): Rule(DOC_CHECK_ROLES, "start_document_check"),
    (S.DOC_CHECK, S.CLEARED): Rule(DOC_CHECK_ROLES, "clear"),
    (S.DOC_CHECK, S.AMEND_REQUESTED): Rule(DOC_CHECK_ROLES, "request_amendment",
                                          reason_required=True),
    (S.DOC_CHECK, S.RED): Rule(DOC_CHECK_ROLES, "escalate", reason_required=True),
    # A violation the documents alone prove (wrong HS code, origin, value): the checker records
    # a Violation row (declarations.violations) and moves the declaration here; duties found
    # due are recomputed. Goods that must be seen go to red instead.
    (S.DOC_CHECK, S.VIOLATION): Rule(DOC_CHECK_ROLES, "record_violation", reason_required=True),
    (S.RED, S.INSPECTION): Rule(INSPECTION_ROLES, "start_inspection"),
    (S.INSPECTION, S.CLEARED): Rule(INSPECTION_ROLES, "clear"),
    (S.INSPECTION, S.VIOLATION): Rule(INSPECTION_ROLES, "record_violation",
                                      reason_required=True),
    # After a violation: released once the penalty and the extra duties are paid (an officer,
    # or the system when the payment settles it), or the goods are seized (terminal).
    (S.VIOLATION, S.CLEARED): Rule(DOC_CHECK_ROLES | INSPECTION_ROLES | SYS, "clear"),
    (S.VIOLATION, S.SEIZED): Rule(DOC_CHECK_ROLES | INSPECTION_ROLES, "seize",
                                  reason_required=True),
    (S.CLEARED, S.GATE_OUT): Rule(FRONTLINE_ROLES | SYS, "gate_out"),
    # Channel overrides before the check starts: any officer raises with a reason; lowering
    # is the branch leader's approval of an officer's request (risk/services.py).
    (S.GREEN, S.YELLOW): Rule(CHANNEL_RAISER_ROLES, "raise_channel", reason_required=True),
    (S.GREEN, S.RED): Rule(CHANNEL_RAISER_ROLES, "raise_channel", reason_required=True),
    (S.YELLOW, S.RED): Rule(CHANNEL_RAISER_ROLES, "raise_channel", reason_required=True),
    (S.RED, S.YELLOW): Rule(BRANCH_LEADER_ROLES, "lower_channel", reason_required=True),
    (S.RED, S.GREEN): Rule(BRANCH_LEADER_ROLES, "lower_channel", reason_required=True),
    (S.YELLOW, S.GREEN): Rule(BRANCH_LEADER_ROLES, "lower_channel", reason_required=True),
    # Amendment: back to submitted, re-scored (VNACCS IDE/EDE); requested or on the firm's own.
    (S.AMEND_REQUESTED, S.SUBMITTED): Rule(E, "amend"),
    (S.SUBMITTED, S.SUBMITTED): Rule(E, "amend", reason_required=True),
    (S.DRAFT, S.CANCELLED): Rule(E, "cancel"),
    (S.SUBMITTED, S.CANCELLED): Rule(E, "cancel", reason_required=True),
    (S.AMEND_REQUESTED, S.CANCELLED): Rule(E, "cancel", reason_required=True),
}
TERMINAL_STATES = frozenset(S.values) - {frm for frm, _ in TRANSITIONS}


def allowed_targets(state: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == state]


def actor_role(user) -> str:
    return SYSTEM if user is None else user.role


def _check(current: str, to: str, by, reason: str) -> None:
    rule = TRANSITIONS.get((current, to))
    if rule is None:
        raise StateConflict(
            _("A declaration in state “%(state)s” cannot move to “%(to)s”.")
            % {"state": S(current).label, "to": S(to).label},
            code=DeclarationErrorCode.WRONG_STATE, current_state=current)
    if actor_role(by) not in rule.roles:
        raise PermissionDenied(_("Your role may not do this."))
    if rule.reason_required and not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})


def transition(declaration: Declaration, *, to: str | list[str], by, reason: str = "",
               data: dict | None = None, **fields) -> Declaration:
    """Move a declaration from its current state to `to` with one conditional UPDATE and one
    event per step.

    `to` may be a path of several steps taken at once (the router's submitted -> scored ->
    channel); every step must be in the table. `by` is the acting user (None for the system).
    Extra `fields` are written in the same UPDATE (number, channel, cleared_at...). Zero rows
    updated means someone moved the declaration first: StateConflict (409).
    """
    path = [to] if isinstance(to, str) else list(to)
    current = declaration.state
    hops = list(zip([current, *path[:-1]], path, strict=True))
    for frm, step in hops:
        _check(frm, step, by, reason)
    now = timezone.now()
    # No savepoint: any error here aborts the caller's transaction anyway, and a savepoint
    # costs two round trips on every transition.
    with transaction.atomic(savepoint=False):
        updated = Declaration.objects.filter(pk=declaration.pk, state=current,
                                             version=declaration.version).update(
            state=path[-1], version=F("version") + 1, updated_at=now, **fields)
        if updated:
            # Steps of one path get distinct, ordered timestamps (the log is ordered by at).
            DeclarationEvent.objects.bulk_create([
                DeclarationEvent(declaration=declaration, from_state=frm, to_state=step,
                                 actor=by, reason=reason, data=data or {},
                                 at=now + timedelta(microseconds=n))
                for n, (frm, step) in enumerate(hops)])
            declaration.state = path[-1]
            declaration.version += 1
            declaration.updated_at = now
            for name, value in fields.items():
                setattr(declaration, name, value)
            # Subscribers run in this transaction: one that raises undoes the transition.
            events.notify([events.StateChange(declaration, frm, step, by, reason, data or {})
                           for frm, step in hops])
    if not updated:  # raised outside the block: nothing was written, nothing to roll back
        fresh = Declaration.objects.filter(pk=declaration.pk).values_list("state", flat=True)
        raise StateConflict(_("Someone else changed this declaration first."),
                            code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE,
                            current_state=fresh.first() or "")
    return declaration


EVENT_COLUMNS = ("declaration_id", "from_state", "to_state", "actor_id", "reason", "data", "at")


def transition_batch(declarations: list[Declaration], *, to: str | list[str], by,
                     reason: str = "", **fields) -> None:
    """transition() for declarations whose rows the caller has locked, all in one state and
    taking the same path with the same fields: one conditional UPDATE for all of them and one
    event row per step each (the router moves a batch of declarations at once)."""
    if not declarations:
        return
    path = [to] if isinstance(to, str) else list(to)
    states = {d.state for d in declarations}
    if len(states) != 1:
        raise StateConflict(_("Someone else changed this declaration first."),
                            code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE)
    current = states.pop()
    hops = list(zip([current, *path[:-1]], path, strict=True))
    for frm, step in hops:
        _check(frm, step, by, reason)
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        updated = Declaration.objects.filter(pk__in=[d.pk for d in declarations],
                                             state=current).update(
            state=path[-1], version=F("version") + 1, updated_at=now, **fields)
        if updated == len(declarations):
            actor_id = by.pk if by is not None else None
            insert_rows(DeclarationEvent, EVENT_COLUMNS, [
                (d.pk, frm, step, actor_id, reason, {}, now + timedelta(microseconds=n))
                for d in declarations for n, (frm, step) in enumerate(hops)])
            for d in declarations:
                d.state, d.version, d.updated_at = path[-1], d.version + 1, now
                for name, value in fields.items():
                    setattr(d, name, value)
            # In this transaction: a subscriber that raises undoes all.
            events.notify([events.StateChange(d, frm, step, by, reason, {})
                           for d in declarations for frm, step in hops])
    if updated != len(declarations):  # the caller's transaction rolls the partial UPDATE back
        raise StateConflict(_("Someone else changed this declaration first."),
                            code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE)


# --- what a user may do now -------------------------------------------------------------------
def actions_for(user, declaration: Declaration) -> frozenset[str]:
    """The names of the moves `user` may make on `declaration` in its current state, read
    from the table (the caller has already checked the user may see it). Pages and the API
    ask this; nothing else lists states. Moves that are not transitions (edit, pay, attach a
    document) are added by declarations.actions."""
    role = getattr(user, "role", None)
    return frozenset(rule.action for (frm, _to), rule in TRANSITIONS.items()
                     if frm == declaration.state and role in rule.roles)
