from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from customs_core.filters import (
    BorderGateFilterSet,
    ExchangeRateFilterSet,
    RegimeFilterSet,
    TariffLineFilterSet,
)
from customs_core.models import BorderGate, ExchangeRate, InspectionSite, Regime
from customs_core.selectors import tariff_lines_search

from .serializers import (
    BorderGateOutputSerializer,
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
