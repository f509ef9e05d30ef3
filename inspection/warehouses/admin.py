from django.contrib import admin

from .models import HeldMovement, StockDraw, StockItem, StockMovement, TermExtension


class ReadOnly(admin.ModelAdmin):
    """The ledger is changed by the services only (the movement table refuses UPDATE and
    DELETE in the database too)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockItem)
class StockItemAdmin(ReadOnly):
    list_display = ["lot", "warehouse", "owner", "tariff_line", "quantity", "reserved", "unit",
                    "term_until", "overdue_since"]
    list_filter = ["warehouse"]
    search_fields = ["lot", "description", "owner__tax_code"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnly):
    list_display = ["at", "warehouse", "item", "kind", "quantity", "balance_after", "declaration",
                    "actor"]
    list_filter = ["kind", "warehouse"]


for model in (TermExtension, StockDraw, HeldMovement):
    admin.site.register(model, ReadOnly)
