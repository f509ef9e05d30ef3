"""Writing the access audit: `record()` is one INSERT; who, from where and the request id come
from the request. Code without the request in hand (a service called by a page and the API, a
signal) passes None and gets the request of the work in hand from CurrentRequestMiddleware.
"""

import ipaddress

from django.conf import settings
from django.db import models

from .choices import AuditAction
from .middleware import current_request
from .models import AuditEvent

USER_AGENT_MAX = AuditEvent._meta.get_field("user_agent").max_length
LABEL_MAX = AuditEvent._meta.get_field("object_label").max_length
NOTES = "_audit_notes"


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with AUDIT_TRUSTED_PROXIES = n proxies in front of the app, the address
    the outermost of them saw (X-Forwarded-For's n-th entry from the right: what a client
    writes further left is not to be trusted)."""
    meta = request.META
    address = meta.get("REMOTE_ADDR", "")
    proxies = settings.AUDIT_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def note(request, **details) -> None:
    """Details for the next row recorded for this request: a panel of the declaration page
    says it showed the risk assessment, and the page's own row carries it."""
    request = getattr(request, "_request", request)  # a DRF request: the request it wraps
    if request is not None:
        request.__dict__.setdefault(NOTES, {}).update(details)


def record(request, action: AuditAction | str, obj: models.Model | None = None, *,
           label: str | None = None, details: dict | None = None,
           actor=None) -> AuditEvent:
    """Write one audit row (one INSERT, no read). `request`: the request (a DRF request too),
    or None for the one in hand if any; `actor`: who acted when not the request's user (a
    service's `by`); `label`: how the object reads to a person (default str(obj)). Notes the
    request carries (note()) join the details."""
    request = getattr(request, "_request", request) or current_request()
    where = {}
    if request is not None:
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
        notes = request.__dict__.pop(NOTES, None)
        if notes:
            details = {**notes, **(details or {})}
        where = {"ip_address": client_ip(request),
                 "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
                 "request_id": str(getattr(request, "request_id", "") or "")[:64]}
    if obj is not None:
        label = str(obj) if label is None else label
    return AuditEvent.objects.create(
        actor=actor, actor_username=getattr(actor, "username", ""),
        actor_role=getattr(actor, "role", ""), action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label or "")[:LABEL_MAX], details=details or {}, **where)


def record_officer_read(request, action: AuditAction | str, obj: models.Model, *,
                        label: str | None = None, details: dict | None = None
                        ) -> AuditEvent | None:
    """record() for a read of confidential data: officers' reads only (an enterprise reading
    its own declaration is not an access to audit)."""
    if not getattr(request.user, "is_officer", False):
        return None
    return record(request, action, obj, label=label, details=details)
