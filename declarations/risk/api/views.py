"""The risk API: assessments of a declaration, channel overrides and the branch leader's
decisions on lowering requests. Officers only: a declarant gets 404 (never confirm that risk
data exists); the declaration routes live under /declarations/{id}/ like the rest."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record
from declarations.api.serializers import DeclarationOutputSerializer
from declarations.api.views import declaration_detail_response
from declarations.selectors import declaration_get_for, declarations_visible_to

from .. import services
from ..selectors import assessments_for, channel_requests_visible_to
from .serializers import (
    ChannelChangeInputSerializer,
    ChannelRequestDecisionInputSerializer,
    ChannelRequestOutputSerializer,
    RiskAssessmentOutputSerializer,
)


def _officer_declaration(request, pk):
    """Risk data is confidential: a declarant gets 404 (the route does not exist for them)."""
    if not request.user.is_officer:
        raise Http404
    return declaration_get_for(request.user, pk)


class DeclarationRiskViewSet(viewsets.GenericViewSet):
    """Risk actions on one declaration (no list or retrieve of its own: those are the
    declarations API's)."""

    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    pagination_class = None
    serializer_class = ChannelChangeInputSerializer  # what OPTIONS describes

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    @extend_schema(summary="Risk assessments of the declaration (officers only; confidential)",
                   request=None, responses={200: RiskAssessmentOutputSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="risk")
    def risk(self, request, pk=None):
        declaration = _officer_declaration(request, pk)
        assessments = list(assessments_for(declaration))
        if assessments:  # confidential criteria shown: recorded (officers only reach here)
            record(request, AuditAction.RISK_ASSESSMENT_VIEWED, declaration,
                   details={"assessments": [a.pk for a in assessments]})
        return Response(represent_many(RiskAssessmentOutputSerializer, assessments))

    @extend_schema(summary="Raise the channel (officers, with a reason)",
                   request=ChannelChangeInputSerializer,
                   responses={200: DeclarationOutputSerializer})
    @action(detail=True, methods=["post"], url_path="raise-channel")
    def raise_channel(self, request, pk=None):
        declaration = _officer_declaration(request, pk)
        data = parse(ChannelChangeInputSerializer, request.data)
        services.declaration_raise_channel(declaration=declaration, by=request.user, **data)
        return declaration_detail_response(request, pk)

    @extend_schema(summary="Ask the branch leader to lower the channel",
                   request=ChannelChangeInputSerializer,
                   responses={201: ChannelRequestOutputSerializer})
    @action(detail=True, methods=["post"], url_path="channel-requests")
    def channel_requests(self, request, pk=None):
        declaration = _officer_declaration(request, pk)
        data = parse(ChannelChangeInputSerializer, request.data)
        change = services.channel_lowering_request(declaration=declaration, by=request.user,
                                                   **data)
        return Response(represent(ChannelRequestOutputSerializer, change),
                        status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="Channel-lowering requests (officers)"))
class ChannelRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ChannelRequestOutputSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        return channel_requests_visible_to(self.request.user)

    @extend_schema(summary="Approve or reject a request (branch leader)",
                   request=ChannelRequestDecisionInputSerializer,
                   responses={200: ChannelRequestOutputSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        change = get_object_or_404(self.get_queryset(), pk=pk)
        data = parse(ChannelRequestDecisionInputSerializer, request.data)
        change = services.channel_request_decide(request=change, by=request.user, **data)
        return Response(represent(ChannelRequestOutputSerializer, change))
