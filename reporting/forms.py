"""The dashboards' filters, one form for the pages (dd/mm/yyyy in Vietnamese, ISO everywhere)
and the reports API (ISO dates, codes); the revenue target form of the targets page."""

import re
from datetime import timedelta

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from customs_core.choices import Flow
from customs_core.form_inputs import DayFirstDateInput, decimal_field
from customs_core.models import BorderGate, CustomsOffice, Regime

from .selectors import ReportFilters, default_filters
from .services import FIRST_YEAR, LAST_YEAR

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
        # Beyond these years a period has no data and no previous year to compare with.
        for name, day in (("date_from", first), ("date_to", last)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, _("A day in the years %(first)s to %(last)s.")
                               % {"first": FIRST_YEAR, "last": LAST_YEAR})
        if self.errors:
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


def _ungrouped(value: str) -> str:
    """"1.500.000.000" (Vietnamese) or "1,500,000,000" (English) without the grouping: VND are
    whole, and a target is typed as it is read. Only well-formed groups of three are taken, so
    "1,5" still reaches the field as a decimal and is refused there."""
    separator = get_format("THOUSAND_SEPARATOR")
    text = (value or "").strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(separator)}\d{{3}})+", text):
        return text.replace(separator, "")
    return value


class TargetForm(forms.Form):
    """Shape only: revenue_target_set checks the year's range and that the amount is
    positive."""

    office = forms.ModelChoiceField(label=_("Customs office"), to_field_name="code",
                                    queryset=CustomsOffice.objects.order_by("code"))
    year = forms.IntegerField(label=_("Year"))
    amount_vnd = decimal_field(label=_("Target (VND)"), max_digits=20,
                               decimal_places=0)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            data["amount_vnd"] = _ungrouped(data.get("amount_vnd", ""))
        super().__init__(data, **kwargs)
