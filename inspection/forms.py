"""Forms of the officers' pages: they check shape; inspection.services checks meaning."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customs_core.form_inputs import decimal_field
from customs_core.models import InspectionSite
from declarations.choices import DocumentType, ViolationType

from .choices import CheckKind, DocumentStatus, InspectionMethod

SCOPES = [("mine", _("My work")), ("team", _("My team's queue")),
          ("unassigned", _("Waiting for an officer")), ("all", _("The whole branch"))]


class QueueFilterForm(forms.Form):
    scope = forms.ChoiceField(label=_("Whose"), choices=SCOPES, required=False)
    kind = forms.ChoiceField(label=_("Check"), required=False,
                             choices=[("", _("all")), *CheckKind.choices])
    overdue = forms.BooleanField(label=_("Past its limit only"), required=False)
    border_gate = forms.CharField(label=_("Border gate"), required=False, max_length=16)
    number = forms.CharField(label=_("Declaration number"), required=False, max_length=12)

    def __init__(self, *args, gates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["border_gate"].widget = forms.Select(
            choices=[("", _("all")), *[(g.code, g.name) for g in gates]])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion (the enterprise sees it)"),
                                 max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class AmendmentForm(forms.Form):
    issues = forms.CharField(
        label=_("What the enterprise must correct (one issue per line; start with "
                "\"3:\" for goods line 3)"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}))

    def clean_issues(self) -> list[dict]:
        issues = []
        for raw in self.cleaned_data["issues"].splitlines():
            text = raw.strip()
            if not text:
                continue
            head, sep, rest = text.partition(":")
            if sep and head.strip().isdigit() and rest.strip():
                issues.append({"text": rest.strip(), "line_no": int(head)})
            else:
                issues.append({"text": text, "line_no": None})
        if not issues:
            raise forms.ValidationError(_("List what the enterprise must correct."))
        return issues


class ScheduleForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=InspectionMethod.choices)
    share_percent = forms.IntegerField(label=_("Share examined (%)"), min_value=1,
                                       max_value=99, required=False)
    site = forms.ModelChoiceField(label=_("Inspection site"),
                                  queryset=InspectionSite.objects.none(),
                                  to_field_name="code", empty_label=None)
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(
            attrs={"placeholder": _("dd/mm/yyyy hh:mm"), "autocomplete": "off"}))

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else InspectionSite.objects.all()


class ViolationForm(forms.Form):
    violation_type = forms.ChoiceField(label=_("Violation"), choices=ViolationType.choices)
    description = forms.CharField(label=_("What was found"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    penalty_vnd = decimal_field(label=_("Penalty (VND)"), max_digits=18, decimal_places=0,
                                min_value=0, initial=Decimal(0))
    penalty_decision_number = forms.CharField(label=_("Penalty decision number"),
                                              max_length=50, required=False)
    line_no = forms.IntegerField(label=_("Goods line (if one)"), min_value=1, required=False)


class SettleForm(forms.Form):
    penalty_reference = forms.CharField(label=_("Penalty payment reference"), max_length=80,
                                        required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Photo or document (PDF, JPEG, PNG)"))
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)


class ReassignForm(forms.Form):
    officer = forms.ChoiceField(label=_("Officer"))
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(o.pk, o.get_full_name() or o.username)
                                          for o in officers]


class MemberForm(forms.Form):
    on_duty = forms.BooleanField(label=_("On duty"), required=False)
    daily_capacity_points = forms.IntegerField(label=_("Daily capacity (points)"),
                                               min_value=10, max_value=5000)


class GateLookupForm(forms.Form):
    q = forms.CharField(label=_("Declaration number, vehicle plate or container"),
                        max_length=20)


class GateExitForm(forms.Form):
    vehicle = forms.CharField(label=_("Vehicle plate"), max_length=20, required=False)
    container = forms.CharField(label=_("Container"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


def checklist_items(data, documents) -> tuple[list[dict], dict]:
    """The checklist posted by the workbench: one status and note per attached document,
    named status-<id> / note-<id>, and up to three missing documents (missing-type-<n>)."""
    items, errors = [], {}
    for document in documents:
        status = data.get(f"status-{document.pk}", "")
        if not status:
            continue
        if status not in DocumentStatus.values:
            errors[f"status-{document.pk}"] = _("Choose present, missing or wrong.")
            continue
        items.append({"document": document.pk, "status": status,
                      "note": data.get(f"note-{document.pk}", "")[:500]})
    for n in range(1, 4):
        doc_type = data.get(f"missing-type-{n}", "")
        if not doc_type:
            continue
        if doc_type not in DocumentType.values:
            errors[f"missing-type-{n}"] = _("Choose a kind of document.")
            continue
        items.append({"document": None, "doc_type": doc_type,
                      "status": DocumentStatus.MISSING,
                      "note": data.get(f"missing-note-{n}", "")[:500]})
    return items, errors


class FindingForm(forms.Form):
    """One goods line as found (prefix line-<no>); prefilled with the line as declared."""

    found_quantity = decimal_field(label=_("Quantity found"), max_digits=16, decimal_places=3,
                                   min_value=0)
    found_hs_code = forms.RegexField(label=_("HS code found"), regex=r"^\d{8}$", max_length=8,
                                     error_messages={"invalid": _("Eight digits.")})
    found_origin = forms.RegexField(label=_("Origin found"), regex=r"^[A-Za-z]{2}$",
                                    max_length=2,
                                    error_messages={"invalid": _("A two-letter country code.")})
    found_unit_price = decimal_field(label=_("Unit price found"), max_digits=18,
                                     decimal_places=6, min_value=0)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean_found_origin(self) -> str:
        return self.cleaned_data["found_origin"].upper()
