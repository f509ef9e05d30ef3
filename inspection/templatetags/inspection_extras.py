"""How a check's history reads: the system's reasons (assignment rules, reopening, cancelling)
are stored as codes and figures, and said here in the page's language; reasons typed by
officers are shown as typed."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

WHY = {
    "amended": gettext_lazy("The enterprise amended the declaration."),
    "channel_changed": gettext_lazy("The declaration changed channel."),
    "green": gettext_lazy("The declaration was lowered to green."),
    "cancelled": gettext_lazy("The declaration was cancelled."),
}


def _assignment_text(data: dict) -> str:
    rule = data.get("rule")
    loads = data.get("loads") or {}
    if rule == "least_load":
        return _("Least open work among the officers on duty with room.")
    if rule == "rotation_waived":
        return _("Rotation waived: no other officer on duty has room.")
    if rule == "queue":
        if not loads:
            return _("No officer of the team is on duty: left in the team's queue.")
        if len(data.get("conflicted") or []) >= len(loads):
            return _("Every officer on duty has a conflict of interest: left in the queue.")
        return _("Every officer on duty is at capacity: left in the team's queue.")
    return ""


@register.filter
def event_note(event) -> str:
    data = event.data or {}
    if data.get("rule"):
        return _assignment_text(data)
    if data.get("why") in WHY:
        return str(WHY[data["why"]])
    return event.reason


@register.filter
def event_loads(event) -> list[dict]:
    """The load figures behind an assignment, one per officer, least loaded first."""
    loads = (event.data or {}).get("loads") or {}
    return sorted(loads.values(), key=lambda row: (row.get("open_points", 0), row.get("name", "")))
