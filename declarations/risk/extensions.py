"""How the risk engine plugs into the layers below it, called once from RiskConfig.ready():
a state-change subscriber queues routing, a panel shows the assessment on the declaration
page, a /healthz check and a /metrics gauge report the backlog, menu entries and a home card
for officers. No module below imports this app."""

from django.utils.translation import gettext_lazy as _

from customs_core import health
from customs_core.choices import Role
from customs_core.navigation import MenuItem
from customs_core.navigation import register as register_menu
from customs_core.observability.metrics import register_gauge
from customs_core.roles import BRANCH_LEADER_ROLES, RISK_VIEWER_ROLES
from customs_core.views import HOME_WIDGETS
from declarations import demo as declarations_demo
from declarations import events, panels
from declarations.choices import DeclarationState


def register() -> None:
    from . import cache, demo, tasks, widgets
    from .health import routing_health
    from .panels import risk_panel_context, risk_panel_visible
    from .selectors import routing_backlog

    cache.connect_signals()
    events.subscribe(tasks.route_when_submitted, to=DeclarationState.SUBMITTED,
                     name="risk.route-when-submitted")
    panels.register(panels.Panel(key="risk", template="risk/_officer_panel.html", order=10,
                                 visible=risk_panel_visible, context=risk_panel_context))
    health.register("routing", routing_health)
    register_gauge("customs_routing_backlog", "Declarations submitted and waiting for routing.",
                   lambda: routing_backlog().waiting)
    declarations_demo.register_router(demo.RiskRouter)
    for role in (Role.BRANCH_LEADER, Role.RISK, Role.TEAM_LEADER):
        if widgets.channel_mix_widget not in HOME_WIDGETS[role]:
            HOME_WIDGETS[role].append(widgets.channel_mix_widget)
    register_menu(MenuItem(_("Risk rules"), "risk:rules", RISK_VIEWER_ROLES - {Role.ADMIN}),
                  before="tariff-browser")
    register_menu(MenuItem(_("Channel requests"), "risk:requests",
                           BRANCH_LEADER_ROLES | {Role.RISK, Role.TEAM_LEADER}),
                  before="tariff-browser")
