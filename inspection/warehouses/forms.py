"""Forms of the bonded-warehouse pages: the officers' decisions, the report's month."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_core.form_inputs import DayFirstDateInput, decimal_field
from customs_core.models import BondedWarehouse
from declarations.models import MAX_QUANTITY

REASON = {"label": _("Reason"), "max_length": 2000,
          "widget": forms.Textarea(attrs={"rows": 2})}


class AdjustmentForm(forms.Form):
    quantity = decimal_field(label=_("Quantity (negative removes)"), max_digits=16,
                             decimal_places=3, min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY)
    reason = forms.CharField(**REASON)


class TransferForm(forms.Form):
    to_warehouse = forms.ModelChoiceField(label=_("To warehouse"),
                                          queryset=BondedWarehouse.objects.order_by("code"),
                                          to_field_name="code")
    quantity = decimal_field(label=_("Quantity"), max_digits=16, decimal_places=3,
                             min_value=Decimal("0.001"), max_value=MAX_QUANTITY)
    reason = forms.CharField(**REASON)

    def __init__(self, *args, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude is not None:
            self.fields["to_warehouse"].queryset = (BondedWarehouse.objects.exclude(pk=exclude)
                                                    .order_by("code"))


class ExtensionForm(forms.Form):
    until = forms.DateField(label=_("New end of term"), widget=DayFirstDateInput())
    reason = forms.CharField(**REASON)


class ReasonForm(forms.Form):
    reason = forms.CharField(**REASON)


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%m/%Y", "%Y-%m"],
                            widget=forms.DateInput(format="%m/%Y",
                                                   attrs={"placeholder": _("mm/yyyy")}))
