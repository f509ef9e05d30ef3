"""Writes of the inspection app: opening and assigning checks, the officers' actions, the
gate. A check's row is locked (or updated conditionally) before the declaration's, always in
that order; the declaration moves only through declarations.workflow.transition(), so its
table decides who may do what and its subscribers hear of it."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from customs_core import notifications
from customs_core.exceptions import FieldErrors, PreconditionFailed, StateConflict
from customs_core.models import InspectionSite, TariffLine, User
from customs_core.reference_cache import tables as reference_tables
from customs_core.roles import DOC_CHECK_ROLES, FRONTLINE_ROLES, INSPECTION_ROLES
from declarations.choices import CheckResult, FoundDuring
from declarations.choices import DeclarationState as S
from declarations.documents import MAX_DOCUMENT_BYTES, sniffed_content_type
from declarations.models import Declaration, Violation
from declarations.services import declaration_duties_reassess
from declarations.validation import normalized_plate
from declarations.violations import (
    check_outcome_record,
    violation_penalty_pay,
    violation_record,
    violations_settled,
)
from declarations.workflow import transition

from . import selectors
from .assigning import checks_assign
from .choices import (
    OPEN_CHECK_STATES,
    CheckEventKind,
    CheckKind,
    CheckOutcomeKind,
    CheckState,
    DocumentStatus,
    InspectionErrorCode,
    InspectionMethod,
)
from .models import (
    AmendmentIssue,
    Check,
    CheckAttachment,
    CheckEvent,
    DocumentCheckItem,
    GateExit,
    InspectionFinding,
    Team,
    TeamMember,
)
from .records import bump, event

# Who does each kind of check.
KIND_ROLES = {CheckKind.DOC_CHECK: DOC_CHECK_ROLES, CheckKind.INSPECTION: INSPECTION_ROLES,
              CheckKind.AUDIT: DOC_CHECK_ROLES}
# The declaration state a check of each kind starts from and works in.
KIND_STATES = {CheckKind.DOC_CHECK: (S.YELLOW, S.DOC_CHECK),
               CheckKind.INSPECTION: (S.RED, S.INSPECTION)}
INSPECTION_SCHEDULED = "inspection_scheduled"
logger = logging.getLogger(__name__)


def check_claim(*, check: Check, by: User) -> Check:
    """An officer of the check's team (or its leader) takes an unassigned check from the
    queue. Two claims of one check give one winner: the claim is one conditional UPDATE whose
    condition is also the membership; the loser gets 409, a stranger to the team 403."""
    _may_work_on(check, by, claim=True)
    now = timezone.now()
    if not _take(check, by, now):  # why not: the team first (403), then the race (409)
        if selectors.team_id_of(by) != check.team_id and not _leads(by, check):
            raise PermissionDenied(_("This check belongs to another team's queue."))
        fresh = Check.objects.filter(pk=check.pk).values_list("state", flat=True).first()
        raise StateConflict(_("Someone else took this check first."),
                            code=InspectionErrorCode.ALREADY_CLAIMED, current_state=fresh or "")
    # Nothing else writes a check while it has no officer (every other write needs one, or
    # closes it, which the UPDATE's condition excludes): the row is what was read, plus this.
    check.officer, check.assigned_at, check.version = by, now, check.version + 1
    return check


# PostgreSQL: the claim and its event in one statement, so one round trip and no explicit
# transaction (a claim is the busiest write of the queue). The same condition as _take's ORM
# form below, which SQLite runs (it has no data-modifying WITH).
CLAIM_SQL = """
WITH claimed AS (
    UPDATE inspection_check SET officer_id = %(officer)s, assigned_at = %(at)s,
           version = version + 1
    WHERE id = %(check)s AND officer_id IS NULL AND state = ANY(%(open)s)
      AND (team_id IN (SELECT team_id FROM inspection_teammember WHERE officer_id = %(officer)s)
           OR team_id IN (SELECT id FROM inspection_team WHERE leader_id = %(officer)s))
    RETURNING id)
INSERT INTO inspection_checkevent (work_id, kind, actor_id, officer_id, reason, data, at)
SELECT id, %(kind)s, %(officer)s, %(officer)s, '', '{}', %(at)s FROM claimed
RETURNING work_id"""


def _take(check: Check, by: User, now) -> bool:
    """Give `check` to `by` if it has no officer, is open and `by` is a member of its team or
    leads it; with the CLAIMED event. False if not."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(CLAIM_SQL, {"officer": by.pk, "at": now, "check": check.pk,
                                       "open": list(OPEN_CHECK_STATES),
                                       "kind": CheckEventKind.CLAIMED})
            return cursor.fetchone() is not None
    with transaction.atomic():
        member_of = TeamMember.objects.filter(officer_id=by.pk).values("team_id")
        led = Team.objects.filter(leader_id=by.pk).values("pk")
        updated = (Check.objects.filter(pk=check.pk, officer__isnull=True,
                                        state__in=OPEN_CHECK_STATES)
                   .filter(Q(team_id__in=member_of) | Q(team_id__in=led))
                   .update(officer=by, assigned_at=now, version=F("version") + 1))
        if updated:
            CheckEvent.objects.create(work=check, kind=CheckEventKind.CLAIMED, actor=by,
                                      officer=by, at=now)
        return bool(updated)


@transaction.atomic
def check_reassign(*, check: Check, officer: User, by: User, reason: str,
                   if_match: str | None = None) -> Check:
    """A team leader gives the check to another officer of the team, with a reason."""
    check = _locked(check, if_match)
    if not _leads(by, check):
        raise PermissionDenied(_("Only the team's leader reassigns its work."))
    if not check.is_open:
        _refuse_state(check)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    member = TeamMember.objects.filter(officer=officer, team_id=check.team_id).first()
    if member is None or officer.role not in KIND_ROLES[check.kind]:
        raise ValidationError({"officer": [_("Choose an officer of the team who does this "
                                             "kind of check.")]})
    if officer.pk in selectors.conflicts_by_enterprise([check.enterprise_id]).get(
            check.enterprise_id, ()):
        raise ValidationError({"officer": [_("This officer declared a conflict of interest "
                                             "with the enterprise.")]})
    previous = check.officer_id
    bump(check, officer_id=officer.pk, assigned_at=timezone.now())
    event(check, CheckEventKind.REASSIGNED, actor=by, officer=officer, reason=reason,
           data={"from": previous})
    return check


# --- permissions and locking ---------------------------------------------------------------------
def _leads(user: User, check: Check) -> bool:
    return check.team is not None and check.team.leader_id == user.pk


def _may_work_on(check: Check, user: User, *, claim: bool = False) -> None:
    """The assigned officer, or the team's leader; a claim needs a member of the team who does
    this kind of check. Anyone else: 403."""
    if not getattr(user, "is_officer", False):
        raise PermissionDenied(_("Only customs officers work on checks."))
    if user.role not in KIND_ROLES[check.kind] and not _leads(user, check):
        raise PermissionDenied(_("Your role does not do this kind of check."))
    if claim:  # membership: in the claim's own condition (check_claim)
        return
    if check.officer_id != user.pk and not _leads(user, check):
        raise PermissionDenied(_("This check is assigned to another officer."))


def _locked(check: Check, if_match: str | None = None) -> Check:
    locked = (Check.objects.select_for_update(of=("self",))
              .select_related("declaration", "team").get(pk=check.pk))
    if if_match and if_match.strip() not in {locked.etag, f"W/{locked.etag}", "*"}:
        raise PreconditionFailed(_("The check changed since you read it: reload it."),
                                 etag=locked.etag)
    return locked


def _refuse_state(check: Check):
    raise StateConflict(_("This check is no longer open."), code=InspectionErrorCode.WRONG_STATE,
                        current_state=check.state)


def _acting(check: Check, by: User, if_match: str | None, *, states=OPEN_CHECK_STATES) -> Check:
    check = _locked(check, if_match)
    _may_work_on(check, by)
    if check.state not in states:
        _refuse_state(check)
    return check


def _declaration(check: Check) -> Declaration:
    return Declaration.objects.select_for_update().get(pk=check.declaration_id)


def _in_state(declaration: Declaration, states) -> None:
    if declaration.state not in states:
        raise StateConflict(_("The declaration is not in a state for this."),
                            code=InspectionErrorCode.WRONG_STATE,
                            current_state=declaration.state)


def _start_if_waiting(check: Check, declaration: Declaration, by: User) -> Declaration:
    """Entering the check's working state (yellow -> doc_check, red -> inspection) on the first
    action: the clock keeps running from opening."""
    waiting, working = KIND_STATES[check.kind]
    if declaration.state == waiting:
        declaration = transition(declaration, to=working, by=by)
        bump(check, state=CheckState.IN_PROGRESS, started_at=timezone.now())
        event(check, CheckEventKind.STARTED, actor=by)
    _in_state(declaration, {working})
    return declaration


@transaction.atomic
def check_start(*, check: Check, by: User, if_match: str | None = None) -> Check:
    """The officer starts the check: the declaration enters document check or inspection."""
    check = _acting(check, by, if_match, states={CheckState.OPEN, CheckState.IN_PROGRESS})
    if check.kind == CheckKind.AUDIT:
        bump(check, state=CheckState.IN_PROGRESS, started_at=timezone.now())
        event(check, CheckEventKind.STARTED, actor=by)
        return check
    _start_if_waiting(check, _declaration(check), by)
    return check


# --- document check ------------------------------------------------------------------------------
@transaction.atomic
def checklist_save(*, check: Check, by: User, items: list[dict],
                   if_match: str | None = None) -> Check:
    """The document checklist: each attached (or missing) document present, missing or wrong,
    with a note. Replaces the previous list."""
    check = _acting(check, by, if_match)
    if check.kind != CheckKind.DOC_CHECK:
        raise StateConflict(_("A checklist belongs to a document check."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    documents = {d.pk: d for d in check.declaration.documents.all()}
    errors = {}
    rows = []
    for n, item in enumerate(items, start=1):
        document = documents.get(item.get("document")) if item.get("document") else None
        if item.get("document") and document is None:
            errors[str(n)] = {"document": [_("Not a document of this declaration.")]}
            continue
        status = item.get("status")
        if status not in DocumentStatus.values:
            errors[str(n)] = {"status": [_("Choose present, missing or wrong.")]}
            continue
        doc_type = document.doc_type if document else (item.get("doc_type") or "")
        if not doc_type:
            errors[str(n)] = {"doc_type": [_("Name the missing document.")]}
            continue
        rows.append(DocumentCheckItem(work=check, document=document, doc_type=doc_type,
                                      status=status, note=(item.get("note") or "")[:500]))
    if errors:
        raise FieldErrors({"items": errors})
    _start_if_waiting(check, _declaration(check), by)
    DocumentCheckItem.objects.filter(work=check).delete()
    DocumentCheckItem.objects.bulk_create(rows)
    bump(check)
    event(check, CheckEventKind.CHECKLIST, actor=by, data={"items": len(rows)})
    return check


@transaction.atomic
def check_request_amendment(*, check: Check, by: User, issues: list[dict],
                            if_match: str | None = None) -> Check:
    """The officer asks the enterprise to correct the declaration: the issues are shown to the
    enterprise on its declaration; when it amends, the declaration comes back to this officer."""
    check = _acting(check, by, if_match)
    if check.kind != CheckKind.DOC_CHECK:
        raise StateConflict(_("Amendments are requested during a document check."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    texts = [(str(i.get("text") or "").strip(), i.get("line_no")) for i in issues]
    texts = [(t, n) for t, n in texts if t]
    if not texts:
        raise ValidationError({"issues": [_("List what the enterprise must correct.")]})
    declaration = _start_if_waiting(check, _declaration(check), by)
    now = timezone.now()
    AmendmentIssue.objects.bulk_create([AmendmentIssue(work=check, text=t[:500], line_no=n,
                                                       requested_at=now) for t, n in texts])
    summary = "; ".join(t for t, _n in texts)[:1000]
    transition(declaration, to=S.AMEND_REQUESTED, by=by, reason=summary,
               data={"check": check.pk, "issues": len(texts)})
    bump(check, state=CheckState.AWAITING_AMENDMENT)
    event(check, CheckEventKind.AMENDMENT_REQUESTED, actor=by, reason=summary)
    return check


@transaction.atomic
def check_escalate(*, check: Check, by: User, reason: str, if_match: str | None = None) -> Check:
    """The document check sends the goods to physical inspection (red), with a reason; the
    inspection is opened and assigned by the red-channel subscriber."""
    check = _acting(check, by, if_match)
    if check.kind != CheckKind.DOC_CHECK:
        raise StateConflict(_("Only a document check escalates."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    declaration = _start_if_waiting(check, _declaration(check), by)
    _conclude(check, by, CheckOutcomeKind.ESCALATED, reason)
    transition(declaration, to=S.RED, by=by, reason=reason, channel="red",
               data={"escalated_from_check": check.pk})
    return check


def _conclude(check: Check, by: User, outcome: str, conclusion: str = "") -> None:
    bump(check, state=CheckState.DONE, outcome=outcome, decided_at=timezone.now(),
          conclusion=(conclusion or "").strip())
    event(check, CheckEventKind.CONCLUDED, actor=by, reason=conclusion,
           data={"outcome": outcome})


def _examined(check: Check) -> tuple[str, int | None]:
    if check.kind == CheckKind.DOC_CHECK:
        return "documents", None
    if check.kind == CheckKind.AUDIT:
        return "post-clearance audit", None
    return check.method or InspectionMethod.FULL, check.share_percent


@transaction.atomic
def check_clear(*, check: Check, by: User, conclusion: str = "",
                if_match: str | None = None) -> Check:
    """Conform: the declaration is cleared; the outcome is recorded for learned selection."""
    check = _acting(check, by, if_match)
    if check.kind == CheckKind.AUDIT:
        raise StateConflict(_("An audit is concluded, not cleared."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    declaration = _start_if_waiting(check, _declaration(check), by)
    if check.kind == CheckKind.INSPECTION and not check.method:
        raise ValidationError({"method": [_("Record how the goods were examined first.")]})
    if Violation.objects.filter(declaration=declaration, found_during=check.kind,
                                found_at__gte=check.opened_at).exists():
        raise StateConflict(_("A violation was recorded: settle it or seize the goods."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=declaration.state)
    _conclude(check, by, CheckOutcomeKind.CONFORM, conclusion)
    examined, share = _examined(check)
    check_outcome_record(declaration=declaration, check_kind=check.kind,
                         outcome=CheckResult.CONFORM, decided_by=by, examined=examined,
                         share_percent=share)
    transition(declaration, to=S.CLEARED, by=by, reason=conclusion,
               cleared_at=timezone.now(), data={"check": check.pk})
    return check


# --- physical inspection -------------------------------------------------------------------------
@transaction.atomic
def inspection_schedule(*, check: Check, by: User, method: str, site: InspectionSite,
                        scheduled_at, share_percent: int | None = None,
                        if_match: str | None = None) -> Check:
    """How, where and when the goods are examined; the enterprise sees it and is told."""
    check = _acting(check, by, if_match, states={CheckState.OPEN, CheckState.IN_PROGRESS})
    if check.kind != CheckKind.INSPECTION:
        raise StateConflict(_("Only a physical inspection is scheduled."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    errors = {}
    if method not in InspectionMethod.values:
        errors["method"] = [_("Choose full, partial or scanner.")]
    if method == InspectionMethod.PARTIAL and not (share_percent and 1 <= share_percent < 100):
        errors["share_percent"] = [_("A partial examination names the share examined "
                                     "(1 to 99%).")]
    if scheduled_at is None or scheduled_at < timezone.now() - timedelta(hours=1):
        errors["scheduled_at"] = [_("Schedule the inspection from now on.")]
    if check.team_id and not check.team.sites.filter(pk=site.pk).exists():
        errors["site"] = [_("The team does not cover this inspection site.")]
    if errors:
        raise ValidationError(errors)
    bump(check, method=method, site=site, scheduled_at=scheduled_at,
          share_percent=share_percent if method == InspectionMethod.PARTIAL else
          (100 if method == InspectionMethod.FULL else None))
    event(check, CheckEventKind.SCHEDULED, actor=by,
           data={"method": method, "site": site.code, "at": scheduled_at.isoformat()})
    declaration = check.declaration
    notifications.notify(INSPECTION_SCHEDULED, recipients=_declarants_of(declaration),
                         obj=declaration, context={"number": declaration.number,
                                                   "site_vi": site.name_vi,
                                                   "site_en": site.name_en,
                                                   "scheduled_at": scheduled_at.isoformat()},
                         dedupe_key=f"inspection-scheduled-{check.pk}-{check.version}")
    return check


def inspection_scheduled_display(context: dict) -> dict:
    """The site's name in the reader's language (the notification is shown later, to each)."""
    english = (get_language() or "vi").startswith("en")
    return {"site": context.get("site_en" if english else "site_vi", "")}


def _declarants_of(declaration: Declaration) -> list[User]:
    return list(User.objects.filter(enterprise_id=declaration.enterprise_id, is_active=True))


@transaction.atomic
def findings_save(*, check: Check, by: User, findings: list[dict],
                  if_match: str | None = None) -> Check:
    """Each goods line as declared and as found (quantity, HS code, origin, unit price).
    Lines not listed are found as declared."""
    check = _acting(check, by, if_match)
    if check.kind != CheckKind.INSPECTION:
        raise StateConflict(_("Findings belong to a physical inspection."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    declaration = _start_if_waiting(check, _declaration(check), by)
    lines = {line.line_no: line for line in declaration.lines.all()}
    ref = reference_tables()
    errors, rows, seen = {}, [], set()
    for finding in findings:
        line = lines.get(finding.get("line_no"))
        key = str(finding.get("line_no"))
        if line is None:
            errors[key] = {"line_no": [_("No such goods line.")]}
            continue
        if line.line_no in seen:
            errors[key] = {"line_no": [_("This goods line is listed twice.")]}
            continue
        seen.add(line.line_no)
        hs_code = finding.get("found_hs_code") or ref.row(TariffLine, line.tariff_line_id).hs_code
        origin = finding.get("found_origin") or line.origin_country_id
        if hs_code not in ref.tariff_lines:
            errors[key] = {"found_hs_code": [_("HS code %(code)s is not in the tariff.")
                                             % {"code": hs_code}]}
            continue
        if origin not in ref.countries:
            errors[key] = {"found_origin": [_("Unknown country %(code)s.") % {"code": origin}]}
            continue
        quantity = finding.get("found_quantity", line.quantity)
        price = finding.get("found_unit_price", line.unit_price)
        if quantity is None or quantity < 0 or price is None or price < 0:
            errors[key] = {"found_quantity": [_("Quantities and prices are not negative.")]}
            continue
        rows.append(InspectionFinding(
            work=check, line_no=line.line_no, declared_quantity=line.quantity,
            found_quantity=quantity, declared_hs_code=ref.row(TariffLine,
                                                              line.tariff_line_id).hs_code,
            found_hs_code=hs_code, declared_origin=line.origin_country_id, found_origin=origin,
            declared_unit_price=line.unit_price, found_unit_price=price,
            note=(finding.get("note") or "")[:500]))
    if errors:
        raise FieldErrors({"findings": errors})
    InspectionFinding.objects.filter(work=check).delete()
    InspectionFinding.objects.bulk_create(rows)
    bump(check)
    event(check, CheckEventKind.FINDINGS, actor=by,
           data={"lines": len(rows), "differ": sum(1 for r in rows if r.differs)})
    return check


@transaction.atomic
def attachment_add(*, check: Check, by: User, file, caption: str = "") -> CheckAttachment:
    """A photo or a document of the inspection: PDF, JPEG or PNG by content, at most 10 MB."""
    check = _acting(check, by, None)
    errors = {}
    if file.size > MAX_DOCUMENT_BYTES:
        errors["file"] = [_("A document is at most 10 MB.")]
    # A phone names its photos anything and browsers guess types from names: the content
    # decides, and the type stored is the one sniffed.
    content_type = sniffed_content_type(file)
    if content_type is None:
        errors["file"] = [_("Upload a PDF, JPEG or PNG file.")]
    if errors:
        raise ValidationError(errors)
    return CheckAttachment.objects.create(
        work=check, file=file, original_name=(file.name or "photo")[:255],
        content_type=content_type, size=file.size, caption=caption[:255], uploaded_by=by)


def _found_rows(check: Check, declaration: Declaration) -> list[dict]:
    """The goods lines with the values found where the inspection found others."""
    ref = reference_tables()
    found = {f.line_no: f for f in check.findings.all()}
    rows = []
    for line in declaration.lines.order_by("line_no"):
        finding = found.get(line.line_no)
        tariff = ref.row(TariffLine, line.tariff_line_id)
        quantity, price, origin = line.quantity, line.unit_price, line.origin_country_id
        if finding:
            tariff = ref.tariff_lines[finding.found_hs_code]
            quantity, price, origin = (finding.found_quantity, finding.found_unit_price,
                                       finding.found_origin)
        rows.append({"line_no": line.line_no, "tariff_line": tariff, "origin_country": origin,
                     "quantity": quantity or Decimal("0.001"), "unit": tariff.unit,
                     "line_value": (quantity * price).quantize(Decimal("0.0001")),
                     "preferential_claimed": line.preferential_claimed
                     and origin == line.origin_country_id})
    return rows


@transaction.atomic
def check_record_violation(*, check: Check, by: User, violation_type: str, description: str,
                           penalty_vnd: Decimal = Decimal(0), penalty_decision_number: str = "",
                           line_no: int | None = None,
                           if_match: str | None = None) -> Violation:
    """A violation found by this check. The first one moves the declaration to `violation`; an
    inspection's duties are recomputed from the values found (the difference is due before
    release). An audit's leaves the state as it is (the goods are gone)."""
    check = _acting(check, by, if_match)
    declaration = _declaration(check)
    if check.kind != CheckKind.AUDIT:
        declaration = _start_if_waiting(check, declaration, by)
    elif declaration.state not in {S.CLEARED, S.GATE_OUT}:
        _in_state(declaration, {S.CLEARED, S.GATE_OUT})
    line = declaration.lines.filter(line_no=line_no).first() if line_no else None
    if line_no and line is None:
        raise ValidationError({"line_no": [_("No such goods line.")]})
    violation = violation_record(declaration=declaration, found_by=by,
                                 violation_type=violation_type, description=description,
                                 found_during=check.kind, penalty_vnd=penalty_vnd,
                                 penalty_decision_number=penalty_decision_number,
                                 goods_line=line)
    event(check, CheckEventKind.VIOLATION, actor=by, reason=description,
           data={"violation": violation.pk, "type": violation_type,
                 "penalty_vnd": str(penalty_vnd)})
    if check.kind == CheckKind.AUDIT:
        return violation
    if check.kind == CheckKind.INSPECTION and check.findings.exists():
        before, now = declaration_duties_reassess(declaration=declaration,
                                                  rows=_found_rows(check, declaration))
        bump(check, duties_before_vnd=check.duties_before_vnd or before, duties_found_vnd=now)
    if declaration.state != S.VIOLATION:
        examined, share = _examined(check)
        check_outcome_record(declaration=declaration, check_kind=check.kind,
                             outcome=CheckResult.VIOLATION, decided_by=by, examined=examined,
                             share_percent=share)
        declaration.refresh_from_db()
        transition(declaration, to=S.VIOLATION, by=by, reason=description,
                   data={"check": check.pk, "violation": violation.pk})
        bump(check, outcome=CheckOutcomeKind.VIOLATION, decided_at=timezone.now())
    return violation


@transaction.atomic
def check_settle(*, check: Check, by: User, penalty_reference: str = "",
                 if_match: str | None = None) -> Check:
    """After a violation: the penalty paid (its reference) and the extra duties paid, the goods
    are released (cleared)."""
    check = _acting(check, by, if_match)
    declaration = _declaration(check)
    _in_state(declaration, {S.VIOLATION})
    for violation in Violation.objects.filter(declaration=declaration, penalty_vnd__gt=0,
                                              penalty_paid_at__isnull=True):
        if not penalty_reference.strip():
            raise StateConflict(_("The penalty is not paid: give its payment reference."),
                                code=InspectionErrorCode.PENALTY_DUE,
                                current_state=declaration.state)
        violation_penalty_pay(violation=violation, reference=penalty_reference, by=by)
    if not violations_settled(declaration):
        raise StateConflict(_("The penalty is not paid."), code=InspectionErrorCode.PENALTY_DUE,
                            current_state=declaration.state)
    if declaration.outstanding_vnd > 0:
        raise StateConflict(_("Duties of %(due)s VND are still due.")
                            % {"due": declaration.outstanding_vnd},
                            code=InspectionErrorCode.DUTIES_DUE, current_state=declaration.state)
    transition(declaration, to=S.CLEARED, by=by, reason=_("Penalty and duties paid"),
               cleared_at=timezone.now(), data={"check": check.pk})
    bump(check, state=CheckState.DONE, decided_at=check.decided_at or timezone.now())
    event(check, CheckEventKind.SETTLED, actor=by, reason=penalty_reference)
    return check


@transaction.atomic
def check_seize(*, check: Check, by: User, reason: str, if_match: str | None = None) -> Check:
    """After a violation: the goods are seized (terminal), by a decision with its reasons."""
    check = _acting(check, by, if_match)
    declaration = _declaration(check)
    _in_state(declaration, {S.VIOLATION})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the seizure decision and its reasons.")]})
    transition(declaration, to=S.SEIZED, by=by, reason=reason, data={"check": check.pk})
    bump(check, state=CheckState.DONE, decided_at=check.decided_at or timezone.now())
    event(check, CheckEventKind.SEIZED, actor=by, reason=reason)
    return check


# --- post-clearance audit ---
@transaction.atomic
def audit_conclude(*, check: Check, by: User, conclusion: str = "",
                   if_match: str | None = None) -> Check:
    """The audit's outcome: no finding, or the violations recorded on it (check_record_violation
    first); either way it counts in the history like any other."""
    check = _acting(check, by, if_match)
    if check.kind != CheckKind.AUDIT:
        raise StateConflict(_("Only an audit is concluded this way."),
                            code=InspectionErrorCode.WRONG_STATE, current_state=check.state)
    found = Violation.objects.filter(declaration_id=check.declaration_id,
                                     found_during=FoundDuring.POST_CLEARANCE_AUDIT,
                                     found_at__gte=check.opened_at).exists()
    outcome = CheckOutcomeKind.VIOLATION if found else CheckOutcomeKind.CONFORM
    _conclude(check, by, outcome, conclusion)
    check_outcome_record(declaration=check.declaration, check_kind=check.kind,
                         outcome=CheckResult.VIOLATION if found else CheckResult.CONFORM,
                         decided_by=by, examined="post-clearance audit")
    return check


# --- the gate ------------------------------------------------------------------------------------
@transaction.atomic
def gate_exit_confirm(*, declaration: Declaration, by: User, vehicle: str = "",
                      container: str = "", note: str = "") -> GateExit:
    """The gate officer lets a cleared declaration's goods out, the vehicle and container
    checked against it; anything else is refused with the reason and nothing written."""
    if getattr(by, "role", None) not in FRONTLINE_ROLES:
        raise PermissionDenied(_("Only a customs officer at the gate confirms an exit."))
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.state == S.GATE_OUT:
        raise StateConflict(_("These goods have already left."),
                            code=InspectionErrorCode.ALREADY_OUT, current_state=declaration.state)
    if declaration.state != S.CLEARED:
        raise StateConflict(_("The declaration is not cleared: the goods may not leave."),
                            code=InspectionErrorCode.NOT_CLEARED, current_state=declaration.state)
    plate = normalized_plate(vehicle) if vehicle else ""
    if plate and declaration.vehicles and plate not in declaration.vehicles:
        raise StateConflict(_("Vehicle %(plate)s is not declared for these goods.")
                            % {"plate": vehicle}, code=InspectionErrorCode.WRONG_VEHICLE,
                            current_state=declaration.state)
    box = container.replace(" ", "").upper()
    if box and box not in declaration.containers:
        raise StateConflict(_("Container %(box)s is not on this declaration.") % {"box": box},
                            code=InspectionErrorCode.WRONG_CONTAINER,
                            current_state=declaration.state)
    if declaration.outstanding_vnd > 0:
        raise StateConflict(_("Duties of %(due)s VND are still due: the goods may not leave.")
                            % {"due": declaration.outstanding_vnd},
                            code=InspectionErrorCode.DUTIES_DUE, current_state=declaration.state)
    exit_ = GateExit.objects.create(declaration=declaration, officer=by,
                                    border_gate_id=declaration.border_gate_id, vehicle=plate,
                                    container=box, note=note[:255], at=timezone.now())
    transition(declaration, to=S.GATE_OUT, by=by, reason=note,
               data={"vehicle": plate, "container": box})
    return exit_


# --- teams -------------------------------------------------------------------------------------
@transaction.atomic
def team_member_update(*, member: TeamMember, by: User, on_duty: bool | None = None,
                       daily_capacity_points: int | None = None) -> TeamMember:
    """The team's leader marks a member on duty or absent, or changes their daily capacity;
    checks waiting in the queue are offered again at once."""
    if member.team.leader_id != by.pk and getattr(by, "role", None) != "branch_leader":
        raise PermissionDenied(_("Only the team's leader changes its members."))
    fields = {}
    if on_duty is not None:
        fields["on_duty"] = on_duty
    if daily_capacity_points is not None:
        if not 10 <= daily_capacity_points <= 5000:
            raise ValidationError({"daily_capacity_points": [_("From 10 to 5,000 points.")]})
        fields["daily_capacity_points"] = daily_capacity_points
    TeamMember.objects.filter(pk=member.pk).update(**fields)
    member.refresh_from_db()
    if member.on_duty:
        checks_assign(list(Check.objects.filter(team_id=member.team_id, state=CheckState.OPEN,
                                                officer__isnull=True)))
    return member


def conflict_declare(*, officer: User, enterprise, reason: str, by: User):
    """An officer (or their leader) declares a conflict of interest with an enterprise."""
    from .models import ConflictOfInterest

    if by.pk != officer.pk and not Team.objects.filter(leader=by, members__officer=officer):
        raise PermissionDenied(_("An officer declares their own conflicts, or their leader."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    conflict, _created = ConflictOfInterest.objects.get_or_create(
        officer=officer, enterprise=enterprise, defaults={"reason": reason.strip()[:255]})
    return conflict
