"""Choices of the stock ledger; labels are translated on screen."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    IN = "in", _("Entry")
    OUT = "out", _("Exit")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    ADJUSTMENT = "adjustment", _("Officer's adjustment")


# The sign a movement's quantity must have (an adjustment may go either way, never zero).
INCREASES = frozenset({MovementKind.IN, MovementKind.TRANSFER_IN})
DECREASES = frozenset({MovementKind.OUT, MovementKind.TRANSFER_OUT})


class DrawState(models.TextChoices):
    NAMED = "named", _("Named")  # on a draft: checked, nothing held yet
    RESERVED = "reserved", _("Reserved")  # registered: held until cleared or cancelled
    DRAWN = "drawn", _("Drawn")  # cleared: the exit is in the ledger
    RELEASED = "released", _("Released")  # cancelled or seized: the reservation is given back
    HELD = "held", _("Held for an officer")  # cleared while the warehouse could not let it out


class HeldState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an officer's decision")
    APPLIED = "applied", _("Applied by an officer")


class WarehouseErrorCode(models.TextChoices):
    INSUFFICIENT_STOCK = "insufficient_stock", _("Not enough stock")
    WAREHOUSE_CLOSED = "warehouse_not_active", _("Warehouse not active")
    WRONG_REGIME = "wrong_regime", _("Wrong regime")
    NOT_OWNER = "not_owner", _("Goods of another owner")
    STOCK_MISMATCH = "stock_mismatch", _("Stock does not match the goods line")
    NOT_A_DRAFT = "not_a_draft", _("Not a draft")
