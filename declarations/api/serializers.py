from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customs_core.api.serializers import TariffRateOutputSerializer
from customs_core.api.serializing import StrictSerializer, represent
from customs_core.choices import Flow, TransportMode
from declarations.choices import (
    CertificateForm,
    Channel,
    DeclarationState,
    DocumentType,
    Incoterm,
)
from declarations.models import MAX_GOODS_LINES, MAX_QUANTITY


def _money(**kwargs):
    return serializers.DecimalField(max_digits=18, decimal_places=4, **kwargs)


class GoodsLineInputSerializer(StrictSerializer):
    hs_code = serializers.RegexField(r"^\d{8}$", max_length=8,
                                     error_messages={"invalid": _("An HS code has 8 digits.")})
    description = serializers.CharField(max_length=400, required=False, allow_blank=True)
    origin_country = serializers.RegexField(r"^[A-Z]{2}$", max_length=2)
    quantity = serializers.DecimalField(
        max_digits=16, decimal_places=3, min_value=Decimal("0.001"), max_value=MAX_QUANTITY,
        help_text="In the tariff line's unit; from 0.001 to 1,000,000,000.")
    unit_price = serializers.DecimalField(
        max_digits=18, decimal_places=6, min_value=Decimal("0.000001"),
        help_text="In the invoice currency; quantity × unit price stays below 10^14 "
                  "(whole dong in a VND invoice).")
    line_value = _money(required=False, min_value=Decimal("0.0001"),
                        help_text="Quantity × unit price (±0.01); computed when left out.")
    preferential_claimed = serializers.BooleanField(required=False, default=False)


class ExpectedDocumentSerializer(StrictSerializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    co_form = serializers.ChoiceField(choices=[("", ""), *CertificateForm.choices],
                                      required=False, default="")
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                      default="")


class DeclarationInputSerializer(StrictSerializer):
    flow = serializers.ChoiceField(choices=Flow.choices)
    regime = serializers.RegexField(r"^[A-Z0-9]{3}$", max_length=3)
    office = serializers.RegexField(r"^[A-Z0-9]{2,8}$", max_length=8)
    border_gate = serializers.RegexField(r"^[A-Z0-9]{1,16}$", max_length=16)
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices, required=False,
                                             default=TransportMode.ROAD)
    trading_country = serializers.RegexField(r"^[A-Z]{2}$", max_length=2)
    partner_name = serializers.CharField(max_length=255)
    invoice_number = serializers.CharField(max_length=50)
    invoice_date = serializers.DateField()
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3)
    total_invoice_value = _money(
        min_value=Decimal("0.0001"),
        help_text="The sum of the line values (±0.01), below 10^14 in the invoice currency; "
                  "the customs value in VND (with freight and insurance, at the week's rate) "
                  "must stay below 1,000,000,000,000,000 VND. Whole dong in a VND invoice.")
    freight = _money(required=False, default=Decimal(0), min_value=Decimal(0),
                     help_text="Added (E/F terms) or deducted (D terms) per the incoterm; "
                               "must be 0 where the price already includes it (FOB export).")
    insurance = _money(required=False, default=Decimal(0), min_value=Decimal(0),
                       help_text="As freight; must be 0 on CIF/CIP imports.")
    gross_weight_kg = serializers.DecimalField(max_digits=14, decimal_places=3,
                                               min_value=Decimal("0.001"))
    packages = serializers.IntegerField(min_value=1, max_value=10_000_000)
    vehicles = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, max_length=50,
        help_text="Plates of the vehicles carrying the goods (road): the gate looks them up.")
    containers = serializers.ListField(child=serializers.CharField(max_length=20),
                                       required=False, default=list, max_length=200)
    bonded_warehouse = serializers.CharField(max_length=16, required=False, allow_blank=True)
    lines = GoodsLineInputSerializer(many=True, min_length=1, max_length=MAX_GOODS_LINES)
    documents_expected = ExpectedDocumentSerializer(
        many=True, required=False, max_length=20,
        help_text="Documents this draft still needs (a copied draft lists its source's); "
                  "submitting waits until one of each type is attached. Left out of a PUT: "
                  "kept as it is.")


class AmendInputSerializer(DeclarationInputSerializer):
    flow = serializers.ChoiceField(choices=Flow.choices, required=False)
    reason = serializers.CharField(max_length=1000)
    documents_expected = None  # a draft's list only


class ReasonInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class PayInputSerializer(StrictSerializer):
    amount_vnd = serializers.DecimalField(max_digits=18, decimal_places=0, min_value=Decimal(1))
    reference = serializers.RegexField(r"^[A-Za-z0-9\-/]{4,64}$", max_length=64)


class DocumentInputSerializer(StrictSerializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    co_form = serializers.ChoiceField(choices=CertificateForm.choices, required=False,
                                      allow_blank=True, default="")
    reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    file = serializers.FileField(max_length=255)


class DutyPreviewInputSerializer(DeclarationInputSerializer):
    co_forms = serializers.ListField(child=serializers.ChoiceField(choices=CertificateForm.choices),
                                     required=False, default=list, max_length=5)


# --- output -----------------------------------------------------------------------------------
# Plain Serializers with explicit fields: a ModelSerializer re-introspects the model for every
# instance it renders, which cost ~3 ms of a ~12 ms declaration POST.
def _vnd():
    return serializers.DecimalField(max_digits=18, decimal_places=0)


class GoodsLineOutputSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    hs_code = serializers.CharField(source="tariff_line.hs_code")
    description = serializers.CharField()
    origin_country = serializers.CharField(source="origin_country_id")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=6)
    line_value = _money()
    preferential_claimed = serializers.BooleanField()
    customs_value_vnd = _vnd()
    duty_schedule = serializers.CharField()
    duty_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    import_duty_vnd = _vnd()
    export_duty_vnd = _vnd()
    additional_duty_vnd = _vnd()
    sct_vnd = _vnd()
    ept_vnd = _vnd()
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    vat_vnd = _vnd()
    total_vnd = _vnd()


class DocumentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    co_form = serializers.ChoiceField(choices=[("", ""), *CertificateForm.choices])
    reference = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class EventOutputSerializer(serializers.Serializer):
    from_state = serializers.ChoiceField(choices=DeclarationState.choices)
    to_state = serializers.ChoiceField(choices=DeclarationState.choices)
    actor = serializers.SerializerMethodField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        if event.actor is None:
            return None
        return event.actor.get_full_name() or event.actor.username


class PaymentOutputSerializer(serializers.Serializer):
    amount_vnd = _vnd()
    reference = serializers.CharField()
    paid_at = serializers.DateTimeField()


class DeclarationListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    flow = serializers.ChoiceField(choices=Flow.choices)
    regime = serializers.CharField(source="regime_id")
    state = serializers.ChoiceField(choices=DeclarationState.choices)
    channel = serializers.ChoiceField(choices=[("", ""), *Channel.choices])
    enterprise = serializers.CharField(source="enterprise.tax_code")
    enterprise_name = serializers.CharField(source="enterprise.name")
    border_gate = serializers.CharField(source="border_gate.code")
    trading_country = serializers.CharField(source="trading_country_id")
    partner_name = serializers.CharField()
    invoice_number = serializers.CharField()
    invoice_date = serializers.DateField()
    currency = serializers.CharField(source="currency_id")
    total_invoice_value = _money()
    total_duty_vnd = _vnd()
    paid_vnd = _vnd()
    amendment_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    cleared_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class DutyTotalsOutputSerializer(serializers.Serializer):
    customs_value_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    import_duty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    export_duty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    additional_duty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    sct_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    ept_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    vat_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    total_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)


class DeclarationOutputSerializer(DeclarationListOutputSerializer):
    office = serializers.CharField(source="office.code")
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices)
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    freight = _money()
    insurance = _money()
    gross_weight_kg = serializers.DecimalField(max_digits=14, decimal_places=3)
    packages = serializers.IntegerField()
    containers = serializers.ListField(child=serializers.CharField())
    vehicles = serializers.ListField(child=serializers.CharField())
    bonded_warehouse = serializers.CharField(source="bonded_warehouse.code", allow_null=True,
                                             default=None)
    exchange_rate = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    duties = serializers.SerializerMethodField()
    lines = GoodsLineOutputSerializer(many=True, source="lines.all")
    documents = DocumentOutputSerializer(many=True, source="documents.all")
    documents_expected = ExpectedDocumentSerializer(many=True)
    events = EventOutputSerializer(many=True, source="events.all")
    payments = PaymentOutputSerializer(many=True, source="payments.all")

    @extend_schema_field(DutyTotalsOutputSerializer)
    def get_duties(self, declaration):
        return represent(DutyTotalsOutputSerializer, {
            "customs_value_vnd": declaration.customs_value_vnd,
            "import_duty_vnd": declaration.import_duty_vnd,
            "export_duty_vnd": declaration.export_duty_vnd,
            "additional_duty_vnd": declaration.additional_duty_vnd,
            "sct_vnd": declaration.sct_vnd, "ept_vnd": declaration.ept_vnd,
            "vat_vnd": declaration.vat_vnd, "total_vnd": declaration.total_duty_vnd})


class DutyLinePreviewSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    customs_value_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    duty_schedule = serializers.CharField()
    duty_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    import_duty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    export_duty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    additional_duty_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    sct_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    ept_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    vat_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)
    total_vnd = serializers.DecimalField(max_digits=18, decimal_places=0)


class DutyPreviewOutputSerializer(DutyTotalsOutputSerializer):
    lines = DutyLinePreviewSerializer(many=True)


class LinesImportInputSerializer(StrictSerializer):
    file = serializers.FileField(help_text="XLSX or CSV in the template's columns (GET "
                                           "lines/template/), at most 50 rows and 2 MB.")
    valid_only = serializers.BooleanField(
        required=False, default=False,
        help_text="Import the rows that pass and skip the others (listed in skipped_rows); "
                  "without it one wrong row imports nothing.")
    replace = serializers.BooleanField(required=False, default=False,
                                       help_text="Replace the draft's lines instead of adding "
                                                 "after them.")


class LinesImportOutputSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    skipped_rows = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text="Spreadsheet row number -> column -> messages, for rows left out.")
    declaration = DeclarationOutputSerializer()


class HsSuggestionsQuerySerializer(StrictSerializer):
    q = serializers.CharField(max_length=100, help_text="Words (Vietnamese with or without "
                                                        "diacritics, or English) or HS digits.")
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=25)


class HsSuggestionOutputSerializer(serializers.Serializer):
    hs_code = serializers.CharField()
    description_vi = serializers.CharField()
    description_en = serializers.CharField()
    unit = serializers.CharField()
    declared_before = serializers.IntegerField(
        help_text="Goods lines of your enterprise's recent declarations with this code.")
    rates = TariffRateOutputSerializer(allow_null=True, help_text="Rates in force today.")
