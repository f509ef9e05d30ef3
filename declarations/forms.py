"""Forms of the declaration pages: they check shape; services check meaning (STYLE.md)."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from customs_core.choices import Flow, TransportMode
from customs_core.form_inputs import DayFirstDateInput, decimal_field
from customs_core.models import BondedWarehouse, BorderGate, Country, CustomsOffice, Regime

from .choices import CertificateForm, DocumentType, Incoterm
from .models import MAX_GOODS_LINES

# The currencies traders at the Mong Cai gates invoice in; others go through the API.
FORM_CURRENCIES = [("USD", "USD"), ("CNY", "CNY"), ("VND", "VND"), ("EUR", "EUR"),
                   ("JPY", "JPY"), ("HKD", "HKD"), ("THB", "THB")]
PARTNER_COUNTRIES = ["CN", "HK", "TW", "KR", "JP", "TH", "LA", "KH", "SG", "MY", "ID", "US", "DE"]


def _country_choices(codes=None):
    queryset = Country.objects.all()
    if codes:
        queryset = queryset.filter(code__in=codes)
    return [(c.code, f"{c.code} — {c.name}") for c in queryset.order_by("code")]


class DeclarationForm(forms.Form):
    flow = forms.ChoiceField(label=_("Flow"), choices=Flow.choices, initial=Flow.IMPORT)
    regime = forms.ModelChoiceField(label=_("Regime"), queryset=Regime.objects.all(),
                                    to_field_name="code", initial="A11")
    office = forms.ModelChoiceField(label=_("Customs office"), queryset=CustomsOffice.objects.all(),
                                    to_field_name="code", empty_label=None)
    border_gate = forms.ModelChoiceField(label=_("Border gate"),
                                         queryset=BorderGate.objects.filter(is_active=True),
                                         to_field_name="code", empty_label=None)
    transport_mode = forms.ChoiceField(label=_("Transport"), choices=TransportMode.choices,
                                       initial=TransportMode.ROAD)
    trading_country = forms.ChoiceField(label=_("Trading country"))
    partner_name = forms.CharField(label=_("Foreign partner"), max_length=255)
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=50)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DayFirstDateInput())
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=Incoterm.choices, initial="DAP")
    currency = forms.ChoiceField(label=_("Currency"), choices=FORM_CURRENCIES, initial="USD")
    total_invoice_value = decimal_field(
        label=_("Invoice total"), max_digits=18, decimal_places=4, min_value=Decimal("0.0001"),
        required=False, help_text=_("Left empty: the sum of the goods lines."))
    freight = decimal_field(label=_("Freight"), max_digits=18, decimal_places=4,
                                 min_value=0, required=False, initial=0)
    insurance = decimal_field(label=_("Insurance"), max_digits=18, decimal_places=4,
                                   min_value=0, required=False, initial=0)
    gross_weight_kg = decimal_field(label=_("Gross weight (kg)"), max_digits=14,
                                         decimal_places=3, min_value=Decimal("0.001"))
    packages = forms.IntegerField(label=_("Packages"), min_value=1)
    containers = forms.CharField(label=_("Containers (ISO 6346, one per line)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    vehicles = forms.CharField(label=_("Vehicle plates (one per line)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    bonded_warehouse = forms.ModelChoiceField(label=_("Bonded warehouse"), required=False,
                                              queryset=BondedWarehouse.objects.all(),
                                              to_field_name="code")
    co_form = forms.ChoiceField(label=_("Certificate of origin"), required=False,
                                choices=[("", _("none")), *CertificateForm.choices])
    co_reference = forms.CharField(label=_("C/O number"), max_length=80, required=False)
    co_file = forms.FileField(label=_("C/O file (PDF, JPEG, PNG)"), required=False)

    def __init__(self, *args, preview: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = preview  # the live duty preview needs no file
        self.fields["trading_country"].choices = _country_choices(PARTNER_COUNTRIES)
        self.fields["trading_country"].initial = "CN"

    def clean_vehicles(self):
        return [part.strip() for part in self.cleaned_data["vehicles"].replace(",", "\n")
                .splitlines() if part.strip()]

    def clean_containers(self):
        return [part.strip() for part in self.cleaned_data["containers"].replace(",", "\n")
                .splitlines() if part.strip()]

    def clean(self):
        data = super().clean()
        if (data.get("co_form") and not data.get("co_file") and not self.initial.get("has_co")
                and not self.preview):
            self.add_error("co_file", _("Attach the certificate of origin."))
        return data

    def service_data(self) -> dict:
        data = {key: value for key, value in self.cleaned_data.items()
                if not key.startswith("co_")}
        data["bonded_warehouse"] = data.get("bonded_warehouse") or None
        data["freight"] = data.get("freight") or Decimal(0)
        data["insurance"] = data.get("insurance") or Decimal(0)
        return data


class LinesUploadForm(forms.Form):
    """Goods lines from a spreadsheet into the declaration form (nothing is saved until the
    declarant saves the form)."""

    lines_file = forms.FileField(label=_("Spreadsheet (XLSX or CSV)"), required=False)
    valid_only = forms.BooleanField(label=_("Keep only the rows without errors"),
                                    required=False)


class GoodsLineForm(forms.Form):
    # Typed as digits or words: the line's suggestions (app.js, hs-suggest) fill the code.
    hs_code = forms.RegexField(
        label=_("HS code"), regex=r"^\d{8}$",
        error_messages={"invalid": _("Choose an 8-digit HS code from the suggestions.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": "100",
                                      "role": "combobox", "aria-autocomplete": "list",
                                      "aria-expanded": "false", "data-hs-input": "",
                                      "placeholder": _("code or words")}))
    description = forms.CharField(label=_("Description"), max_length=400, required=False)
    origin_country = forms.ChoiceField(label=_("Origin"))
    quantity = decimal_field(label=_("Quantity"), max_digits=16, decimal_places=3,
                                  min_value=Decimal("0.001"))
    unit_price = decimal_field(label=_("Unit price"), max_digits=18, decimal_places=6,
                                    min_value=Decimal("0.000001"))
    preferential_claimed = forms.BooleanField(label=_("Preferential (C/O)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin_country"].choices = _country_choices(PARTNER_COUNTRIES + ["VN"])
        self.fields["origin_country"].initial = "CN"
        # Named by the row's "Line n" cell and the column header (form.html, _line_row.html).
        for name, field in self.fields.items():
            field.widget.attrs["aria-labelledby"] = f"{self.add_prefix('label')} col-{name}"


class BaseGoodsLineFormSet(forms.BaseFormSet):
    """Every posted row is a goods line the declarant must complete or remove.

    Django's formset would let an unchanged row pass as empty and then say "Please submit at
    least 1 form." (in English) although the row is on screen; here an empty row gets its own
    field errors, and only a declaration with no row at all gets the minimum-lines message.
    Keeping every row also keeps the formset's indices equal to the services' line numbers.
    """

    default_error_messages = {
        "too_many_forms": _("A declaration has at most %(num)d goods lines."),
        "missing_management_form": _("The goods lines were not sent completely: reload the "
                                     "page and try again."),
    }

    def get_form_kwargs(self, index):
        return {} if index is None else {"empty_permitted": False}

    def clean(self):
        if any(self.errors):
            return
        if self.total_form_count() == 0:
            raise forms.ValidationError(_("A declaration has at least one goods line."),
                                        code="too_few_forms")


GoodsLineFormSet = formset_factory(GoodsLineForm, formset=BaseGoodsLineFormSet, extra=0,
                                   min_num=1, max_num=MAX_GOODS_LINES, validate_min=False,
                                   validate_max=True)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    co_form = forms.ChoiceField(label=_("C/O form"), required=False,
                                choices=[("", "—"), *CertificateForm.choices])
    reference = forms.CharField(label=_("Number / reference"), max_length=80, required=False)
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, at most 10 MB)"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    amount_vnd = decimal_field(label=_("Amount (VND)"), max_digits=18, decimal_places=0,
                                    min_value=1)
    reference = forms.RegexField(label=_("Treasury / bank reference"),
                                 regex=r"^[A-Za-z0-9\-/]{4,64}$", max_length=64)


# --- problems, named as the declarant reads them -------------------------------------------------
# Service field names that are not inputs of the form.
OTHER_LABELS = {"lines": _("Goods lines"), "line_value": _("Line value"),
                "documents": _("Documents"), "enterprise": _("Enterprise"),
                "reason": _("Reason")}
LINES_ANCHOR = "goods-lines"


@dataclass(frozen=True)
class Problem:
    """One error as a sentence: which field (and goods line), what is wrong, where to go."""

    message: str
    label: str = ""
    anchor: str = ""  # id of the input concerned, for the summary's link
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.label}: {self.message}" if self.label else self.message


def _label(form_class, name: str) -> str:
    field = form_class.base_fields.get(name)
    if field is not None:
        return str(field.label)
    return str(OTHER_LABELS.get(name, name))


def line_label(number: int, name: str) -> str:
    """"Line 2 — HS code"."""
    return _("Line %(number)s — %(field)s") % {"number": number,
                                                "field": _label(GoodsLineForm, name)}


def _header_problem(name: str, message, code=None) -> Problem:
    if name in ("__all__", None):
        return Problem(str(message), code=code)
    anchor = f"id_{name}" if name in DeclarationForm.base_fields else (
        LINES_ANCHOR if name == "lines" else "")
    return Problem(str(message), _label(DeclarationForm, name), anchor, code)


def _line_problem(index: int, name: str | None, message, code=None) -> Problem:
    if name in ("__all__", None):
        return Problem(str(message), _("Line %(number)s") % {"number": index + 1},
                       LINES_ANCHOR, code)
    return Problem(str(message), line_label(index + 1, name), f"id_lines-{index}-{name}", code)


def problems_from_fields(fields: dict) -> list[Problem]:
    """A service's FieldErrors ({"field": [...], "lines": {"2": {...}}}) as Problems."""
    problems = []
    for name, value in fields.items():
        if name == "lines" and isinstance(value, dict):
            for number, line_fields in sorted(value.items(), key=lambda item: int(item[0])):
                for field, messages in line_fields.items():
                    problems += [_line_problem(int(number) - 1, field, m) for m in messages]
        else:
            problems += [_header_problem(name, m) for m in value]
    return problems


def problems_of(form, formset) -> list[Problem]:
    """Every error on the form and its goods lines, in the order they appear on the page."""
    problems = [_header_problem(None, e.messages[0], e.code)
                for e in form.non_field_errors().as_data()]
    for field in form:
        problems += [_header_problem(field.name, message, error.code)
                     for error in form.errors.as_data().get(field.name, [])
                     for message in error.messages]
    problems += [_header_problem("lines", message, error.code)
                 for error in formset.non_form_errors().as_data() for message in error.messages]
    for index, row in enumerate(formset.forms):
        errors = row.errors.as_data()
        for name in [None, *row.fields]:
            key = "__all__" if name is None else name
            problems += [_line_problem(index, name, message, error.code)
                         for error in errors.get(key, []) for message in error.messages]
    return problems
