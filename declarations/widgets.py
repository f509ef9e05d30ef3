"""Cards the declarations app adds to role home pages (customs_core.views.HOME_WIDGETS)."""

import json
from datetime import timedelta

from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Channel
from .choices import DeclarationState as S
from .models import ChannelChangeRequest, Declaration
from .selectors import declarations_visible_to

COLOURS = {Channel.GREEN: "#1f8a4c", Channel.YELLOW: "#c99a06", Channel.RED: "#c0392b"}


def channel_mix_widget(request) -> dict:
    """Channel mix of the last 30 days as a doughnut (leaders and risk officers)."""
    since = timezone.now() - timedelta(days=30)
    counts = dict(Declaration.objects.filter(submitted_at__gte=since).exclude(channel="")
                  .values_list("channel").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    chart = {"type": "doughnut", "data": {
        "labels": [str(label) for label in Channel.labels],
        "datasets": [{"data": [counts.get(c, 0) for c in Channel.values],
                      "backgroundColor": [COLOURS[c] for c in Channel.values]}]},
        "options": {"plugins": {"legend": {"position": "bottom"}}}}
    rows = [(Channel(c).label, counts.get(c, 0), (counts.get(c, 0) * 100 / total) if total else 0)
            for c in Channel.values]
    return {"template": "declarations/_widget_channel_mix.html",
            "title": _("Channel mix, last 30 days"),
            "chart": json.dumps(chart), "rows": rows, "total": total,
            "waiting": Declaration.objects.filter(state=S.SUBMITTED).count(),
            "requests": ChannelChangeRequest.objects.filter(status="pending").count(),
            "requests_url": reverse("risk:requests")}


def my_declarations_widget(request) -> dict:
    """The declarant's latest declarations and what is still owed."""
    mine = declarations_visible_to(request.user)
    return {"template": "declarations/_widget_my_declarations.html",
            "latest": list(mine.order_by("-created_at")[:5]),
            "drafts": mine.filter(state=S.DRAFT).count(),
            "unpaid": mine.exclude(state__in=[S.DRAFT, S.CANCELLED])
            .filter(paid_vnd__lt=F("total_duty_vnd")).count()}
