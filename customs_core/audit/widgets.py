"""The home card of those who search the audit: the last events and the way to the search.
For the branch leader it is also the way in (the top bar has no room for one more entry)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import audit_events_recent


def audit_widget(request) -> dict:
    return {"template": "audit/_home_card.html", "title": _("Access audit: the latest events"),
            "events": audit_events_recent(request.user, limit=5),
            "url": reverse("audit:search")}
