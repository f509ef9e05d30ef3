"""The branch leader's home card: this year so far, three figures of the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .serializing import plain


def dashboard_widget(request) -> dict:
    """Declarations registered this year, the green channel's share, the year's budget revenue
    against its target: the same figures (and shape) as the dashboard's tiles."""
    found = selectors.default_filters()
    return {"template": "reporting/_home_dashboard.html", "title": _("This year so far"),
            "totals": plain(selectors.totals(found)),
            "revenue": plain(selectors.revenue_progress(found.date_to.year)),
            "url": reverse("reporting:dashboard")}
