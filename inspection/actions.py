"""Which actions of a check a user is offered on the pages. The services decide (and refuse
with 403/409 what is not allowed); this only keeps buttons off the page that would be refused,
from the same role sets and states the services read."""

from declarations.choices import DeclarationState as S

from .choices import CheckKind, CheckState
from .services import KIND_ROLES, KIND_STATES


def check_actions(user, check, *, member_team_id=None, declaration_state=None) -> set[str]:
    """The names of the actions `user` may take on `check` now. `member_team_id` is the user's
    team (None if none); `declaration_state` defaults to the check's declaration's."""
    if not getattr(user, "is_officer", False) or not check.is_open:
        return set()
    state = declaration_state or check.declaration.state
    leads = check.team is not None and check.team.leader_id == user.pk
    fits = user.role in KIND_ROLES[check.kind] or leads
    actions: set[str] = set()
    if leads:
        actions.add("reassign")
    if check.officer_id is None:
        if fits and (member_team_id == check.team_id or leads):
            actions.add("claim")
        return actions
    if not fits or (check.officer_id != user.pk and not leads):
        return actions
    if check.state == CheckState.AWAITING_AMENDMENT:
        return actions
    if check.kind == CheckKind.AUDIT:
        if check.state == CheckState.OPEN:
            actions.add("start")
        return actions | {"violation", "audit_conclude"}
    waiting, working = KIND_STATES[check.kind]
    if state == S.VIOLATION:
        return actions | {"settle", "seize"}
    if state not in (waiting, working):
        return actions
    if state == waiting:
        actions.add("start")
    actions |= {"clear", "violation"}
    if check.kind == CheckKind.DOC_CHECK:
        actions |= {"checklist", "request_amendment", "escalate"}
    else:
        actions |= {"schedule", "findings", "attach"}
    return actions
