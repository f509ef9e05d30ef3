"""The officers' pages: the queue (my work, the team's, the branch's) with the check's
workbench beside it, the team leader's page, the gate, the audit queue.

The queue and the workbench speak htmx: claiming or reassigning re-renders the row, any action
on the workbench re-renders the workbench and tells the queue to refresh (HX-Trigger); the
same URLs answer a plain browser with whole pages and redirects."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record_officer_read
from customs_core.exceptions import ApplicationError, PreconditionFailed, StateConflict
from customs_core.models import BorderGate, Enterprise, User
from customs_core.roles import FRONTLINE_ROLES, TEAM_LEADER_ROLES
from declarations.choices import DocumentType
from declarations.documents import document_response
from declarations.models import Declaration
from declarations.panels import panels_for
from declarations.selectors import declaration_detail_for

from . import selectors, services
from .actions import check_actions
from .choices import DocumentStatus
from .forms import (
    AmendmentForm,
    AttachmentForm,
    ConclusionForm,
    FindingForm,
    GateExitForm,
    GateLookupForm,
    MemberForm,
    QueueFilterForm,
    ReasonForm,
    ReassignForm,
    ScheduleForm,
    SettleForm,
    ViolationForm,
    checklist_items,
)
from .models import Check, Team, TeamMember

QUEUE_PAGE_SIZE = 25


def _require_frontline(request) -> None:
    if getattr(request.user, "role", None) not in FRONTLINE_ROLES:
        raise PermissionDenied


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the queue -----------------------------------------------------------------------------------
class _Row:
    """A queue row: the check, its clock, what this user may do with it."""

    def __init__(self, check, *, user, member_team_id, officers):
        self.check = check
        self.clock = selectors.clock_of(check)
        self.waiting_minutes = int((timezone.now() - check.opened_at).total_seconds() // 60)
        self.actions = check_actions(user, check, member_team_id=member_team_id)
        self.reassign_to = officers if "reassign" in self.actions else None


def _rows(checks, user) -> list[_Row]:
    member_team_id = selectors.team_id_of(user)
    team_ids = {c.team_id for c in checks if c.team_id and c.team.leader_id == user.pk}
    officers = selectors.team_officers(team_ids)
    return [_Row(c, user=user, member_team_id=member_team_id,
                 officers=[o for o in officers.get(c.team_id, [])
                           if o.role in services.KIND_ROLES[c.kind]]) for c in checks]


def _default_scope(user) -> str:
    if selectors.teams_led_by(user):
        return "team"
    return "mine" if selectors.team_id_of(user) else "all"


def _queue_query(request) -> str:
    """The filters of the queue an htmx request came from: a row re-rendered after a claim or
    a reassignment keeps its links in that queue (its scope, its filters)."""
    query = QueryDict(urlsplit(request.headers.get("HX-Current-URL", "")).query, mutable=True)
    for name in ("page", "partial", "check"):
        query.pop(name, None)
    return query.urlencode()


def _selected(request) -> int | None:
    value = request.GET.get("check", "")
    return int(value) if value.isdigit() and len(value) < 18 else None


@login_required
def queue_page(request):
    _require_frontline(request)
    gates = BorderGate.objects.filter(is_active=True).order_by("code")
    form = QueueFilterForm(request.GET or None, gates=gates)
    filters = form.cleaned_data if form.is_valid() else {}
    scope = filters.get("scope") or _default_scope(request.user)
    checks = selectors.queue(request.user, scope=scope, kind=filters.get("kind", ""),
                             overdue=filters.get("overdue", False),
                             border_gate=filters.get("border_gate", ""),
                             number=filters.get("number", ""))
    page = Paginator(checks.values_list("pk", flat=True),
                     QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("partial", None)
    query.pop("check", None)
    context = {"form": form, "scope": scope, "page": page,
               "rows": _rows(selectors.checks_in_rows(page.object_list), request.user),
               "query": query.urlencode(), "selected": _selected(request)}
    if _htmx(request) and request.GET.get("partial") == "rows":
        return render(request, "inspection/_queue_rows.html", context)
    return render(request, "inspection/queue.html", context)


# --- the workbench -------------------------------------------------------------------------------
def _workbench_context(request, check: Check, *, forms: dict | None = None) -> dict:
    declaration = declaration_detail_for(request.user, check.declaration_id)
    actions = check_actions(request.user, check, member_team_id=selectors.team_id_of(request.user),
                            declaration_state=declaration.state)
    forms = forms or {}
    items = {item.document_id: item for item in check.items.all()}
    findings = {f.line_no: f for f in check.findings.all()}
    team_sites = check.team.sites.all() if check.team_id else None
    context = {
        "check": check, "d": declaration, "clock": selectors.clock_of(check),
        "actions": actions,
        "panels": panels_for(request, declaration, exclude={"inspection-officer"}),
        "documents": [(doc, items.get(doc.pk)) for doc in declaration.documents.all()],
        "missing_items": [i for i in check.items.all() if i.document_id is None],
        "document_statuses": DocumentStatus.choices,
        "document_types": DocumentType.choices,
        "finding_rows": _finding_rows(declaration, findings, forms.get("findings")),
        "events": sorted(check.events.all(), key=lambda e: (e.at, e.pk)),
        "violations": list(declaration.violations.order_by("found_at")),
        "other_checks": list(declaration.checks.exclude(pk=check.pk).order_by("opened_at")),
        "reason_form": forms.get("escalate") or ReasonForm(auto_id="esc_%s"),
        "seize_form": forms.get("seize") or ReasonForm(auto_id="seize_%s"),
        "conclusion_form": forms.get("clear") or ConclusionForm(auto_id="clr_%s"),
        "audit_form": forms.get("audit_conclude") or ConclusionForm(auto_id="aud_%s"),
        "amendment_form": forms.get("request_amendment") or AmendmentForm(auto_id="amd_%s"),
        "schedule_form": forms.get("schedule") or ScheduleForm(
            sites=team_sites, auto_id="sch_%s",
            initial={"method": check.method or "full", "share_percent": check.share_percent,
                     "site": check.site.code if check.site_id else None,
                     "scheduled_at": check.scheduled_at}),
        "violation_form": forms.get("violation") or ViolationForm(auto_id="vio_%s"),
        "settle_form": forms.get("settle") or SettleForm(auto_id="stl_%s"),
        "attachment_form": forms.get("attach") or AttachmentForm(auto_id="att_%s"),
        "reassign_form": forms.get("reassign") or ReassignForm(
            officers=[o for o in selectors.team_officers({check.team_id}).get(check.team_id, [])
                      if o.role in services.KIND_ROLES[check.kind]], auto_id="wre_%s"),
    }
    return context


def _finding_rows(declaration: Declaration, findings: dict, posted: dict | None) -> list:
    rows = []
    for line in declaration.lines.all():
        found = findings.get(line.line_no)
        form = (posted or {}).get(line.line_no) or FindingForm(
            prefix=f"line-{line.line_no}",
            initial={"found_quantity": found.found_quantity if found else line.quantity,
                     "found_hs_code": found.found_hs_code if found else line.tariff_line.hs_code,
                     "found_origin": found.found_origin if found else line.origin_country_id,
                     "found_unit_price": found.found_unit_price if found else line.unit_price,
                     "note": found.note if found else ""})
        rows.append({"line": line, "found": found, "form": form})
    return rows


@login_required
def check_page(request, pk):
    _require_frontline(request)
    check = selectors.check_detail_for(request.user, pk)
    context = _workbench_context(request, check)
    # The workbench shows the declaration (and its risk panel): a read, as its own page is.
    record_officer_read(request, AuditAction.DECLARATION_VIEWED, context["d"],
                        details={"check": check.pk})
    if _htmx(request):
        return render(request, "inspection/_workbench.html", context)
    return render(request, "inspection/check.html", context)


def _if_match(request) -> str | None:
    version = request.POST.get("version", "")
    return f'"check-{request.POST.get("check_id", "")}-{version}"' if version else None


def _do_claim(request, check):
    services.check_claim(check=check, by=request.user)
    return _("You took this check.")


def _do_reassign(request, check):
    officers = selectors.team_officers({check.team_id}).get(check.team_id, [])
    form = ReassignForm(request.POST, officers=officers)
    if not form.is_valid():
        raise _Invalid("reassign", form)
    officer = User.objects.get(pk=form.cleaned_data["officer"])
    services.check_reassign(check=check, officer=officer, by=request.user,
                            reason=form.cleaned_data["reason"], if_match=_if_match(request))
    return _("Reassigned to %(name)s.") % {"name": officer.get_full_name() or officer.username}


def _do_start(request, check):
    services.check_start(check=check, by=request.user, if_match=_if_match(request))
    return _("Check started.")


def _do_checklist(request, check):
    items, errors = checklist_items(request.POST, check.declaration.documents.all())
    if errors:
        raise ValidationError(list(errors.values()))
    services.checklist_save(check=check, by=request.user, items=items,
                            if_match=_if_match(request))
    return _("Checklist saved.")


# Workbench actions whose form's fields are the service's arguments: (form, the prefix of its
# ids on the workbench, the service, what the officer is told).
FORM_ACTIONS = {
    "request_amendment": (AmendmentForm, "amd", services.check_request_amendment,
                          gettext_lazy("Amendment requested: the enterprise sees the issues "
                                       "on its declaration.")),
    "escalate": (ReasonForm, "esc", services.check_escalate,
                 gettext_lazy("Sent to physical inspection.")),
    "clear": (ConclusionForm, "clr", services.check_clear,
              gettext_lazy("Cleared: the goods may leave once the duties are paid.")),
    "violation": (ViolationForm, "vio", services.check_record_violation,
                  gettext_lazy("Violation recorded.")),
    "settle": (SettleForm, "stl", services.check_settle,
               gettext_lazy("Settled: the goods are released.")),
    "seize": (ReasonForm, "seize", services.check_seize, gettext_lazy("The goods are seized.")),
    "audit_conclude": (ConclusionForm, "aud", services.audit_conclude,
                       gettext_lazy("Audit concluded.")),
}


def _form_action(name):
    form_class, prefix, service, done = FORM_ACTIONS[name]

    def do(request, check):
        form = form_class(request.POST, auto_id=f"{prefix}_%s")
        if not form.is_valid():
            raise _Invalid(name, form)
        service(check=check, by=request.user, **form.cleaned_data, if_match=_if_match(request))
        return str(done)

    return do


def _do_schedule(request, check):
    form = ScheduleForm(request.POST, sites=check.team.sites.all() if check.team_id else None,
                        auto_id="sch_%s")
    if not form.is_valid():
        raise _Invalid("schedule", form)
    services.inspection_schedule(check=check, by=request.user, **form.cleaned_data,
                                 if_match=_if_match(request))
    return _("Inspection scheduled: the enterprise has been told.")


def _do_findings(request, check):
    posted, findings = {}, []
    for line in check.declaration.lines.all():
        form = FindingForm(request.POST, prefix=f"line-{line.line_no}")
        posted[line.line_no] = form
        if form.is_valid():
            findings.append({"line_no": line.line_no, **form.cleaned_data})
    if any(not f.is_valid() for f in posted.values()):
        raise _Invalid("findings", posted)
    services.findings_save(check=check, by=request.user, findings=findings,
                           if_match=_if_match(request))
    return _("Findings saved.")


def _do_attach(request, check):
    form = AttachmentForm(request.POST, request.FILES, auto_id="att_%s")
    if not form.is_valid():
        raise _Invalid("attach", form)
    services.attachment_add(check=check, by=request.user, **form.cleaned_data)
    return _("Attached.")


ACTIONS = {"claim": _do_claim, "reassign": _do_reassign, "start": _do_start,
           "checklist": _do_checklist, "schedule": _do_schedule, "findings": _do_findings,
           "attach": _do_attach, **{name: _form_action(name) for name in FORM_ACTIONS}}


class _Invalid(Exception):
    """A form of the workbench did not parse: shown again with its errors."""

    def __init__(self, name, form):
        super().__init__(name)
        self.name, self.form = name, form


@login_required
@require_POST
def check_action(request, pk, name):
    """One action on a check; answers the row (from the queue), the workbench (htmx) or a
    redirect to it. Refusals (403, 409, 412) become messages; nothing is written."""
    _require_frontline(request)
    do = ACTIONS.get(name)
    if do is None:
        raise Http404
    check = selectors.check_get_for(request.user, pk)
    forms, refused = {}, False
    try:
        messages.success(request, do(request, check))
    except _Invalid as exc:
        forms[exc.name] = exc.form
        refused = True
        messages.error(request, _("Correct the fields marked below."))
    except ValidationError as exc:
        refused = True
        for message in exc.messages:
            messages.error(request, message)
    except (PermissionDenied, ApplicationError, StateConflict, PreconditionFailed) as exc:
        refused = True
        messages.error(request, getattr(exc, "message", None) or str(exc)
                       or _("You may not do this."))
    if not _htmx(request):
        return redirect("inspection:check", pk=check.pk)
    check = selectors.check_detail_for(request.user, pk)
    if request.POST.get("from") == "queue":
        row = _rows([check], request.user)[0]
        response = render(request, "inspection/_queue_row.html",
                          {"row": row, "in_row": True, "query": _queue_query(request)})
    else:
        response = render(request, "inspection/_workbench.html",
                          _workbench_context(request, check, forms=forms))
    if not refused and request.POST.get("from") != "queue":
        # The workbench changed a row the list shows: refresh it. An action from a row has
        # re-rendered that row already (with its message); the others refresh on their clock.
        response["HX-Trigger"] = "queue-changed"
    return response


@login_required
def attachment_file(request, pk, attachment_pk):
    check = selectors.check_get_for(request.user, pk)
    attachment = check.attachments.filter(pk=selectors.pk_or_404(attachment_pk)).first()
    if attachment is None:
        raise Http404
    return document_response(attachment)


# --- the team leader's page ----------------------------------------------------------------------
@login_required
def team_page(request):
    user = request.user
    if user.role not in TEAM_LEADER_ROLES:
        raise PermissionDenied
    teams = (list(Team.objects.order_by("code")) if user.role == "branch_leader"
             else selectors.teams_led_by(user))
    sections = [selectors.team_overview(team) for team in teams]
    enterprises = Enterprise.objects.order_by("name").only("pk", "name", "tax_code")
    return render(request, "inspection/team.html",
                  {"sections": sections, "enterprises": enterprises})


@login_required
@require_POST
def member_update(request, member_pk):
    member = TeamMember.objects.select_related("team", "officer").filter(
        pk=selectors.pk_or_404(member_pk)).first()
    if member is None:
        raise Http404
    form = MemberForm(request.POST, auto_id=f"m{member.pk}_%s")
    if form.is_valid():
        try:
            member = services.team_member_update(member=member, by=request.user,
                                                 **form.cleaned_data)
            messages.success(request, _("%(name)s updated.")
                             % {"name": member.officer.get_full_name() or member.officer.username})
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Capacity is from 10 to 5,000 points."))
    return redirect("inspection:team")


@login_required
@require_POST
def conflict_add(request):
    officer = User.objects.filter(pk=selectors.pk_or_404(request.POST.get("officer"))).first()
    enterprise = Enterprise.objects.filter(
        pk=selectors.pk_or_404(request.POST.get("enterprise"))).first()
    if officer is None or enterprise is None:
        raise Http404
    try:
        services.conflict_declare(officer=officer, enterprise=enterprise,
                                  reason=request.POST.get("reason", ""), by=request.user)
        messages.success(request, _("Conflict of interest recorded: %(name)s gets no work of "
                                    "%(enterprise)s.")
                         % {"name": officer.get_full_name() or officer.username,
                            "enterprise": enterprise.name})
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("inspection:team")


# --- the gate ------------------------------------------------------------------------------------
@login_required
def gate_page(request):
    _require_frontline(request)
    form = GateLookupForm(request.GET or None)
    results = []
    if form.is_valid():
        results = [{"d": d, "refusal": selectors.gate_refusal(d),
                    "form": GateExitForm(auto_id=f"g{d.pk}_%s", initial={
                        "vehicle": selectors.matching_plate(d, form.cleaned_data["q"]),
                        "container": d.containers[0] if len(d.containers) == 1 else ""})}
                   for d in selectors.gate_lookup(form.cleaned_data["q"])]
    return render(request, "inspection/gate.html",
                  {"form": form, "results": results, "searched": form.is_valid()})


@login_required
@require_POST
def gate_exit(request, declaration_pk):
    _require_frontline(request)
    declaration = Declaration.objects.filter(pk=selectors.pk_or_404(declaration_pk)).first()
    if declaration is None:
        raise Http404
    form = GateExitForm(request.POST)
    if form.is_valid():
        try:
            services.gate_exit_confirm(declaration=declaration, by=request.user,
                                       **form.cleaned_data)
            messages.success(request, _("Gate-out confirmed for %(number)s.")
                             % {"number": declaration.number})
        except (PermissionDenied, StateConflict) as exc:
            messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.error(request, _("Check the vehicle and container."))
    return redirect(f"{reverse('inspection:gate')}?q={request.POST.get('q', declaration.number)}")
