"""Forms of the risk pages: they check shape; the risk services check meaning (STYLE.md)."""

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_core.form_inputs import DayFirstDateInput, decimal_field

from ..choices import Channel
from .choices import RuleEffect, RuleType
from .rules import EXAMPLES


def params_text(params) -> str:
    """Rule parameters as the JSON an officer reads and edits."""
    return json.dumps(params, ensure_ascii=False)


class RuleForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    rule_type = forms.ChoiceField(label=_("Rule type"), choices=RuleType.choices)
    effect = forms.ChoiceField(label=_("Effect"), choices=RuleEffect.choices,
                               initial=RuleEffect.POINTS)
    params = forms.CharField(label=_("Parameters (JSON)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}))
    points = forms.IntegerField(label=_("Points"), min_value=-100, max_value=100, initial=0)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DayFirstDateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DayFirstDateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    max_hits_without_selection = forms.IntegerField(
        label=_("Maximum hits with no selection"), required=False, min_value=1,
        max_value=100_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule_type = self.data.get("rule_type") or self.initial.get("rule_type") \
            or RuleType.COMPLIANCE_HISTORY
        example = EXAMPLES.get(rule_type, {})
        self.fields["params"].help_text = _("Example for this type: %(example)s") % {
            "example": params_text(example)}

    def clean_params(self):
        text = self.cleaned_data["params"].strip() or "{}"
        try:
            params = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s"),
                                        params={"error": exc}) from exc
        if not isinstance(params, dict):
            raise forms.ValidationError(_("Parameters are a JSON object: {...}."))
        return params


class CloneForm(forms.Form):
    name = forms.CharField(label=_("Name of the draft"), max_length=200, required=False)


class SimulateForm(forms.Form):
    days = forms.TypedChoiceField(label=_("Replay the last"), coerce=int, initial=30,
                                  choices=[(7, _("7 days")), (30, _("30 days")),
                                           (90, _("90 days"))])


class ChannelChangeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                     choices=[("1", _("Approve")), ("0", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class TariffSearchForm(forms.Form):
    q = forms.CharField(label=_("HS code or words"), required=False, max_length=100)
    overridden = forms.BooleanField(label=_("Only lines with a risk reference price"),
                                    required=False)


class ReferencePriceForm(forms.Form):
    price_usd = decimal_field(label=_("Reference unit price (USD)"), max_digits=14,
                                   decimal_places=4, min_value=Decimal("0.0001"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
