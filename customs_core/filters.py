"""One FilterSet per list, used by the API and the pages."""

import django_filters
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .choices import Flow
from .models import BorderGate, ExchangeRate, Regime, TariffLine
from .selectors import tariff_lines_search, week_start

hs_prefix_validator = RegexValidator(r"^\d{2,8}$", _("An HS code prefix is 2 to 8 digits."))


class TariffLineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", max_length=100,
                                  label=_("HS code prefix or words"))
    code = django_filters.CharFilter(field_name="hs_code", lookup_expr="startswith",
                                     validators=[hs_prefix_validator], max_length=8,
                                     label=_("HS code prefix"))
    chapter = django_filters.CharFilter(field_name="hs_code", lookup_expr="startswith",
                                        validators=[RegexValidator(r"^\d{2}$")], max_length=2,
                                        label=_("HS chapter (2 digits)"))

    class Meta:
        model = TariffLine
        fields = ["q", "code", "chapter"]

    def filter_q(self, queryset, name, value):
        return queryset & tariff_lines_search(query=value)


class RegimeFilterSet(django_filters.FilterSet):
    flow = django_filters.ChoiceFilter(choices=Flow.choices)

    class Meta:
        model = Regime
        fields = ["flow"]


class BorderGateFilterSet(django_filters.FilterSet):
    office = django_filters.CharFilter(field_name="office__code", max_length=8)

    class Meta:
        model = BorderGate
        fields = ["office"]


class ExchangeRateFilterSet(django_filters.FilterSet):
    currency = django_filters.CharFilter(field_name="currency_id",
                                         validators=[RegexValidator(r"^[A-Z]{3}$")], max_length=3)
    on = django_filters.DateFilter(method="filter_on", label=_("Rate in force on this date"))
    week_from = django_filters.DateFilter(field_name="week_start", lookup_expr="gte")
    week_to = django_filters.DateFilter(field_name="week_start", lookup_expr="lte")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "on", "week_from", "week_to"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(week_start=week_start(value))
