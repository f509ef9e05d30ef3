"""The bell beside the user's name, and the home page's support card."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors, stats
from .choices import AWAITING_DESK, NOT_CLOSED


def bell_context(request) -> dict:
    return {"unread": selectors.unread_count(request.user)}


def support_widget(request) -> dict:
    """An enterprise's requests not closed; a desk officer's requests waiting for an answer."""
    user = request.user
    visible = selectors.requests_visible_to(user)
    if user.is_declarant:
        mine = visible.filter(state__in=NOT_CLOSED)
    elif selectors.is_desk(user):
        mine = visible.filter(state__in=AWAITING_DESK, assigned_to=user)
    else:
        return {"template": "partnership/_home_card.html", "hidden": True}
    return {"template": "partnership/_home_card.html", "title": _("Support requests"),
            "rows": list(mine.order_by("due_at", "-created_at")[:5]), "count": mine.count(),
            "desk": not user.is_declarant, "url": reverse("partnership:requests")}


def satisfaction_widget(request) -> dict:
    """The branch leader's card: the satisfaction index and answers on time (12 months)."""
    since = timezone.now() - timedelta(days=365)
    return {"template": "partnership/_home_satisfaction.html", "title": _("Service quality"),
            "summary": stats.satisfaction_summary(since),
            "compliance": stats.compliance(since), "url": reverse("partnership:satisfaction")}
