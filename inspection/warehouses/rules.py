"""What a declaration does to bonded stock, decided from its regime and warehouse (pure reads):
a C11 brings its lines into bond; a C12 re-export or a release for home use (an import regime
naming the warehouse) takes them out, each line from the stock it names."""

import calendar
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from customs_core.choices import Flow, WarehouseStatus
from customs_core.exceptions import ApplicationError, StateConflict
from customs_core.reference_cache import tables as reference_tables

from .choices import WarehouseErrorCode

INTO, OUT_OF = "into", "out_of"


def bond_direction(declaration) -> str | None:
    """INTO, OUT_OF, or None for a declaration that does not touch bonded stock. A declaration
    naming a warehouse under a regime that neither stores nor draws is refused (wrong_regime)."""
    if not declaration.bonded_warehouse_id:
        return None
    regime = reference_tables().regimes.get(declaration.regime_id)
    if regime is not None and regime.requires_bonded_warehouse and regime.flow == Flow.IMPORT:
        return INTO
    if declaration.flow == Flow.IMPORT or (regime is not None
                                           and regime.requires_bonded_warehouse):
        return OUT_OF
    return "wrong"


def wrong_regime(declaration) -> ApplicationError:
    return ApplicationError(
        _("Regime %(code)s neither stores goods in a bonded warehouse nor takes them out of "
          "one: use C11 to store, C12 to re-export, an import regime to release them for home "
          "use, or remove the warehouse.") % {"code": declaration.regime_id},
        code=WarehouseErrorCode.WRONG_REGIME, field="regime")


def require_active(warehouse, *, on: date, going: str) -> None:
    """409 warehouse_not_active unless the warehouse may take goods in (going=INTO) or let them
    out (OUT_OF) on that day."""
    status = warehouse.status_on(on)
    if status == WarehouseStatus.ACTIVE:
        return
    message = (_("Warehouse %(code)s is %(status)s: it takes no goods in.") if going == INTO
               else _("Warehouse %(code)s is %(status)s: nothing leaves it without an officer's "
                      "decision."))
    raise StateConflict(message % {"code": warehouse.code,
                                   "status": WarehouseStatus(status).label.lower()},
                        code=WarehouseErrorCode.WAREHOUSE_CLOSED, current_state=status)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def storage_term_until(entered_on: date) -> date:
    return add_months(entered_on, settings.BONDED_STORAGE_TERM_MONTHS)
