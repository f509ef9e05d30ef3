"""How the reporting app plugs into the layers below it, called once from ready(): the menu
entries of its pages, the branch leader's home card, the rollup-lag gauge of /metrics. The
revenue targets are reached from the dashboard's sub-navigation: one more top-bar entry wraps
the leader's bar in Vietnamese."""

from django.utils.translation import gettext_lazy as _

from customs_core.choices import Role
from customs_core.navigation import MenuItem
from customs_core.navigation import register as register_menu
from customs_core.observability.metrics import register_gauge
from customs_core.roles import ENTERPRISE_ROLES, TEAM_LEADER_ROLES


def register() -> None:
    from customs_core.views import HOME_WIDGETS

    from . import selectors, widgets

    register_menu(MenuItem(_("Dashboard"), "reporting:dashboard", TEAM_LEADER_ROLES),
                  before="tariff-browser")
    register_menu(MenuItem(_("My statistics"), "reporting:mine", ENTERPRISE_ROLES),
                  before="tariff-browser")
    if widgets.dashboard_widget not in HOME_WIDGETS[Role.BRANCH_LEADER]:
        HOME_WIDGETS[Role.BRANCH_LEADER].insert(0, widgets.dashboard_widget)
    register_gauge("customs_rollup_lag_seconds",
                   "Age of the oldest change the rollups have not taken in yet (0: up to date).",
                   selectors.rollup_lag_seconds)

