"""The officers' queue filters (API and pages)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CheckKind, CheckState
from .models import Check


class CheckFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CheckKind.choices, label=_("Check"))
    state = django_filters.ChoiceFilter(choices=CheckState.choices, label=_("State"))
    border_gate = django_filters.CharFilter(field_name="border_gate__code",
                                            max_length=16, label=_("Border gate"))
    number = django_filters.CharFilter(field_name="declaration__number",
                                       lookup_expr="startswith", max_length=12,
                                       label=_("Declaration number"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Past its limit"))

    class Meta:
        model = Check
        fields = ["kind", "state", "border_gate", "number", "overdue"]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(due_at__lt=now) if value else queryset.filter(due_at__gte=now)
