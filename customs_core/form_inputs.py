"""Inputs of the pages' forms: dates and decimals typed as the interface language writes them
(formats in customs_core/formats/)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DayFirstDateInput(forms.DateInput):
    """A text input for dd/mm/yyyy (ISO is read too). Not type=date: the browser's date picker
    shows the browser's own order (mm/dd/yyyy in an English Chromium), not the branch's."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off",
                                **(attrs or {})})


class DecimalInput(forms.TextInput):
    """A decimal as the language writes it (1,25 in Vietnamese), with a decimal keypad."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})


def decimal_field(**kwargs) -> forms.DecimalField:
    """A DecimalField that reads and shows the language's decimal separator."""
    return forms.DecimalField(localize=True, widget=DecimalInput(), **kwargs)
