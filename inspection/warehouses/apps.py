from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehousesConfig(AppConfig):
    """Supervision of bonded warehouses and duty-free shops (DESIGN.md §6): the stock ledger
    that cleared C11 entries fill and C12 re-exports or releases for home use draw on, the
    storage terms, the monthly report. Part of inspection's layer; it plugs into declarations
    through state-change subscribers and a panel (extensions.py), and knows nothing of
    inspection's checks."""

    name = "inspection.warehouses"
    label = "warehouses"
    verbose_name = _("Bonded warehouses")

    def ready(self):
        from . import extensions

        extensions.register()
