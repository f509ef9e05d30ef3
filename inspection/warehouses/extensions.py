"""How bonded-warehouse supervision plugs into the layers below, called once from ready():
state-change subscribers (registration reserves, clearance moves stock, cancellation and
seizure give reservations back), the declaration page's panel, the menu, the notification
kind."""

from django.utils.translation import gettext_lazy as _

from customs_core import code_lists, notifications
from customs_core.choices import CapacityUnit, WarehouseKind, WarehouseStatus
from customs_core.navigation import MenuItem
from customs_core.navigation import register as register_menu
from customs_core.roles import ENTERPRISE_ROLES, WAREHOUSE_SUPERVISOR_ROLES
from declarations import events, panels
from declarations.choices import DeclarationState as S


def register() -> None:
    from . import services
    from .choices import DrawState, MovementKind
    from .panels import draws_panel_context, draws_panel_visible

    events.subscribe(services.on_registered, to=S.SUBMITTED, name="warehouses.reserve",
                     many=True)
    events.subscribe(services.on_cleared, to=S.CLEARED, name="warehouses.move-stock", many=True)
    events.subscribe(services.on_withdrawn, to={S.CANCELLED, S.SEIZED},
                     name="warehouses.give-back", many=True)
    panels.register(panels.Panel(key="bonded-stock", template="warehouses/_draws_panel.html",
                                 order=30, visible=draws_panel_visible,
                                 context=draws_panel_context))
    notifications.register_kind(
        services.STOCK_OVERDUE, _("Bonded goods past their storage term"),
        text=_("Goods held past their storage term: %(lots)s."),
        url_name="warehouses:overdue")
    for name, choices in (("warehouse-kinds", WarehouseKind),
                          ("warehouse-statuses", WarehouseStatus),
                          ("capacity-units", CapacityUnit),
                          ("stock-movement-kinds", MovementKind),
                          ("stock-draw-states", DrawState)):
        code_lists.register(name, choices)
    # The officers who supervise and the enterprises (operators, owners); every other officer
    # reads the pages by their address (the risk officer's bar is full).
    register_menu(MenuItem(_("Bonded warehouses"), "warehouses:list",
                           WAREHOUSE_SUPERVISOR_ROLES | ENTERPRISE_ROLES),
                  before="tariff-browser")
