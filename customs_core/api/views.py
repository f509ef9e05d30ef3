from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from customs_core.code_lists import CODE_LISTS, code_list_entries
from customs_core.filters import (
    BorderGateFilterSet,
    ExchangeRateFilterSet,
    RegimeFilterSet,
    TariffLineFilterSet,
)
from customs_core.models import (
    BondedWarehouse,
    BorderGate,
    Country,
    Currency,
    CustomsOffice,
    ExchangeRate,
    InspectionSite,
    Regime,
)
from customs_core.selectors import tariff_lines_search

from .serializers import (
    BondedWarehouseOutputSerializer,
    BorderGateOutputSerializer,
    CodeListOutputSerializer,
    CountryOutputSerializer,
    CurrencyOutputSerializer,
    CustomsOfficeOutputSerializer,
    ExchangeRateOutputSerializer,
    RegimeOutputSerializer,
    TariffLineOutputSerializer,
)


@extend_schema_view(list=extend_schema(summary="Search tariff lines by HS code or words"),
                    retrieve=extend_schema(summary="One tariff line with its rates in force"))
class TariffLineViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TariffLineOutputSerializer
    filterset_class = TariffLineFilterSet
    lookup_field = "hs_code"

    def get_queryset(self):
        return tariff_lines_search()


@extend_schema_view(list=extend_schema(summary="Customs regimes (VNACCS type codes)"))
class RegimeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Regime.objects.all()
    serializer_class = RegimeOutputSerializer
    filterset_class = RegimeFilterSet


@extend_schema_view(list=extend_schema(summary="Border gates of the branch"))
class BorderGateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BorderGateOutputSerializer
    filterset_class = BorderGateFilterSet
    lookup_field = "code"

    def get_queryset(self):
        return BorderGate.objects.filter(is_active=True).select_related("office").prefetch_related(
            Prefetch("inspection_sites", queryset=InspectionSite.objects.order_by("code")))


@extend_schema_view(list=extend_schema(summary="Weekly customs exchange rates (VND per unit)"))
class ExchangeRateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateOutputSerializer
    filterset_class = ExchangeRateFilterSet


@extend_schema_view(list=extend_schema(summary="Countries (ISO 3166-1) for origin and trading "
                                               "country"))
class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.order_by("code")
    serializer_class = CountryOutputSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{2}"


@extend_schema_view(list=extend_schema(summary="Currencies (ISO 4217) an invoice may use"))
class CurrencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Currency.objects.order_by("code")
    serializer_class = CurrencyOutputSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z]{3}"


@extend_schema_view(list=extend_schema(summary="Customs offices (VNACCS office codes)"))
class CustomsOfficeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CustomsOffice.objects.order_by("code")
    serializer_class = CustomsOfficeOutputSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z0-9]{2,8}"


@extend_schema_view(list=extend_schema(summary="Bonded warehouses a C11/C12 declaration names"))
class BondedWarehouseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = BondedWarehouse.objects.select_related("office").order_by("code")
    serializer_class = BondedWarehouseOutputSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]{1,16}"


class CodeListViewSet(viewsets.ViewSet):
    """The enumerations of the declaration schema with their labels in both languages."""

    lookup_field = "name"
    lookup_value_regex = "[a-z-]{1,40}"

    @extend_schema(summary="Every code list (document types, incoterms, units...)",
                   responses=CodeListOutputSerializer(many=True))
    def list(self, request):
        rows = [{"name": name, "entries": code_list_entries(name)} for name in sorted(CODE_LISTS)]
        return Response(CodeListOutputSerializer(rows, many=True).data)

    @extend_schema(summary="One code list with its codes and labels",
                   responses=CodeListOutputSerializer)
    def retrieve(self, request, name=None):
        entries = code_list_entries(name)
        if entries is None:
            raise NotFound
        return Response(CodeListOutputSerializer({"name": name, "entries": entries}).data)
