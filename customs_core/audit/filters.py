"""One FilterSet for the audit search: the page and the API."""

from datetime import date, datetime, time, timedelta

import django_filters
from django.core.validators import validate_ipv46_address
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customs_core.form_inputs import DayFirstDateInput
from customs_core.models import User

from .choices import OBJECT_TYPES, AuditAction
from .models import AuditEvent

# A declaration page records its risk panel's assessment in its own row (details
# "risk_assessment"): searching for risk assessment reads finds those rows too.
SHOWED_ASSESSMENT = Q(action=AuditAction.DECLARATION_VIEWED, details__has_key="risk_assessment")
# Dates outside these bound nothing (and stay clear of datetime's limits in any time zone).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(9000, 1, 1)


def _local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(method="filter_actor", max_length=150,
                                      label=_("Who (username)"))
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, method="filter_action",
                                         label=_("Action"))
    object_type = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in OBJECT_TYPES.items()],
        label=_("Object type"))
    object = django_filters.CharFilter(method="filter_object", max_length=200,
                                       label=_("Object (number, code or id)"))
    # Pages read dd/mm/yyyy (customs_core/formats); ISO, the API's format, is read everywhere.
    date_from = django_filters.DateFilter(method="filter_date_from", label=_("From"),
                                          widget=DayFirstDateInput())
    date_to = django_filters.DateFilter(method="filter_date_to", label=_("To"),
                                        widget=DayFirstDateInput())
    ip = django_filters.CharFilter(field_name="ip_address", max_length=45,
                                   validators=[validate_ipv46_address], label=_("IP address"))

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object", "date_from", "date_to", "ip"]

    def filter_actor(self, queryset, name, value):
        # The account (its id: the (actor, occurred_at) index), whatever it was named then.
        return queryset.filter(actor__in=User.objects.filter(username__iexact=value.strip())
                               .values("pk"))

    def filter_action(self, queryset, name, value):
        if value == AuditAction.RISK_ASSESSMENT_VIEWED:
            return queryset.filter(Q(action=value) | SHOWED_ASSESSMENT)
        return queryset.filter(action=value)

    def filter_object(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(object_id=value) | Q(object_label__startswith=value))

    def filter_date_from(self, queryset, name, value):
        if value < FIRST_DAY:  # nothing is older; and year 1 in UTC would be year 0
            return queryset
        return queryset.filter(occurred_at__gte=_local_midnight(value))

    def filter_date_to(self, queryset, name, value):
        if value >= LAST_DAY:
            return queryset
        return queryset.filter(occurred_at__lt=_local_midnight(value + timedelta(days=1)))
