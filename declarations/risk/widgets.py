"""The channel-mix card of the home pages of leaders, risk officers and team leaders."""

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.choices import Channel
from declarations.selectors import channel_counts_since

from .selectors import pending_channel_requests_count, routing_backlog

COLOURS = {Channel.GREEN: "#1f8a4c", Channel.YELLOW: "#c99a06", Channel.RED: "#c0392b"}


def channel_mix_widget(request) -> dict:
    """Channel mix of the last 30 days as a doughnut, the routing backlog, pending requests."""
    counts = channel_counts_since(timezone.now() - timedelta(days=30))
    total = sum(counts.values())
    chart = {"type": "doughnut", "data": {
        "labels": [str(label) for label in Channel.labels],
        "datasets": [{"data": [counts.get(c, 0) for c in Channel.values],
                      "backgroundColor": [COLOURS[c] for c in Channel.values]}]},
        "options": {"plugins": {"legend": {"position": "bottom"}}}}
    rows = [(Channel(c).label, counts.get(c, 0), (counts.get(c, 0) * 100 / total) if total else 0)
            for c in Channel.values]
    return {"template": "risk/_widget_channel_mix.html",
            "title": _("Channel mix, last 30 days"),
            "chart": json.dumps(chart), "rows": rows, "total": total,
            "waiting": routing_backlog().waiting,
            "requests": pending_channel_requests_count(),
            "requests_url": reverse("risk:requests")}
