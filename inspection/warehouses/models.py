"""The stock ledger of bonded warehouses (DESIGN.md §6).

A StockItem is one balance: goods of one owner, in one warehouse, of one HS line, description
and lot (the lot is the entry declaration's number and line unless an officer names another).
Its `quantity` only ever changes together with one append-only StockMovement row, in the same
transaction, by a conditional UPDATE (ledger.py): the sum of an item's movements is its
quantity, and the database refuses a negative quantity or more reserved than held.

A StockDraw is what a C12 re-export or a release for home use names per goods line: checked
on the draft, reserved at registration, drawn (an exit movement) at clearance, released on
cancellation or seizure.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now

from customs_core.models import BondedWarehouse, Enterprise, TariffLine
from declarations.models import Declaration

from .choices import DECREASES, INCREASES, DrawState, HeldState, MovementKind

QUANTITY = {"max_digits": 16, "decimal_places": 3}
ZERO = Decimal(0)


class StockItem(models.Model):
    warehouse = models.ForeignKey(BondedWarehouse, on_delete=models.PROTECT,
                                  related_name="stock_items", db_index=False)
    owner = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="bonded_stock")
    tariff_line = models.ForeignKey(TariffLine, on_delete=models.PROTECT, related_name="+",
                                    db_index=False)
    description = models.CharField(max_length=400)
    lot = models.CharField(max_length=64)
    unit = models.CharField(max_length=8)
    quantity = models.DecimalField(**QUANTITY, default=ZERO)  # on hand: the ledger's sum
    reserved = models.DecimalField(**QUANTITY, default=ZERO)  # promised to registered exits
    entry_declaration = models.ForeignKey(Declaration, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          db_index=False)
    entered_on = models.DateField()  # the storage term runs from here
    term_until = models.DateField()  # entered_on + the term, moved by officers' extensions
    overdue_since = models.DateField(null=True, blank=True)  # flagged by the beat task
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse_id", "entered_on", "id"]
        indexes = [
            models.Index(fields=["warehouse", "owner"], name="stock_warehouse_owner"),
            models.Index(fields=["term_until"], condition=Q(quantity__gt=0),
                         name="stock_term_while_held"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "owner", "tariff_line", "description",
                                            "lot"], name="stock_item_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
            models.CheckConstraint(condition=Q(reserved__lte=F("quantity")),
                                   name="stock_reserved_lte_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.description}"

    @property
    def available(self) -> Decimal:
        return self.quantity - self.reserved

    def is_overdue_on(self, day) -> bool:
        return self.quantity > 0 and self.term_until < day


class StockMovement(models.Model):
    """One line of the append-only ledger (the database refuses UPDATE and DELETE)."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="movements",
                             db_index=False)
    # The item's warehouse, kept on the row: the movement list and the monthly report read
    # one warehouse's rows by date without a join.
    warehouse = models.ForeignKey(BondedWarehouse, on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    quantity = models.DecimalField(**QUANTITY)  # signed: what it did to the balance
    declaration = models.ForeignKey(Declaration, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False)
    line_no = models.PositiveSmallIntegerField(null=True, blank=True)
    transfer = models.UUIDField(null=True, blank=True)  # the two halves of one transfer
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.TextField(blank=True)
    balance_after = models.DecimalField(**QUANTITY)
    at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["warehouse", "at"], name="movement_warehouse_at"),
            models.Index(fields=["item", "at"], name="movement_item_at"),
            models.Index(fields=["declaration"], condition=Q(declaration__isnull=False),
                         name="movement_declaration"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MovementKind.values),
                                   name="movement_kind_valid"),
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_0"),
            models.CheckConstraint(condition=~Q(kind__in=sorted(INCREASES)) | Q(quantity__gt=0),
                                   name="movement_increase_positive"),
            models.CheckConstraint(condition=~Q(kind__in=sorted(DECREASES)) | Q(quantity__lt=0),
                                   name="movement_decrease_negative"),
            models.CheckConstraint(condition=Q(balance_after__gte=0),
                                   name="movement_balance_gte_0"),
            models.CheckConstraint(condition=~Q(kind=MovementKind.ADJUSTMENT) | ~Q(reason=""),
                                   name="movement_adjustment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} ({self.item_id})"


class TermExtension(models.Model):
    """An officer moved an item's storage term (each extension kept, with its reason)."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="extensions")
    previous_until = models.DateField()
    until = models.DateField()
    reason = models.TextField()
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(until__gt=F("previous_until")),
                                   name="extension_moves_forward"),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.previous_until} -> {self.until}"


class StockDraw(models.Model):
    """A goods line of an exit declaration (C12, release for home use) names its stock."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                    related_name="stock_draws", db_index=False)
    line_no = models.PositiveSmallIntegerField()
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="draws")
    quantity = models.DecimalField(**QUANTITY)  # the line's quantity when last checked
    state = models.CharField(max_length=10, choices=DrawState.choices, default=DrawState.NAMED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["declaration_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "line_no"], name="draw_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="draw_quantity_gt_0"),
            models.CheckConstraint(condition=Q(state__in=DrawState.values),
                                   name="draw_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}/{self.line_no} <- {self.item_id}"


class HeldMovement(models.Model):
    """A cleared declaration's entry or exit that the warehouse could not take (suspended, or
    its licence expired since registration): it waits for an officer's decision."""

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="held")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    quantity = models.DecimalField(**QUANTITY)  # signed, as the movement will be
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="+")
    line_no = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=HeldState.choices, default=HeldState.WAITING)
    why = models.CharField(max_length=20)  # the warehouse's status when it was held
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "line_no"], name="held_line_unique"),
            models.CheckConstraint(condition=Q(kind__in=[MovementKind.IN, MovementKind.OUT]),
                                   name="held_kind_in_or_out"),
            models.CheckConstraint(condition=Q(state__in=HeldState.values),
                                   name="held_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} ({self.declaration_id}/{self.line_no})"
