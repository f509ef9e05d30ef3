from datetime import date

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customs_core.models import BorderGate, ExchangeRate, InspectionSite, Regime, TariffLine
from customs_core.selectors import tariff_rate_in_force


class TariffRateOutputSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    mfn_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    acfta_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    atiga_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                        help_text="null: not subject to VAT")
    sct_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    ept_vnd_per_unit = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    ept_unit = serializers.CharField()
    export_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class TariffLineOutputSerializer(serializers.ModelSerializer):
    rates = serializers.SerializerMethodField(help_text="Rates in force today.")
    heading = serializers.SerializerMethodField()

    class Meta:
        model = TariffLine
        fields = ["hs_code", "description_vi", "description_en", "unit", "heading", "rates"]

    @extend_schema_field(serializers.CharField())
    def get_heading(self, line: TariffLine) -> str:
        return line.subheading.description

    @extend_schema_field(TariffRateOutputSerializer(allow_null=True))
    def get_rates(self, line: TariffLine):
        on: date = self.context.get("on") or timezone.localdate()
        rate = tariff_rate_in_force(line, on)
        return TariffRateOutputSerializer(rate).data if rate else None


class RegimeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Regime
        fields = ["code", "flow", "name_vi", "name_en", "requires_bonded_warehouse", "duty_exempt",
                  "duty_free_at_entry", "requires_licence", "requires_contract", "processing",
                  "temporary"]


class InspectionSiteOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionSite
        fields = ["code", "name_vi", "name_en"]


class BorderGateOutputSerializer(serializers.ModelSerializer):
    office = serializers.CharField(source="office.code")
    inspection_sites = InspectionSiteOutputSerializer(many=True)
    transport_modes = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = BorderGate
        fields = ["code", "name_vi", "name_en", "office", "kind", "transport_modes",
                  "inspection_sites"]


class ExchangeRateOutputSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="currency_id")

    class Meta:
        model = ExchangeRate
        fields = ["currency", "week_start", "rate_vnd", "source"]


class CountryOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    alpha_3 = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    fta_memberships = serializers.ListField(child=serializers.CharField(),
                                            help_text="Agreements whose preferential rates "
                                                      "goods of this origin may claim.")


class CurrencyOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    decimals = serializers.IntegerField(help_text="Minor units (0 for VND).")


class CustomsOfficeOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    province = serializers.CharField()


class BondedWarehouseOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    office = serializers.CharField(source="office.code")
    kind = serializers.CharField()
    operator = serializers.CharField(source="operator.tax_code", allow_null=True)
    operator_name = serializers.CharField(source="operator.name", allow_null=True)
    status = serializers.CharField(help_text="active, suspended, licence_expired or "
                                             "not_yet_licensed: only an active one takes goods "
                                             "in or lets them out.")


class CodeListEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    label_vi = serializers.CharField()
    label_en = serializers.CharField()


class CodeListOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    entries = CodeListEntrySerializer(many=True)
