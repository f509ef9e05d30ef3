"""Opening checks and giving them to officers (DESIGN.md §6).

A declaration entering yellow or red gets its check in the same transaction, through a
state-change subscriber that declarations calls once per transition (the router moves up to
200 declarations at once): opening and assigning a batch costs a constant number of queries,
so routing keeps its pace. The rules of who gets a check are the pure `assignment` module;
this module reads the figures they need in bulk, applies them one check after the other with
the loads kept current in memory, and records each choice as an event. The sweeper (a beat
task) opens the checks no subscriber saw (routed while this app was off, or a subscriber's
savepoint rolled back) and offers checks waiting in a team's queue again.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from customs_core.bulk import insert_rows
from customs_core.choices import Role
from customs_core.working_hours import branch_calendar
from declarations.choices import DeclarationState as S
from declarations.models import Declaration, GoodsLine

from . import selectors
from .assignment import Candidate, choose_officer, work_points
from .choices import OPEN_CHECK_STATES, CheckEventKind, CheckKind, CheckOutcomeKind, CheckState
from .models import AmendmentIssue, Check, CheckEvent, TeamMember
from .records import bump, event

# Who is given each kind automatically: the specialists; a team leader supervises (claims or
# reassigns work, never receives it from the rules).
AUTO_ROLES = {CheckKind.DOC_CHECK: frozenset({Role.DOC_CHECK}),
              CheckKind.INSPECTION: frozenset({Role.INSPECTION}),
              CheckKind.AUDIT: frozenset({Role.DOC_CHECK})}
KIND_OF_CHANNEL = {S.YELLOW: CheckKind.DOC_CHECK, S.RED: CheckKind.INSPECTION}
logger = logging.getLogger(__name__)


def limit_seconds(kind: str) -> int:
    """The legal clock of a kind of check, in working seconds."""
    return int(settings.INSPECTION_LIMIT_HOURS[kind] * 3600)


def points_of(lines: int) -> int:
    return work_points(lines, per_declaration=settings.INSPECTION_POINTS_PER_DECLARATION,
                       per_line=settings.INSPECTION_POINTS_PER_LINE)


# --- opening -----------------------------------------------------------------------------------
def checks_open(*, declarations: list[Declaration], kind: str, by=None,
                open_checks: list[Check] | None = None) -> list[Check]:
    """The open check of `kind` of each declaration: one already open is kept; the others are
    created in the team covering the declaration's border gate and given to officers in one
    pass. Safe to run twice at once (the partial unique index on open checks). `open_checks`:
    the declarations' open checks, when the caller has read them already."""
    if not declarations:
        return []
    by_id = {d.pk: d for d in declarations}
    if open_checks is None:
        open_checks = list(Check.objects.filter(declaration_id__in=list(by_id),
                                                state__in=OPEN_CHECK_STATES))
    already = [c for c in open_checks if c.kind == kind and c.declaration_id in by_id]
    have = {c.declaration_id for c in already}
    missing = [d for pk, d in by_id.items() if pk not in have]
    if not missing:
        return already
    teams = selectors.team_by_gate()
    created = _create(missing, kind, teams)
    if created:
        codes = {team_id: code for team_id, code in teams.values()}
        actor_id = getattr(by, "pk", None)
        insert_rows(CheckEvent, EVENT_COLUMNS, [
            (c.pk, CheckEventKind.OPENED, actor_id, None, "",
             {"team": codes.get(c.team_id), "points": c.points}, c.opened_at) for c in created])
        checks_assign(created, record_queue=True)
    return [*already, *created]


def _create(declarations: list[Declaration], kind: str, teams: dict) -> list[Check]:
    if not declarations:
        return []
    lines = dict(GoodsLine.objects.filter(declaration_id__in=[d.pk for d in declarations])
                 .values_list("declaration_id").annotate(n=Count("id")).order_by())
    now = timezone.now()
    limit = limit_seconds(kind)
    due = branch_calendar().add(now, limit)
    rows = [Check(declaration_id=d.pk, enterprise_id=d.enterprise_id,
                  border_gate_id=d.border_gate_id, kind=kind,
                  team_id=teams.get(d.border_gate_id, (None, None))[0],
                  points=points_of(lines.get(d.pk, 0)),
                  opened_at=now, limit_seconds=limit, due_at=due) for d in declarations]
    try:
        with transaction.atomic():
            _insert(rows)
            return rows
    except IntegrityError:
        # Another router or the sweeper opened some of them at this moment: open the others
        # one by one, each in its own savepoint.
        created = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
                created.append(row)
            except IntegrityError:
                continue
        return created


CHECK_FIELDS = [f for f in Check._meta.concrete_fields if not f.primary_key]
EVENT_COLUMNS = ("work_id", "kind", "actor_id", "officer_id", "reason", "data", "at")


def _insert(rows: list[Check]) -> None:
    """Insert new checks and set their ids. On PostgreSQL the ids come from the sequence and
    the rows go in with one COPY: a routing batch opens up to 200 checks, and bulk_create
    (model preparation, psycopg escaping UNNEST arrays value by value) cost a third of the
    routing's own time there. Elsewhere, bulk_create."""
    if connection.vendor != "postgresql":
        Check.objects.bulk_create(rows)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('inspection_check', 'id')) "
                       "FROM generate_series(1, %s)", [len(rows)])
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
    insert_rows(Check, ["id", *(f.column for f in CHECK_FIELDS)],
                [(row.pk, *(getattr(row, f.attname) for f in CHECK_FIELDS)) for row in rows])


# --- assigning ---------------------------------------------------------------------------------
def checks_assign(checks: list[Check], *, record_queue: bool = False) -> None:
    """Officers for the unassigned checks among `checks`, by the rules of
    inspection.assignment, one check after the other (oldest due first) with each officer's
    open work kept current in memory, so that a batch spreads as single assignments would and
    one firm's declarations in a batch rotate too. Every assignment records the figures that
    chose it; with `record_queue`, a check nobody can take records why it waits.

    The loads are read without a lock: two routers assigning at the same instant may each give
    one more check to the same officer. Capacity is a day's target, not a hard limit, and the
    next assignment reads the true load; a claim, which must have one winner, is a conditional
    UPDATE."""
    todo = sorted((c for c in checks if c.team_id and c.officer_id is None and c.is_open),
                  key=lambda c: (c.due_at, c.pk))
    if not todo:
        return
    members = list(TeamMember.objects.filter(team_id__in={c.team_id for c in todo},
                                             on_duty=True, officer__is_active=True)
                   .select_related("officer"))
    work = selectors.open_work_by_officer([m.officer_id for m in members])
    enterprises = {c.enterprise_id for c in todo}
    conflicts = selectors.conflicts_by_enterprise(enterprises)
    previous = selectors.latest_officer_by_enterprise(
        enterprises, excluding=[c.declaration_id for c in todo])
    team_members = defaultdict(list)
    for member in members:
        team_members[member.team_id].append(member)
    now = timezone.now()
    chosen: dict[int, list[Check]] = defaultdict(list)
    events = []
    for check in todo:
        candidates = [Candidate(officer_id=m.officer_id,
                                name=m.officer.get_full_name() or m.officer.username,
                                open_points=work.get(m.officer_id, (0, None))[0],
                                capacity=m.daily_capacity_points,
                                last_assigned_at=work.get(m.officer_id, (0, None))[1])
                      for m in team_members[check.team_id]
                      if m.officer.role in AUTO_ROLES[check.kind]]
        choice = choose_officer(candidates, points=check.points,
                                previous_officer_id=previous.get(check.enterprise_id),
                                conflicted=conflicts.get(check.enterprise_id, frozenset()))
        if choice.assigned:
            chosen[choice.officer_id].append(check)
            points, _last = work.get(choice.officer_id, (0, None))
            work[choice.officer_id] = (points + check.points, now)
            previous[check.enterprise_id] = choice.officer_id
            events.append((check.pk, CheckEventKind.ASSIGNED, None, choice.officer_id,
                           choice.reason, choice.figures, now))
        elif record_queue:
            events.append((check.pk, CheckEventKind.UNASSIGNED, None, None, choice.reason,
                           choice.figures, now))
    given = set()
    for officer_id, group in chosen.items():
        ids = [c.pk for c in group]
        updated = Check.objects.filter(pk__in=ids, officer__isnull=True,
                                       state=CheckState.OPEN).update(
            officer_id=officer_id, assigned_at=now, version=F("version") + 1)
        if updated != len(ids):  # an officer claimed some meanwhile: those are theirs
            ids = list(Check.objects.filter(pk__in=ids, officer_id=officer_id,
                                            assigned_at=now).values_list("pk", flat=True))
        for check in group:
            if check.pk in ids:
                check.officer_id, check.assigned_at = officer_id, now
                check.version += 1
                given.add(check.pk)
    insert_rows(CheckEvent, EVENT_COLUMNS,
                [e for e in events if e[1] != CheckEventKind.ASSIGNED or e[0] in given])


# --- reacting to the declaration's life (state-change subscribers) ----------------------------
def on_channel(changes) -> None:
    """Declarations entering yellow or red get their check (one back from an amendment its
    checker asked for returns to that officer); an open check of the other channel closes.

    Inside the routing's transaction, in one savepoint: a database error here (a lock timeout,
    a deadlock) must not undo the routing; it is logged and the sweeper opens the checks
    within a minute."""
    try:
        with transaction.atomic():
            for to_state, kind in KIND_OF_CHANNEL.items():
                moved = [c for c in changes if c.to_state == to_state]
                if moved:
                    _open_for_channel([c.declaration for c in moved], kind, moved[0].actor)
    except DatabaseError:
        logger.exception("inspection: no check opened for declarations %s (the sweeper will)",
                         [c.declaration.pk for c in changes])


def _open_for_channel(declarations: list[Declaration], kind: str, actor) -> None:
    other = CheckKind.INSPECTION if kind == CheckKind.DOC_CHECK else CheckKind.DOC_CHECK
    open_checks = list(Check.objects.filter(declaration__in=declarations,
                                            state__in=OPEN_CHECK_STATES))
    checks_cancel([c for c in open_checks if c.kind == other], reason="channel_changed",
                  by=actor)
    waiting = [c for c in open_checks
               if c.kind == kind and c.state == CheckState.AWAITING_AMENDMENT]
    now = timezone.now()
    for check in waiting:  # the amendment is in: back to the officer who asked for it
        bump(check, state=CheckState.OPEN, opened_at=now,
             due_at=branch_calendar().add(now, check.limit_seconds))
        AmendmentIssue.objects.filter(work=check, resolved_at__isnull=True).update(
            resolved_at=now)
        event(check, CheckEventKind.REOPENED, officer_id=check.officer_id,
              reason="the declaration was amended", data={"why": "amended"})
    back = {c.declaration_id for c in waiting}
    checks_open(declarations=[d for d in declarations if d.pk not in back], kind=kind,
                by=actor, open_checks=[c for c in open_checks if c.kind == kind])


def on_green_or_cancelled(changes) -> None:
    """Lowered to green, or cancelled: their open document checks or inspections are not
    needed any more."""
    for to_state in {c.to_state for c in changes}:
        moved = [c for c in changes if c.to_state == to_state]
        checks_cancel(Check.objects.filter(
            declaration__in=[c.declaration for c in moved], state__in=OPEN_CHECK_STATES,
            kind__in=[CheckKind.DOC_CHECK, CheckKind.INSPECTION]), reason=to_state,
            by=moved[0].actor)


def on_cleared(changes) -> None:
    """Green declarations flagged for post-clearance audit (the blue lane) join the audit
    queue once they are released."""
    flagged = [c.declaration for c in changes
               if c.from_state == S.GREEN and c.declaration.post_clearance_audit]
    checks_open(declarations=flagged, kind=CheckKind.AUDIT)


def checks_cancel(checks, *, reason: str, by=None) -> None:
    """Close open checks a declaration no longer needs (lowered, cancelled, other channel)."""
    for check in checks:
        bump(check, state=CheckState.CANCELLED, outcome=CheckOutcomeKind.CANCELLED,
             decided_at=timezone.now())
        event(check, CheckEventKind.CANCELLED, actor=by, reason=reason, data={"why": reason})


# --- the sweeper -------------------------------------------------------------------------------
def checks_sweep() -> dict[str, int]:
    """Routed declarations without their check get one; checks waiting in a team's queue are
    offered again to the officers on duty. Idempotent; a batch per call and kind."""
    opened: list[Check] = []
    for state, kind in selectors.CHECK_WAITING_IN.items():
        missing = selectors.declarations_missing_a_check(state)
        if missing:
            with transaction.atomic():
                opened += checks_open(declarations=missing, kind=kind)
    waiting = selectors.unassigned_checks()
    with transaction.atomic():
        checks_assign(waiting)
    return {"opened": len(opened),
            "assigned": sum(1 for c in [*opened, *waiting] if c.officer_id)}
