"""One FilterSet for declaration lists: the API and the pages use the same one."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from customs_core.choices import Flow
from customs_core.form_inputs import DayFirstDateInput

from .choices import Channel, DeclarationState
from .models import Declaration, GoodsLine


class DeclarationFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=DeclarationState.choices,
                                                label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    flow = django_filters.ChoiceFilter(choices=Flow.choices, label=_("Flow"))
    regime = django_filters.CharFilter(field_name="regime_id", max_length=3,
                                       validators=[RegexValidator(r"^[A-Z0-9]{3}$")],
                                       label=_("Regime"))
    # Pages read dd/mm/yyyy (customs_core/formats); ISO, the API's format, is read everywhere.
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                          label=_("From"), widget=DayFirstDateInput())
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                        label=_("To"), widget=DayFirstDateInput())
    hs_code = django_filters.CharFilter(method="filter_hs_code", max_length=8,
                                        validators=[RegexValidator(r"^\d{2,8}$")],
                                        label=_("HS code"))
    enterprise = django_filters.CharFilter(field_name="enterprise__tax_code", max_length=13,
                                           validators=[RegexValidator(r"^\d{10}(\d{3})?$")],
                                           label=_("Enterprise tax code"))
    number = django_filters.CharFilter(field_name="number", lookup_expr="startswith",
                                       max_length=12, validators=[RegexValidator(r"^\d{1,12}$")],
                                       label=_("Declaration number"))

    post_clearance_audit = django_filters.BooleanFilter(
        method="filter_post_clearance_audit", label=_("Post-clearance audit (officers)"))

    class Meta:
        model = Declaration
        fields = ["state", "channel", "flow", "regime", "date_from", "date_to", "hs_code",
                  "enterprise", "number", "post_clearance_audit"]

    def filter_post_clearance_audit(self, queryset, name, value):
        # Confidential: for an enterprise the filter does nothing, so it reveals nothing.
        user = getattr(self.request, "user", None)
        if value is None or not getattr(user, "is_officer", False):
            return queryset
        return queryset.filter(post_clearance_audit=value)

    def filter_hs_code(self, queryset, name, value):
        # EXISTS rather than a join: one row per declaration, no DISTINCT needed.
        lines = GoodsLine.objects.filter(declaration=OuterRef("pk"),
                                         tariff_line__hs_code__startswith=value)
        return queryset.filter(Exists(lines))
