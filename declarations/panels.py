"""Detail-page panels: each app adds a section to the declaration page (the risk assessment,
the inspection, the ratings...) without declarations knowing it, as menus and home cards are
added (DESIGN.md §3).

    # declarations/risk/extensions.py
    panels.register(Panel(key="risk", template="risk/_officer_panel.html", order=10,
                          visible=lambda user, d: user.is_officer, context=risk_panel_context))

`context(request, declaration)` reads through the app's own selectors and returns the
template's context; it is called only when `visible(user, declaration)` is true.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    visible: Callable  # (user, declaration) -> bool
    context: Callable  # (request, declaration) -> dict
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add (or replace, by key) a panel of the declaration page."""
    _PANELS[panel.key] = panel


def unregister(key: str) -> None:
    _PANELS.pop(key, None)


def panels_for(request, declaration, *, exclude=()) -> list[SafeString]:
    """The panels this user may see on this declaration, rendered, in order (`exclude`: keys
    of panels a page shows otherwise, e.g. the inspection workbench its own check)."""
    rendered = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if panel.key not in exclude and panel.visible(request.user, declaration):
            context = {"d": declaration, "user": request.user,
                       **panel.context(request, declaration)}
            rendered.append(render_to_string(panel.template, context, request=request))
    return rendered
