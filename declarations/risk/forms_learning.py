"""The backtest form of the what-if page: it checks shape (dates typed day first, a decimal
typed as the language writes it); backtest_request checks meaning (the period, the share)."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customs_core.form_inputs import DayFirstDateInput, decimal_field

DEFAULT_DAYS = 90
DEFAULT_RED_SHARE = Decimal("10")


class BacktestForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DayFirstDateInput())
    date_to = forms.DateField(label=_("To"), widget=DayFirstDateInput())
    red_share = decimal_field(label=_("Red share (%)"), max_digits=5, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial = {"date_from": today - timedelta(days=DEFAULT_DAYS),
                            "date_to": today, "red_share": DEFAULT_RED_SHARE,
                            **self.initial}
