"""The audit search (branch leader and auditor; 403 for anyone else) and its exports."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from customs_core.choices import Role
from customs_core.roles import AUDIT_VIEWER_ROLES

from . import exports
from .choices import AuditAction
from .filters import AuditEventFilterSet
from .models import AuditEvent
from .selectors import audit_events_page, audit_events_visible_to
from .services import record

PAGE_SIZE = 50
ROLES = dict(Role.choices)
PAGING = ("before", "after")


def audit_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role not in AUDIT_VIEWER_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def _searched(request) -> tuple[AuditEventFilterSet, object]:
    """The filter form and the events it finds (none while it has errors)."""
    params = request.GET.copy()
    for name in PAGING:
        params.pop(name, None)
    filterset = AuditEventFilterSet(params or None, queryset=audit_events_visible_to(request.user))
    if not filterset.is_bound:
        return filterset, filterset.queryset
    return filterset, filterset.qs if filterset.is_valid() else AuditEvent.objects.none()


def _value(name: str, value) -> str:
    if name == "role" and isinstance(value, str):
        return str(ROLES.get(value, value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "—" if value in (None, "") else str(value)


def details_text(details: dict) -> str:
    """A row's details as a person reads them: "role: Inspection officer → Risk officer"."""
    parts = []
    for name, value in (details or {}).items():
        if isinstance(value, dict) and {"old", "new"} <= set(value):
            parts.append(f"{name}: {_value(name, value['old'])} → {_value(name, value['new'])}")
        elif isinstance(value, dict) and value.get("changed"):
            parts.append(f"{name}: {_('changed')}")
        elif isinstance(value, dict):
            parts.append(f"{name}: " + ", ".join(f"{k}={_value(k, v)}" for k, v in value.items()))
        else:
            parts.append(f"{name}: {_value(name, value)}")
    return "; ".join(parts)


@audit_page
def search(request):
    filterset, events = _searched(request)
    page = audit_events_page(events, before=request.GET.get("before", ""),
                             after=request.GET.get("after", ""), size=PAGE_SIZE)
    query = request.GET.copy()
    for name in PAGING:
        query.pop(name, None)
    rows = [{"event": event, "role": ROLES.get(event.actor_role, event.actor_role),
             "details": details_text(event.details),
             "with_assessment": event.action == AuditAction.DECLARATION_VIEWED
             and "risk_assessment" in (event.details or {})} for event in page.events]
    return render(request, "audit/search.html", {
        "filter": filterset, "page": page, "rows": rows, "query": query.urlencode()})


@audit_page
def export(request, kind):
    if kind not in ("csv", "xlsx"):
        raise Http404
    filterset, events = _searched(request)
    back = f"{reverse('audit:search')}?{request.GET.urlencode()}"
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Correct the search before exporting it."))
        return redirect(back)
    if kind == "xlsx" and events[exports.XLSX_MAX_ROWS:exports.XLSX_MAX_ROWS + 1].exists():
        count = number_format(exports.XLSX_MAX_ROWS, force_grouping=True)
        messages.error(request, _("More than %(count)s events: narrow the search, or export "
                                  "it as CSV.") % {"count": count})
        return redirect(back)
    # Copying the audit out of the system is itself an access to record.
    record(request, AuditAction.AUDIT_EXPORTED,
           details={"format": kind, "filters": {name: value for name, value in
                                                request.GET.items() if value}})
    if kind == "csv":
        return exports.csv_response(events, exports.export_name("csv"))
    return exports.xlsx_response(events, exports.export_name("xlsx"))
