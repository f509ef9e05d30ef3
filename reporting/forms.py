"""The dashboards' filters, one form for the pages (dd/mm/yyyy in Vietnamese, ISO everywhere)
and the reports API (ISO dates, codes)."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_core.choices import Flow
from customs_core.form_inputs import DayFirstDateInput
from customs_core.models import BorderGate, Regime

from .selectors import ReportFilters, default_filters

MAX_DAYS = 3 * 366  # a longer period is a rebuild's job, not a dashboard's


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DayFirstDateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DayFirstDateInput())
    flow = forms.ChoiceField(label=_("Flow"), required=False,
                             choices=[("", _("Imports and exports")), *Flow.choices])
    regime = forms.ModelChoiceField(label=_("Regime"), required=False, to_field_name="code",
                                    queryset=Regime.objects.order_by("code"),
                                    empty_label=_("All regimes"))
    border_gate = forms.ModelChoiceField(label=_("Border gate"), required=False,
                                         to_field_name="code",
                                         queryset=BorderGate.objects.order_by("code"),
                                         empty_label=_("All border gates"))

    def clean(self):
        data = super().clean()
        defaults = default_filters()
        first = data.get("date_from") or defaults.date_from
        last = data.get("date_to") or (defaults.date_to if first <= defaults.date_to
                                       else first)
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        if last < first:
            self.add_error("date_to", _("The end of the period is before its start."))
        elif last - first > timedelta(days=MAX_DAYS):
            self.add_error("date_to", _("A period of at most three years."))
        data["date_from"], data["date_to"] = first, last
        return data

    def filters(self) -> ReportFilters:
        """The valid form's filters (call is_valid() first)."""
        data = self.cleaned_data
        return ReportFilters(date_from=data["date_from"], date_to=data["date_to"],
                             flow=data.get("flow") or "",
                             regime=data["regime"].code if data.get("regime") else "",
                             border_gate=data["border_gate"].pk if data.get("border_gate")
                             else None)


def filters_from(params) -> tuple[ReportFilters | None, dict]:
    """(filters, {}) from query parameters, or (None, field errors)."""
    form = ReportFilterForm(params)
    if form.is_valid():
        return form.filters(), {}
    return None, {name: [str(e) for e in errors] for name, errors in form.errors.items()}
