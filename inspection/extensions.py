"""How the inspection app plugs into the layers below it, called once from ready():
subscribers on the declaration's channel states, the enterprise-facing panel of the
declaration page, menus, home cards, the notification kind it sends."""

from django.utils.translation import gettext_lazy as _

from customs_core import notifications
from customs_core.choices import Role
from customs_core.navigation import MenuItem
from customs_core.navigation import register as register_menu
from customs_core.roles import FRONTLINE_ROLES
from declarations import events, panels
from declarations.choices import DeclarationState as S


def register() -> None:
    from customs_core.reference_data import register_loader

    from . import assigning, services, widgets
    from .panels import (
        enterprise_panel_context,
        enterprise_panel_visible,
        officer_panel_context,
        officer_panel_visible,
    )
    from .reference import teams_load

    register_loader("teams", teams_load)
    # many=True: once per transition or routing batch, so a batch costs a few queries.
    events.subscribe(assigning.on_channel, to={S.YELLOW, S.RED}, name="inspection.open-check",
                     many=True)
    events.subscribe(assigning.on_green_or_cancelled, to={S.GREEN, S.CANCELLED},
                     name="inspection.close-check", many=True)
    events.subscribe(assigning.on_cleared, to=S.CLEARED, name="inspection.audit-queue",
                     many=True)
    panels.register(panels.Panel(key="inspection-officer", template="inspection/_panel.html",
                                 order=20, visible=officer_panel_visible,
                                 context=officer_panel_context))
    panels.register(panels.Panel(key="inspection-enterprise",
                                 template="inspection/_enterprise_panel.html", order=20,
                                 visible=enterprise_panel_visible,
                                 context=enterprise_panel_context))
    notifications.register_kind(
        services.INSPECTION_SCHEDULED, _("Inspection scheduled"),
        text=_("The goods of declaration %(number)s will be inspected at %(site)s on "
               "%(scheduled_at)s."),
        prepare=services.inspection_scheduled_display)
    from customs_core.views import HOME_WIDGETS

    for role in (Role.DOC_CHECK, Role.INSPECTION, Role.TEAM_LEADER):
        if widgets.my_work_widget not in HOME_WIDGETS[role]:
            HOME_WIDGETS[role].insert(0, widgets.my_work_widget)
    if widgets.checks_of_mine_widget not in HOME_WIDGETS[Role.ENTERPRISE]:
        HOME_WIDGETS[Role.ENTERPRISE].append(widgets.checks_of_mine_widget)
    # One entry: the pages share a sub-navigation (my work, the team's queue, the team, the
    # gate, audits), which keeps the top bar on one row.
    register_menu(MenuItem(_("Checks"), "inspection:queue", FRONTLINE_ROLES),
                  before="tariff-browser")
