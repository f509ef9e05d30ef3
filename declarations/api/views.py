from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from declarations import services
from declarations.documents import document_attach, document_response
from declarations.filters import DeclarationFilterSet
from declarations.idempotency import idempotent
from declarations.selectors import (
    declaration_detail_for,
    declaration_get_for,
    declarations_visible_to,
    document_get_for,
    with_reference_rows,
)

from .serializers import (
    AmendInputSerializer,
    DeclarationInputSerializer,
    DeclarationListOutputSerializer,
    DeclarationOutputSerializer,
    DocumentInputSerializer,
    DocumentOutputSerializer,
    DutyPreviewInputSerializer,
    DutyPreviewOutputSerializer,
    PayInputSerializer,
    PaymentOutputSerializer,
    ReasonInputSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Same key and body replays the first response; same key, other body: 422.")
IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                            required=False, description="The ETag you read; stale: 412.")


class FileNegotiation(DefaultContentNegotiation):
    """A file route answers with the file's own type whatever the client accepts (no 406 for
    Accept: application/pdf); its errors are JSON like every other route's."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FILE_TYPES = ("application/pdf", "image/jpeg", "image/png", "application/octet-stream")


def _render(declaration, *, status_code=status.HTTP_200_OK) -> Response:
    """A declaration as the API shows it, from a copy whose relations are already read."""
    declaration = with_reference_rows([declaration])[0]
    response = Response(represent(DeclarationOutputSerializer, declaration), status=status_code)
    response["ETag"] = declaration.etag
    return response


def declaration_detail_response(request, pk) -> Response:
    """The declaration read for rendering (a constant number of queries)."""
    return _render(declaration_detail_for(request.user, pk))


def _parse(serializer_class, request):
    return parse(serializer_class, request.data)


def _declarant_only(request):
    if not request.user.is_declarant:
        raise PermissionDenied(_("Only an enterprise declarant may do this."))


@extend_schema_view(
    list=extend_schema(summary="Declarations visible to you (filters, pagination)"),
    retrieve=extend_schema(summary="One declaration with lines, documents, duties, timeline"),
)
class DeclarationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    filterset_class = DeclarationFilterSet
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    def get_serializer_class(self):
        return DeclarationListOutputSerializer

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(represent_many(DeclarationListOutputSerializer,
                                                          with_reference_rows(page)))

    def retrieve(self, request, pk=None):
        return declaration_detail_response(request, pk)

    @extend_schema(summary="Create a draft declaration with its goods lines",
                   request=DeclarationInputSerializer,
                   responses={201: DeclarationOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        _declarant_only(request)

        def handler():
            data = _parse(DeclarationInputSerializer, request)
            declaration = services.declaration_create_draft(user=request.user, data=data)
            return _render(declaration, status_code=status.HTTP_201_CREATED)

        return idempotent(request, scope="declaration-create", handler=handler)

    @extend_schema(summary="Replace a draft (header and lines)", request=DeclarationInputSerializer,
                   responses={200: DeclarationOutputSerializer}, parameters=[IF_MATCH])
    def update(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)
        data = _parse(DeclarationInputSerializer, request)
        return _render(services.declaration_update_draft(
            declaration=declaration, user=request.user, data=data,
            if_match=request.headers.get("If-Match")))

    @extend_schema(summary="Submit (register) a draft: duties at today's rates, number issued",
                   request=None, responses={200: DeclarationOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)
        return _render(services.declaration_submit(declaration=declaration, user=request.user,
                                                   if_match=request.headers.get("If-Match")))

    @extend_schema(summary="Amend a submitted declaration (re-scored)",
                   request=AmendInputSerializer, responses={200: DeclarationOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)
        data = _parse(AmendInputSerializer, request)
        reason = data.pop("reason")
        return _render(services.declaration_amend(
            declaration=declaration, user=request.user, data=data, reason=reason,
            if_match=request.headers.get("If-Match")))

    @extend_schema(summary="Cancel a declaration", request=ReasonInputSerializer,
                   responses={200: DeclarationOutputSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)
        data = _parse(ReasonInputSerializer, request)
        services.declaration_cancel(declaration=declaration, user=request.user,
                                    reason=data["reason"],
                                    if_match=request.headers.get("If-Match"))
        return declaration_detail_response(request, pk)

    @extend_schema(summary="Record a duty payment", request=PayInputSerializer,
                   responses={201: PaymentOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)

        def handler():
            data = _parse(PayInputSerializer, request)
            payment = services.declaration_pay(declaration=declaration, user=request.user,
                                               **data)
            return Response(represent(PaymentOutputSerializer, payment),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"declaration-pay-{declaration.pk}", handler=handler)

    @extend_schema(summary="Attach a document (PDF, JPEG or PNG, at most 10 MB)",
                   request={"multipart/form-data": DocumentInputSerializer},
                   responses={201: DocumentOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)

        def handler():
            data = _parse(DocumentInputSerializer, request)
            document = document_attach(declaration=declaration, user=request.user, **data)
            return Response(represent(DocumentOutputSerializer, document),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"declaration-document-{declaration.pk}",
                          handler=handler)

    @extend_schema(summary="Download an attached document (its own type; PDF and images inline)",
                   request=None,
                   parameters=[OpenApiParameter("document_id", OpenApiTypes.INT,
                                                OpenApiParameter.PATH)],
                   responses={(200, media): OpenApiTypes.BINARY for media in FILE_TYPES})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)/file",
            url_name="document-file", content_negotiation_class=FileNegotiation)
    def document_file(self, request, pk=None, document_id=None):
        return document_response(document_get_for(request.user, declaration_id=pk,
                                                  document_id=document_id))

    @extend_schema(summary="Compute duties for unsaved input (nothing is written)",
                   request=DutyPreviewInputSerializer,
                   responses={200: DutyPreviewOutputSerializer})
    @action(detail=False, methods=["post"], url_path="duty-preview")
    def duty_preview(self, request):
        data = _parse(DutyPreviewInputSerializer, request)
        result = services.duties_preview(user=request.user, data=data)
        return Response(represent(DutyPreviewOutputSerializer, asdict(result)))
