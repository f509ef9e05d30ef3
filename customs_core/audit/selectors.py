"""Reading the access audit: only the roles that search it (AUDIT_VIEWER_ROLES) read a row."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

from customs_core.roles import AUDIT_VIEWER_ROLES

from .models import AuditEvent

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """Every event for a branch leader or an auditor, none for anyone else; newest first."""
    if getattr(user, "role", None) not in AUDIT_VIEWER_ROLES:
        return AuditEvent.objects.none()
    return AuditEvent.objects.order_by("-occurred_at", "-id")


def audit_events_recent(user, *, limit: int = 5) -> list[AuditEvent]:
    return list(audit_events_visible_to(user)[:limit])


# --- keyset pages: the table grows to millions of rows, so no COUNT and no OFFSET ------------
def cursor_of(event: AuditEvent) -> str:
    """The position of an event in the newest-first order, for a page link."""
    micros = (event.occurred_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}_{event.pk}"


def _position(cursor: str) -> tuple[datetime, int] | None:
    micros, _, pk = (cursor or "").partition("_")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 17 or int(pk) >= 2**63:
        return None  # not ours (and nothing a bigint column or a datetime would choke on)
    return EPOCH + timedelta(microseconds=int(micros)), int(pk)


@dataclass
class EventPage:
    events: list[AuditEvent]
    older: str | None  # cursor of the next page towards the oldest, None at the end
    newer: str | None  # cursor of the page before, None on the newest page


def audit_events_page(queryset: QuerySet[AuditEvent], *, before: str = "", after: str = "",
                      size: int = 50) -> EventPage:
    """One page of `queryset` (newest first) older than the `before` cursor, or newer than
    `after`; both walk the (occurred_at, id) index. A cursor that does not parse: the newest
    page."""
    older_than, newer_than = _position(before), _position(after)
    if newer_than is not None:
        at, pk = newer_than
        rows = list(queryset.filter(Q(occurred_at__gt=at) | Q(occurred_at=at, id__gt=pk))
                    .order_by("occurred_at", "id")[:size + 1])
        more_newer = len(rows) > size
        events = rows[:size][::-1]
        return EventPage(events, older=cursor_of(events[-1]) if events else None,
                         newer=cursor_of(events[0]) if events and more_newer else None)
    if older_than is not None:
        at, pk = older_than
        queryset = queryset.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    rows = list(queryset[:size + 1])
    events = rows[:size]
    return EventPage(events, older=cursor_of(events[-1]) if len(rows) > size else None,
                     newer=cursor_of(events[0]) if events and older_than is not None else None)
