"""The bonded-warehouse API, scoped per enterprise like the declarations API: an officer reads
every warehouse; an enterprise the warehouses it operates (their whole stock) and its own
goods elsewhere; anything else is 404. Officers' decisions (adjust, transfer, extend a storage
term, apply held goods) are POSTs that create, with Idempotency-Key; 409 with a code when the
stock is not there or the warehouse may not move goods; 400 with field errors."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from customs_core.models import BondedWarehouse
from declarations.idempotency import idempotent
from declarations.selectors import declaration_get_for, declarations_visible_to

from .. import reports, selectors, services
from ..filters import MovementFilterSet, StockFilterSet
from ..models import HeldMovement, StockItem, StockMovement
from .serializers import (
    AdjustmentInputSerializer,
    DecisionInputSerializer,
    DrawOutputSerializer,
    DrawsInputSerializer,
    ExtensionInputSerializer,
    ExtensionOutputSerializer,
    HeldOutputSerializer,
    MovementOutputSerializer,
    StockItemOutputSerializer,
    TransferInputSerializer,
    TransferOutputSerializer,
    WarehouseOutputSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Same key and body replays the first response; same key, other body: 422.")
MONTH = OpenApiParameter("month", OpenApiTypes.STR, required=False,
                         description="YYYY-MM (default: the current month)")
DOWNLOAD = OpenApiParameter("download", OpenApiTypes.STR, enum=["csv", "xlsx"], required=False,
                            description="A file instead of JSON: csv or xlsx")


def parse_month(value: str | None) -> date:
    """"2026-11" (or today's month when absent); 400 on anything else."""
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValidationError({"month": [_("A month is written YYYY-MM.")]}) from None


class _Transfer:
    def __init__(self, out, into):
        self.out, self.in_ = out, into


@extend_schema(tags=["bonded warehouses"])
class WarehouseViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]{1,16}"
    serializer_class = WarehouseOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BondedWarehouse.objects.none()
        return selectors.warehouses_visible_to(self.request.user)

    @extend_schema(summary="Monthly stock report: opening, in, out, closing per item",
                   parameters=[MONTH, DOWNLOAD],
                   responses={200: OpenApiResponse(description="JSON rows, CSV or XLSX")})
    @action(detail=True, methods=["get"], url_path="report")
    def report(self, request, code=None):
        warehouse = selectors.warehouse_get_for(request.user, code)
        month = parse_month(request.query_params.get("month"))
        kind = request.query_params.get("download") or "json"
        if kind not in {"json", "csv", "xlsx"}:
            raise ValidationError({"download": [_("Choose csv or xlsx.")]})
        owner = (None if selectors.may_see_every_owner(request.user, warehouse)
                 else request.user.enterprise_id)
        rows = reports.monthly_report(warehouse, month, owner_id=owner)
        if kind == "json":
            return Response({"warehouse": warehouse.code, "month": f"{month:%Y-%m}",
                             "rows": [{"item": r.item_id, "lot": r.lot,
                                       "owner": r.owner_tax_code, "hs_code": r.hs_code,
                                       "description": r.description, "unit": r.unit,
                                       "opening": f"{r.opening:.3f}", "in": f"{r.entered:.3f}",
                                       "out": f"{r.exited:.3f}", "closing": f"{r.closing:.3f}"}
                                      for r in rows]})
        return reports.report_download(warehouse, month, rows, kind)


@extend_schema(tags=["bonded warehouses"])
class StockItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StockItemOutputSerializer
    filterset_class = StockFilterSet
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StockItem.objects.none()
        return selectors.stock_visible_to(self.request.user).order_by("warehouse_id",
                                                                       "entered_on", "pk")

    def _item(self, request, pk) -> StockItem:
        return selectors.stock_item_get_for(request.user, pk)

    @extend_schema(summary="Goods held past their storage term (flagged by the beat task)",
                   responses={200: StockItemOutputSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def overdue(self, request):
        page = self.paginate_queryset(selectors.overdue_visible_to(request.user))
        return self.get_paginated_response(represent_many(StockItemOutputSerializer, page))

    @extend_schema(summary="An officer's adjustment (signed quantity, with a reason)",
                   request=AdjustmentInputSerializer,
                   responses={201: MovementOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def adjustments(self, request, pk=None):
        item = self._item(request, pk)

        def handler():
            data = parse(AdjustmentInputSerializer, request.data)
            movement = services.stock_adjust(item=item, user=request.user, **data)
            return Response(represent(MovementOutputSerializer, movement),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"stock-adjustment-{item.pk}", handler=handler)

    @extend_schema(summary="Transfer to another warehouse (out here, in there, one transaction)",
                   request=TransferInputSerializer,
                   responses={201: TransferOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def transfers(self, request, pk=None):
        item = self._item(request, pk)

        def handler():
            data = parse(TransferInputSerializer, request.data)
            target = BondedWarehouse.objects.filter(code=data.pop("to_warehouse")).first()
            if target is None:
                raise ValidationError({"to_warehouse": [_("Unknown bonded warehouse.")]})
            out, into = services.stock_transfer(item=item, user=request.user,
                                                to_warehouse=target, **data)
            return Response(represent(TransferOutputSerializer, _Transfer(out, into)),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"stock-transfer-{item.pk}", handler=handler)

    @extend_schema(summary="Extend the storage term (with a reason; every extension is kept)",
                   request=ExtensionInputSerializer,
                   responses={201: ExtensionOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], url_path="term-extensions")
    def term_extensions(self, request, pk=None):
        item = self._item(request, pk)

        def handler():
            data = parse(ExtensionInputSerializer, request.data)
            extension = services.term_extend(item=item, user=request.user, **data)
            return Response(represent(ExtensionOutputSerializer, extension),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"stock-extension-{item.pk}", handler=handler)


@extend_schema(tags=["bonded warehouses"])
class MovementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MovementOutputSerializer
    filterset_class = MovementFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StockMovement.objects.none()
        return selectors.movements_visible_to(self.request.user)


@extend_schema(tags=["bonded warehouses"])
class HeldViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Entries and exits of cleared declarations that a warehouse not active could not take."""

    serializer_class = HeldOutputSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return HeldMovement.objects.none()
        return selectors.held_visible_to(self.request.user)

    @extend_schema(summary="Let held goods in or out by an officer's decision (with a reason)",
                   request=DecisionInputSerializer, responses={201: MovementOutputSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        held = get_object_or_404(self.get_queryset(), pk=pk)

        def handler():
            data = parse(DecisionInputSerializer, request.data)
            movement = services.held_apply(held=held, user=request.user, **data)
            return Response(represent(MovementOutputSerializer, movement),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"held-apply-{held.pk}", handler=handler)


class DeclarationDrawsViewSet(viewsets.GenericViewSet):
    """On /declarations/{id}/stock-draws/: the stock an exit declaration takes, per line."""

    lookup_value_regex = r"\d+"
    pagination_class = None
    parser_classes = [JSONParser]
    serializer_class = DrawOutputSerializer

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    @extend_schema(methods=["get"], summary="The bonded stock each goods line takes out",
                   request=None, responses={200: DrawOutputSerializer(many=True)})
    @extend_schema(methods=["put"],
                   summary="Name the stock each goods line takes out (a draft C12 or release "
                           "for home use); checked now, reserved at registration",
                   request=DrawsInputSerializer, responses={200: DrawOutputSerializer(many=True)})
    @action(detail=True, methods=["get", "put"], url_path="stock-draws")
    def stock_draws(self, request, pk=None):
        declaration = declaration_get_for(request.user, pk)
        if request.method == "PUT":
            data = parse(DrawsInputSerializer, request.data)
            draws = services.draws_name(declaration=declaration, user=request.user,
                                        draws=data["draws"])
        else:
            draws = selectors.draws_of(declaration)
        return Response(represent_many(DrawOutputSerializer, draws))
