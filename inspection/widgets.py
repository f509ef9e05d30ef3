"""Home cards: an officer's open work; an enterprise's checks that need it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from declarations.selectors import declarations_visible_to

from .selectors import checks_in_rows, clock_of, queue
from .selectors import enterprise_view_of as _view


def my_work_widget(request) -> dict:
    """The officer's open checks, the most urgent first."""
    mine = checks_in_rows(queue(request.user, scope="mine").values_list("pk", flat=True)[:8])
    waiting = queue(request.user, scope="unassigned").count()
    return {"template": "inspection/_widget_my_work.html", "title": _("My work"),
            "rows": [(check, clock_of(check)) for check in mine], "waiting": waiting,
            "queue_url": reverse("inspection:queue")}


def checks_of_mine_widget(request) -> dict:
    """The enterprise's declarations with issues to fix or an inspection scheduled."""
    rows = []
    for declaration in declarations_visible_to(request.user).filter(
            state__in=["amend_requested", "red", "inspection"]).order_by("-updated_at")[:10]:
        view = _view(declaration)
        scheduled = [c for c in view["checks"] if c["scheduled_at"] and not c["outcome"]]
        if view["issues"] or scheduled:
            rows.append({"d": declaration, "issues": view["issues"], "scheduled": scheduled})
    return {"template": "inspection/_widget_checks_of_mine.html",
            "title": _("Checks of my declarations"), "rows": rows}
