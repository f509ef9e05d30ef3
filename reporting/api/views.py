"""The reports API (DESIGN.md §8, §9): the branch dashboard's figures for leaders, as a whole
or figure by figure; an enterprise's own figures; the revenue targets; the XLSX exports.

Every figure comes from reporting.selectors through reporting.serializing.plain, as the
pages' do, so the API answers the very numbers the dashboard shows. Who reads what: the
branch's figures and the exports are leaders' (team and branch leaders, who may both read
every enterprise's figures); an enterprise reads only its own (reports/mine/); a target is
set by the branch leader. Another leader's export is 404."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.metadata import SimpleMetadata
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from customs_core.models import CustomsOffice
from customs_core.roles import TEAM_LEADER_ROLES
from declarations.api.views import FileNegotiation
from declarations.idempotency import idempotent

from .. import selectors, services
from ..exports import XLSX, export_file_response, export_request, export_visible_to
from ..forms import filters_from
from ..models import ReportExport, RevenueTarget, ValueRollup
from ..selectors import ReportFilters
from ..serializing import plain
from .serializers import (
    ChannelMixOutputSerializer,
    ClearanceOutputSerializer,
    DashboardOutputSerializer,
    EnterpriseFiguresOutputSerializer,
    ExportInputSerializer,
    MonthlyOutputSerializer,
    ReportExportOutputSerializer,
    ReportFilterQuerySerializer,
    RevenueOutputSerializer,
    RevenueTargetInputSerializer,
    RevenueTargetOutputSerializer,
    TimeReleaseOutputSerializer,
    TopOutputSerializer,
    TotalsOutputSerializer,
)

ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Same key and body replays the first response; same key, other body: 422.")
REUSED_KEY = {422: OpenApiResponse(OpenApiTypes.OBJECT, description="This Idempotency-Key "
                                   "was used with another body.")}
NOT_READY = OpenApiResponse(ERROR_SCHEMA, description="Not built yet, or its build failed "
                                                      "(code export_not_ready, current_state).")
YEAR = OpenApiParameter("year", OpenApiTypes.INT, required=False,
                        description=f"{services.FIRST_YEAR}-{services.LAST_YEAR} (default: this "
                                    "year)")


class IsLeader(BasePermission):
    message = gettext_lazy("Only leaders read the branch's figures.")

    def has_permission(self, request, view):
        return getattr(request.user, "role", None) in TEAM_LEADER_ROLES


class IsDeclarant(BasePermission):
    message = gettext_lazy("These are an enterprise's own figures: its users read them.")

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_declarant", False))


class _InputMetadata(SimpleMetadata):
    """OPTIONS: what each write of the route takes. (DRF's own looks for the object a PUT
    replaces, and these routes name none: an AssertionError, a 500.)"""

    def determine_actions(self, request, view):
        try:
            view.check_permissions(request)
        except exceptions.APIException:
            return {}
        return {method: self.get_serializer_info(serializer_class())
                for method, serializer_class in view.inputs.items()
                if method in view.allowed_methods}


def report_filters(params) -> ReportFilters:
    """The filters of a query (or a body), or a 400 with the fields' messages."""
    filters, errors = filters_from(params)
    if errors:
        raise ValidationError(errors)
    return filters


def _year(value: str | None) -> int:
    if not value:
        return timezone.localdate().year
    if not value.isdigit() or not services.FIRST_YEAR <= int(value) <= services.LAST_YEAR:
        raise ValidationError({"year": [_("A year between %(first)s and %(last)s.") % {
            "first": services.FIRST_YEAR, "last": services.LAST_YEAR}]})
    return int(value)


def _figure(summary: str, output) -> dict:
    return {"summary": summary, "parameters": [ReportFilterQuerySerializer],
            "responses": {200: output}}


@extend_schema(tags=["reports"])
class ReportViewSet(viewsets.ViewSet):
    """The branch dashboard's figures (leaders), and an enterprise's own (reports/mine/)."""

    permission_classes = [IsAuthenticated, IsLeader]

    def _answer(self, request, compute) -> Response:
        return Response(plain(compute(report_filters(request.query_params))))

    @extend_schema(**_figure("Every figure of the branch dashboard, as the page shows them",
                             DashboardOutputSerializer))
    @action(detail=False, methods=["get"])
    def dashboard(self, request):
        return self._answer(request, selectors.dashboard)

    @extend_schema(**_figure("The period's totals and registrations per channel (the tiles)",
                             TotalsOutputSerializer))
    @action(detail=False, methods=["get"])
    def totals(self, request):
        return self._answer(request, selectors.totals)

    @extend_schema(**_figure("Per month: declarations, turnover, revenue, and a year before",
                             MonthlyOutputSerializer(many=True)))
    @action(detail=False, methods=["get"])
    def monthly(self, request):
        return self._answer(request, selectors.monthly)

    @extend_schema(**_figure("Per month: declarations registered per channel",
                             ChannelMixOutputSerializer(many=True)))
    @action(detail=False, methods=["get"], url_path="channel-mix")
    def channel_mix(self, request):
        return self._answer(request, selectors.channel_mix)

    @extend_schema(**_figure("Every WCO Time Release segment per channel",
                             TimeReleaseOutputSerializer(many=True)))
    @action(detail=False, methods=["get"], url_path="time-release")
    def time_release(self, request):
        return self._answer(request, selectors.time_release)

    @extend_schema(**_figure("Registration to clearance per channel and flow",
                             ClearanceOutputSerializer(many=True)))
    @action(detail=False, methods=["get"])
    def clearance(self, request):
        return self._answer(request, selectors.clearance_times)

    @extend_schema(**_figure("The ten HS chapters of highest turnover",
                             TopOutputSerializer(many=True)))
    @action(detail=False, methods=["get"], url_path="top-chapters")
    def top_chapters(self, request):
        return self._answer(request, lambda f: selectors.top(f, ValueRollup.Kind.CHAPTER))

    @extend_schema(**_figure("The ten enterprises of highest turnover",
                             TopOutputSerializer(many=True)))
    @action(detail=False, methods=["get"], url_path="top-enterprises")
    def top_enterprises(self, request):
        return self._answer(request, lambda f: selectors.top(f, ValueRollup.Kind.ENTERPRISE))

    @extend_schema(summary="A year's budget revenue against its target, projected to the "
                           "year's end",
                   parameters=[YEAR], responses={200: RevenueOutputSerializer})
    @action(detail=False, methods=["get"])
    def revenue(self, request):
        return Response(plain(selectors.revenue_progress(_year(request.query_params.get(
            "year")))))

    @extend_schema(summary="Your enterprise's own figures: channel mix, clearance times "
                           "against the branch's, duties paid per month",
                   parameters=[ReportFilterQuerySerializer],
                   responses={200: EnterpriseFiguresOutputSerializer})
    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated, IsDeclarant])
    def mine(self, request):
        enterprise = request.user.enterprise
        return self._answer(request, lambda f: selectors.enterprise_figures(enterprise, f))


@extend_schema(tags=["reports"])
class RevenueTargetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The offices' yearly budget revenue targets: leaders read them, the branch leader sets
    them."""

    permission_classes = [IsAuthenticated, IsLeader]
    serializer_class = RevenueTargetOutputSerializer
    parser_classes = [JSONParser]
    filter_backends: list = []
    metadata_class = _InputMetadata
    inputs = {"PUT": RevenueTargetInputSerializer}

    def get_queryset(self):
        targets = RevenueTarget.objects.select_related("office", "updated_by")
        if getattr(self, "swagger_fake_view", False):
            return targets.none()
        year = self.request.query_params.get("year")
        if year:
            targets = targets.filter(year=_year(year))
        return targets.order_by("-year", "office__code")

    @extend_schema(summary="Revenue targets, latest year first (year: that year's only)",
                   parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=False)])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(represent_many(RevenueTargetOutputSerializer, page))

    @extend_schema(summary="Set (or replace) an office's revenue target for a year (the branch "
                           "leader)",
                   request=RevenueTargetInputSerializer,
                   responses={200: RevenueTargetOutputSerializer},
                   parameters=[OpenApiParameter("office_code", OpenApiTypes.STR,
                                                OpenApiParameter.PATH,
                                                description="The office's VNACCS code"),
                               OpenApiParameter("year", OpenApiTypes.INT,
                                                OpenApiParameter.PATH)])
    @action(detail=False, methods=["put"], url_name="detail", pagination_class=None,
            url_path=r"(?P<office_code>[A-Za-z0-9]{1,8})/(?P<year>[0-9]{1,4})")
    def set_target(self, request, office_code=None, year=None):
        office = get_object_or_404(CustomsOffice, code=office_code)
        data = parse(RevenueTargetInputSerializer, request.data)
        target = services.revenue_target_set(office=office, year=int(year),
                                             amount_vnd=data["amount_vnd"], by=request.user)
        return Response(represent(RevenueTargetOutputSerializer, target))


@extend_schema(tags=["reports"])
class ReportExportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """XLSX exports of the dashboard (leaders): asked for with the filters, built in the
    background (state, progress), then downloaded. Each leader sees only their own."""

    permission_classes = [IsAuthenticated, IsLeader]
    serializer_class = ReportExportOutputSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    filter_backends: list = []
    metadata_class = _InputMetadata
    inputs = {"POST": ExportInputSerializer}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportExport.objects.none()
        return export_visible_to(self.request.user)

    def _shown(self, export: ReportExport) -> ReportExport:
        export.url = (self.request.build_absolute_uri(
            reverse("report-export-download", args=[export.pk]))
            if export.state == ReportExport.State.DONE else None)
        return export

    @extend_schema(summary="Your exports, newest first")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(represent_many(
            ReportExportOutputSerializer, [self._shown(export) for export in page]))

    @extend_schema(summary="Export the dashboard for these filters (XLSX, built in the "
                           "background: follow its state, then download it)",
                   request=ExportInputSerializer,
                   responses={202: ReportExportOutputSerializer, **REUSED_KEY},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        def handler():
            data = parse(ExportInputSerializer, request.data)
            export = export_request(user=request.user, filters=report_filters(
                {name: value.isoformat() if isinstance(value, date) else value
                 for name, value in data.items()}))
            return Response(represent(ReportExportOutputSerializer, self._shown(export)),
                            status=status.HTTP_202_ACCEPTED)

        return idempotent(request, scope="report-export", handler=handler)

    @extend_schema(summary="An export's state and progress; its file's address once built")
    def retrieve(self, request, pk=None):
        export = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(represent(ReportExportOutputSerializer, self._shown(export)))

    @extend_schema(summary="Download a built export (XLSX); 409 until it is built",
                   request=None, responses={(200, XLSX): OpenApiTypes.BINARY, 409: NOT_READY})
    @action(detail=True, methods=["get"], content_negotiation_class=FileNegotiation)
    def download(self, request, pk=None):
        return export_file_response(get_object_or_404(self.get_queryset(), pk=pk))
