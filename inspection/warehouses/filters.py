"""Filters of the stock and movement lists (API and pages)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from customs_core.form_inputs import DayFirstDateInput

from .choices import MovementKind
from .models import StockItem, StockMovement


class StockFilterSet(django_filters.FilterSet):
    warehouse = django_filters.CharFilter(field_name="warehouse__code", max_length=16,
                                          label=_("Warehouse"))
    owner = django_filters.CharFilter(field_name="owner__tax_code", max_length=14,
                                      label=_("Owner's tax code"))
    hs_code = django_filters.CharFilter(field_name="tariff_line__hs_code", lookup_expr="startswith",
                                        max_length=8, label=_("HS code"))
    lot = django_filters.CharFilter(field_name="lot", lookup_expr="icontains", max_length=64,
                                    label=_("Lot"))
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", label=_("In stock"))

    class Meta:
        model = StockItem
        fields = ["warehouse", "owner", "hs_code", "lot", "in_stock"]

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(quantity__gt=0) if value else queryset.filter(quantity=0)


class MovementFilterSet(django_filters.FilterSet):
    warehouse = django_filters.CharFilter(field_name="warehouse__code", max_length=16,
                                          label=_("Warehouse"))
    item = django_filters.NumberFilter(field_name="item_id", min_value=1, label=_("Stock item"))
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices, label=_("Movement"))
    number = django_filters.CharFilter(field_name="declaration__number",
                                       lookup_expr="startswith", max_length=12,
                                       label=_("Declaration number"))
    # Pages read dd/mm/yyyy (customs_core/formats); ISO, the API's format, is read everywhere.
    date_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte",
                                          label=_("From"), widget=DayFirstDateInput())
    date_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"),
                                        widget=DayFirstDateInput())

    class Meta:
        model = StockMovement
        fields = ["warehouse", "item", "kind", "number", "date_from", "date_to"]
