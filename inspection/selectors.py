"""Reads of the inspection app. Checks are officers' work: an enterprise reads none of them,
only what its declaration page shows (`enterprise_view_of`: the issues to fix, the
inspection's schedule, the outcome), never notes, loads or risk reasons."""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.models import Enterprise, User
from customs_core.working_hours import branch_calendar
from declarations.choices import DeclarationState as S
from declarations.models import Declaration
from declarations.validation import normalized_plate

from .choices import OPEN_CHECK_STATES, CheckKind, CheckOutcomeKind, CheckState
from .models import AmendmentIssue, Check, ConflictOfInterest, Team, TeamMember


def pk_or_404(value) -> int:
    """A primary key from a URL or a form, or 404 (never a 500 from a malformed one)."""
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise Http404 from exc
    if not 0 < pk < 2**63:
        raise Http404
    return pk



ROW_RELATED = ("declaration", "declaration__enterprise", "border_gate", "officer", "team")


def checks_visible_to(user: User) -> QuerySet[Check]:
    """Officers read every check of the branch; anyone else none."""
    if not getattr(user, "is_officer", False):
        return Check.objects.none()
    return Check.objects.select_related(*ROW_RELATED)


def checks_in_rows(ids) -> list[Check]:
    """The checks of one page of a queue, with what their rows show, in the page's order.

    A queue is paged on the checks' own index first (ORDER BY due_at, id LIMIT 25 over the
    open checks), then only those 25 are joined: a planner that misjudges a filter over a
    team's backlog could otherwise join thousands of rows before the LIMIT (measured: 113 ms
    against 8 ms with 60,000 checks waiting in one team)."""
    ids = list(ids)
    found = {c.pk: c for c in Check.objects.filter(pk__in=ids).select_related(*ROW_RELATED)}
    return [found[pk] for pk in ids if pk in found]


def check_row_for(user: User, pk) -> Check:
    """A check's own row for an officer, or 404: all a claim needs (the busiest action)."""
    if not getattr(user, "is_officer", False):
        raise Http404
    try:
        return Check.objects.get(pk=pk_or_404(pk))
    except Check.DoesNotExist as exc:
        raise Http404 from exc


# What an action and its answer read of a check's declaration (its row is locked and read
# whole by the service that writes it): the columns the queue row shows.
ROW_FIELDS = ("declaration__number", "declaration__state", "declaration__channel",
              "declaration__enterprise_id", "declaration__border_gate_id",
              "declaration__enterprise__name", "declaration__enterprise__tax_code",
              "team__code", "team__leader_id")


def check_get_for(user: User, pk) -> Check:
    """One check for an officer, with what its queue row shows, or 404 (for an enterprise,
    checks do not exist). Lean: a claim's whole cost is a few such reads."""
    if not getattr(user, "is_officer", False):
        raise Http404
    fields = [f.name for f in Check._meta.concrete_fields]
    try:
        return (Check.objects.select_related("team", "declaration__enterprise")
                .only(*fields, *ROW_FIELDS).get(pk=pk_or_404(pk)))
    except Check.DoesNotExist as exc:
        raise Http404 from exc


def check_detail_for(user: User, pk) -> Check:
    """A check with everything the workbench shows (a constant number of queries)."""
    try:
        return (checks_visible_to(user).prefetch_related(
            "items", "issues", "findings", "attachments", "events__actor", "events__officer")
            .get(pk=pk_or_404(pk)))
    except Check.DoesNotExist as exc:
        raise Http404 from exc


def team_id_of(user: User) -> int | None:
    """The team the officer is a member of (an officer belongs to one team at most)."""
    return (TeamMember.objects.filter(officer_id=getattr(user, "pk", None))
            .order_by("pk").values_list("team_id", flat=True).first())


def teams_led_by(user: User) -> list[Team]:
    return list(Team.objects.filter(leader_id=getattr(user, "pk", None)))


def team_by_gate() -> dict[int, tuple[int, str]]:
    """Border gate -> (id, code) of the team covering it (the first by code if two do), in
    one query."""
    found: dict[int, tuple[int, str]] = {}
    for gate_id, team_id, code in (Team.border_gates.through.objects.order_by("team__code")
                                   .values_list("bordergate_id", "team_id", "team__code")):
        found.setdefault(gate_id, (team_id, code))
    return found


def queue(user: User, *, scope: str = "team", kind: str = "", overdue: bool = False,
          border_gate: str = "", number: str = "") -> QuerySet[Check]:
    """Open checks, oldest due first: `mine` (assigned to the user), `team` (the user's team's,
    assigned or not; a leader's teams), `unassigned` (the team's claimable ones), `all`. The
    checks' own rows: page them, then `checks_in_rows` for what a row shows."""
    if not getattr(user, "is_officer", False):
        return Check.objects.none()
    checks = Check.objects.filter(state__in=OPEN_CHECK_STATES)
    if scope == "mine":
        checks = checks.filter(officer_id=user.pk)
    elif scope in {"team", "unassigned"}:
        teams = {t.pk for t in teams_led_by(user)}
        team_id = team_id_of(user)
        if team_id:
            teams.add(team_id)
        checks = checks.filter(team_id__in=teams)
        if scope == "unassigned":
            checks = checks.filter(officer__isnull=True)
    if kind:
        checks = checks.filter(kind=kind)
    if overdue:
        checks = checks.filter(due_at__lt=timezone.now())
    if border_gate:
        checks = checks.filter(border_gate__code=border_gate)
    if number:
        checks = checks.filter(declaration__number__startswith=number)
    return checks.order_by("due_at", "id")


@dataclass(frozen=True)
class Clock:
    """A check's legal clock: working time used against its limit."""

    used_seconds: float
    limit_seconds: int

    @property
    def share(self) -> float:
        return self.used_seconds / self.limit_seconds if self.limit_seconds else 0.0

    @property
    def colour(self) -> str:
        """ok under half the limit, soon up to the limit, late past it."""
        return "late" if self.share > 1 else "soon" if self.share >= 0.5 else "ok"

    @property
    def tenths(self) -> int:
        """The share used in tenths, 0 to 10 (the bar's width class)."""
        return min(10, int(self.share * 10))

    @property
    def used_minutes(self) -> int:
        return int(self.used_seconds // 60)

    @property
    def limit_minutes(self) -> int:
        return self.limit_seconds // 60


def clock_of(check: Check, *, now=None) -> Clock:
    end = check.decided_at or now or timezone.now()
    start = check.assigned_at if check.kind == CheckKind.AUDIT and check.assigned_at \
        else check.opened_at
    return Clock(branch_calendar().working_seconds(start, end), check.limit_seconds)


def team_load(team: Team) -> list[dict]:
    """Each member of a team: on duty, capacity, open checks and points (the leader's view)."""
    members = list(TeamMember.objects.filter(team=team).select_related("officer"))
    figures = {row["officer_id"]: row for row in (
        Check.objects.filter(officer_id__in=[m.officer_id for m in members],
                             state__in=OPEN_CHECK_STATES)
        .values("officer_id").annotate(checks=Count("id"), points=Sum("points"),
                                       overdue=Count("id", filter=Q(due_at__lt=timezone.now()))))}
    return [{"member": m, "checks": figures.get(m.officer_id, {}).get("checks", 0),
             "points": figures.get(m.officer_id, {}).get("points", 0) or 0,
             "overdue": figures.get(m.officer_id, {}).get("overdue", 0)} for m in members]


def team_officers(team_ids) -> dict[int, list[User]]:
    """The active officers of each team, for the reassign lists."""
    found: dict[int, list[User]] = {}
    for member in (TeamMember.objects.filter(team_id__in=[t for t in team_ids if t],
                                             officer__is_active=True)
                   .select_related("officer").order_by("officer__last_name",
                                                       "officer__first_name")):
        found.setdefault(member.team_id, []).append(member.officer)
    return found


def team_overview(team: Team) -> dict:
    """A team leader's view of one team: each member's load against their capacity, the open
    work waiting for an officer or past its limit, the declared conflicts."""
    members = team_load(team)
    open_checks = Check.objects.filter(team=team, state__in=OPEN_CHECK_STATES)
    return {
        "team": team, "members": members,
        "open": open_checks.count(),
        "unassigned": open_checks.filter(officer__isnull=True).count(),
        "overdue": open_checks.filter(due_at__lt=timezone.now()).count(),
        "conflicts": list(ConflictOfInterest.objects.filter(
            officer__team_membership__team=team).select_related("officer", "enterprise")
            .order_by("-declared_at")[:50]),
        "chart": json.dumps({
            "type": "bar",
            "data": {"labels": [m["member"].officer.get_full_name()
                                or m["member"].officer.username for m in members],
                     "datasets": [
                         {"label": str(_("Open work (points)")),
                          "data": [m["points"] for m in members]},
                         {"label": str(_("Daily capacity (points)")),
                          "data": [m["member"].daily_capacity_points for m in members]}]},
            "options": {"indexAxis": "y", "responsive": True, "maintainAspectRatio": False},
        }),
    }


def open_work_by_officer(officer_ids) -> dict[int, tuple[int, object]]:
    """Each officer's open work in points and when they were last given any of it (the tie
    breaker: who waited longest), in one query over the open checks' index."""
    rows = (Check.objects.filter(officer_id__in=list(officer_ids), state__in=OPEN_CHECK_STATES)
            .values_list("officer_id").annotate(points=Sum("points"), last=Max("assigned_at"))
            .order_by())
    return {officer_id: (points or 0, last) for officer_id, points, last in rows}


def latest_officer_by_enterprise(enterprise_ids, *, excluding=()) -> dict[int, int]:
    """Who handled each enterprise's latest check on another declaration (rotation): one
    index probe per enterprise (check_enterprise_latest), whatever the history's size."""
    latest = (Check.objects.filter(enterprise_id=OuterRef("pk"), officer__isnull=False)
              .exclude(declaration_id__in=list(excluding)).order_by("-opened_at", "-id")
              .values("officer_id")[:1])
    rows = (Enterprise.objects.filter(pk__in=list(enterprise_ids))
            .annotate(latest=Subquery(latest)).values_list("pk", "latest"))
    return {pk: officer_id for pk, officer_id in rows if officer_id}


def conflicts_by_enterprise(enterprise_ids) -> dict[int, frozenset[int]]:
    """The officers who declared a conflict of interest with each enterprise."""
    found: dict[int, set[int]] = {}
    for enterprise_id, officer_id in ConflictOfInterest.objects.filter(
            enterprise_id__in=list(enterprise_ids)).values_list("enterprise_id", "officer_id"):
        found.setdefault(enterprise_id, set()).add(officer_id)
    return {k: frozenset(v) for k, v in found.items()}


# The check a declaration in each state waits for. A violation is settled or ends in seizure
# by the check that found it (an inspection's, if the history does not say).
CHECK_WAITING_IN = {S.YELLOW: CheckKind.DOC_CHECK, S.DOC_CHECK: CheckKind.DOC_CHECK,
                    S.RED: CheckKind.INSPECTION, S.INSPECTION: CheckKind.INSPECTION,
                    S.VIOLATION: CheckKind.INSPECTION}


def declarations_missing_a_check(state: str, limit: int = 500) -> list[Declaration]:
    """Declarations in `state` with no open check for it (the sweeper's work: routed before
    inspection was installed, or while its subscriber could not run), oldest first."""
    kinds = ([CheckKind.DOC_CHECK, CheckKind.INSPECTION] if state == S.VIOLATION
             else [CHECK_WAITING_IN[state]])
    open_check = Check.objects.filter(declaration=OuterRef("pk"), kind__in=kinds,
                                      state__in=OPEN_CHECK_STATES)
    return list(Declaration.objects.filter(state=state).filter(~Exists(open_check))
                .only("id", "enterprise_id", "border_gate_id", "state", "post_clearance_audit")
                .order_by("updated_at")[:limit])


def unassigned_checks(limit: int = 500) -> list[Check]:
    """Checks waiting in a team's queue for an officer, oldest due first."""
    return list(Check.objects.filter(state=CheckState.OPEN, officer__isnull=True)
                .exclude(team__isnull=True).order_by("due_at", "id")[:limit])


def enterprise_view_of(declaration: Declaration) -> dict:
    """What the enterprise may know of its declaration's checks: the issues to fix, the
    physical inspection's method, place and time, and each finished check's outcome with the
    officer's conclusion. Never internal notes, load figures or risk reasons."""
    checks = list(Check.objects.filter(declaration=declaration)
                  .select_related("site").order_by("opened_at", "id"))
    issues = list(AmendmentIssue.objects.filter(work__in=checks, resolved_at__isnull=True)
                  .order_by("id"))
    return {
        "issues": [{"text": i.text, "line_no": i.line_no, "requested_at": i.requested_at}
                   for i in issues],
        "checks": [{"kind": c.kind, "state": c.state, "scheduled_at": c.scheduled_at,
                    "site": c.site, "method": c.method, "outcome": c.outcome,
                    "conclusion": c.conclusion if c.outcome else "",
                    "decided_at": c.decided_at}
                   for c in checks if c.outcome != CheckOutcomeKind.CANCELLED],
    }


def gate_refusal(declaration: Declaration) -> str:
    """Why the gate must refuse these goods now ("" if they may leave): what
    services.gate_exit_confirm would answer, said before the officer tries."""
    if declaration.state == S.GATE_OUT:
        return str(_("These goods have already left."))
    if declaration.state != S.CLEARED:
        return str(_("The declaration is not cleared: the goods may not leave."))
    if declaration.outstanding_vnd > 0:
        return str(_("Duties are still due: the goods may not leave."))
    return ""


def matching_plate(declaration: Declaration, query: str) -> str:
    plate = normalized_plate(query or "")
    return plate if plate in declaration.vehicles else (
        declaration.vehicles[0] if len(declaration.vehicles) == 1 else "")


# The states in which goods may be at the gate, leaving or held: after routing, before the
# end. The partial GIN indexes of migration 0002 carry the same predicate.
GATE_STATES = (S.GREEN, S.YELLOW, S.RED, S.DOC_CHECK, S.INSPECTION, S.AMEND_REQUESTED,
               S.VIOLATION, S.CLEARED, S.GATE_OUT, S.SEIZED)


def _carrying(plate: str, box: str) -> Q:
    """Declarations listing this vehicle plate or container. On PostgreSQL `@>` on the jsonb
    arrays, served by the GIN indexes; elsewhere (SQLite, the embedded default) a match of the
    quoted value in the JSON text."""
    if connection.vendor == "postgresql":
        return Q(vehicles__contains=[plate]) | Q(containers__contains=[box])
    return Q(vehicles__icontains=f'"{plate}"') | Q(containers__icontains=f'"{box}"')


def gate_lookup(query: str) -> list[Declaration]:
    """Declarations the gate may let out or must refuse, found by number, vehicle plate or
    container number: cleared ones, and those of the last days already out or still held (to
    say why). A plate or container matches one listed on the declaration exactly."""
    query = (query or "").strip().upper()
    if not query:
        return []
    found = Declaration.objects.select_related("enterprise").only(
        "id", "number", "state", "vehicles", "containers", "enterprise__name",
        "enterprise__tax_code", "border_gate_id", "paid_vnd", "total_duty_vnd", "updated_at")
    if query.isdigit() and len(query) >= 11:
        return list(found.filter(number__startswith=query[:11]).order_by("-number")[:10])
    plate, box = normalized_plate(query), query.replace(" ", "")
    if not plate:
        return []
    recent = timezone.now() - timedelta(days=settings.GATE_LOOKUP_DAYS)
    return list(found.filter(_carrying(plate, box), state__in=GATE_STATES)
                .filter(Q(state=S.CLEARED) | Q(updated_at__gte=recent))
                .order_by("-updated_at")[:10])
