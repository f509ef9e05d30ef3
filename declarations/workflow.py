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
from customs_core.choices import Role
from customs_core.exceptions import StateConflict

from .choices import DeclarationErrorCode
from .choices import DeclarationState as S
from .models import Declaration, DeclarationEvent

SYSTEM = "system"  # the risk engine and automatic clearance act as the system (no user)
OFFICERS = frozenset({Role.DOC_CHECK, Role.INSPECTION, Role.TEAM_LEADER, Role.BRANCH_LEADER})
RAISERS = OFFICERS | {Role.RISK}


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
    # Channel overrides before the check starts: any officer raises with a reason; lowering
    # is the branch leader's approval of an officer's request (risk/services.py).
    (S.GREEN, S.YELLOW): Rule(RAISERS, reason_required=True),
    (S.GREEN, S.RED): Rule(RAISERS, reason_required=True),
    (S.YELLOW, S.RED): Rule(RAISERS, reason_required=True),
    (S.RED, S.YELLOW): Rule(frozenset({Role.BRANCH_LEADER}), reason_required=True),
    (S.RED, S.GREEN): Rule(frozenset({Role.BRANCH_LEADER}), reason_required=True),
    (S.YELLOW, S.GREEN): Rule(frozenset({Role.BRANCH_LEADER}), reason_required=True),
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
    if not updated:  # raised outside the block: nothing was written, nothing to roll back
        fresh = Declaration.objects.filter(pk=declaration.pk).values_list("state", flat=True)
        raise StateConflict(_("Someone else changed this declaration first."),
                            code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE,
                            current_state=fresh.first() or "")
    declaration.state = path[-1]
    declaration.version += 1
    declaration.updated_at = now
    for name, value in fields.items():
        setattr(declaration, name, value)
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
    if updated != len(declarations):  # the caller's transaction rolls the partial UPDATE back
        raise StateConflict(_("Someone else changed this declaration first."),
                            code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE)
    for d in declarations:
        d.state, d.version, d.updated_at = path[-1], d.version + 1, now
        for name, value in fields.items():
            setattr(d, name, value)
