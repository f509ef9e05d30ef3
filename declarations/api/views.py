from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record_officer_read
from declarations import services
from declarations.documents import document_attach, document_served
from declarations.filters import DeclarationFilterSet
from declarations.idempotency import idempotent
from declarations.paperwork import (
    SHEET_TYPES,
    declaration_pdf_response,
    lines_file_response,
    lines_from_upload,
    receipt_pdf_response,
    spreadsheet_too_big,
)
from declarations.selectors import (
    declaration_detail_for,
    declaration_get_for,
    declarations_visible_to,
    document_get_for,
    hs_suggestions_for,
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
    HsSuggestionOutputSerializer,
    HsSuggestionsQuerySerializer,
    LinesImportInputSerializer,
    LinesImportOutputSerializer,
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


# The error body every route answers with (components/schemas/Error, customs_core.api.schema).
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}
TOO_BIG = OpenApiResponse(ERROR_SCHEMA, description="The upload is larger than 2 MB.")
NOTHING_PAID = OpenApiResponse(ERROR_SCHEMA, description="No payment yet (code nothing_paid).")
FILE_TYPES = ("application/pdf", "image/jpeg", "image/png", "application/octet-stream")
SHEET_FORMAT = OpenApiParameter("as", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                                enum=list(SHEET_TYPES), description="xlsx (default) or csv")


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
        declaration = declaration_detail_for(request.user, pk)
        record_officer_read(request, AuditAction.DECLARATION_VIEWED, declaration)
        return _render(declaration)

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
        document = document_get_for(request.user, declaration_id=pk, document_id=document_id)
        return document_served(request, document)

    @extend_schema(summary="Compute duties for unsaved input (nothing is written)",
                   request=DutyPreviewInputSerializer,
                   responses={200: DutyPreviewOutputSerializer})
    @action(detail=False, methods=["post"], url_path="duty-preview")
    def duty_preview(self, request):
        data = _parse(DutyPreviewInputSerializer, request)
        result = services.duties_preview(user=request.user, data=data)
        return Response(represent(DutyPreviewOutputSerializer, asdict(result)))

    @extend_schema(summary="New draft from this declaration (header, parties, goods lines and "
                           "the documents' list; today's rates)",
                   request=None, responses={201: DeclarationOutputSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)

        def handler():
            copy = services.declaration_copy(declaration=declaration, user=request.user)
            return _render(copy, status_code=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"declaration-copy-{declaration.pk}", handler=handler)

    @extend_schema(summary="Goods lines from a spreadsheet into a draft (XLSX or CSV)",
                   request={"multipart/form-data": LinesImportInputSerializer},
                   responses={200: LinesImportOutputSerializer, 413: TOO_BIG},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="lines/import", url_name="lines-import",
            parser_classes=[MultiPartParser, FormParser])
    def lines_import(self, request, pk=None):
        _declarant_only(request)
        declaration = declaration_get_for(request.user, pk)
        too_big = spreadsheet_too_big(request)
        if too_big:
            return too_big
        data = _parse(LinesImportInputSerializer, request)
        lines, skipped = lines_from_upload(data["file"], valid_only=data["valid_only"])
        declaration = services.declaration_lines_import(
            declaration=declaration, user=request.user, lines=lines, replace=data["replace"],
            if_match=request.headers.get("If-Match"))
        declaration = with_reference_rows([declaration])[0]
        response = Response(represent(LinesImportOutputSerializer, {
            "imported": len(lines), "skipped_rows": {str(k): v for k, v in skipped.items()},
            "declaration": declaration}))
        response["ETag"] = declaration.etag
        return response

    @extend_schema(summary="A declaration's goods lines in the import template",
                   request=None, parameters=[SHEET_FORMAT],
                   responses={(200, media.split(";")[0]): OpenApiTypes.BINARY
                              for media in SHEET_TYPES.values()})
    @action(detail=True, methods=["get"], url_path="lines/export", url_name="lines-export",
            content_negotiation_class=FileNegotiation)
    def lines_export(self, request, pk=None):
        declaration = declaration_detail_for(request.user, pk)
        kind = request.query_params.get("as")
        response = lines_file_response(declaration, kind)
        record_officer_read(request, AuditAction.DECLARATION_PRINTED, declaration,
                            details={"format": f"lines.{kind if kind in SHEET_TYPES else 'xlsx'}"})
        return response

    @extend_schema(summary="The empty goods-line template (Vietnamese and English headings)",
                   request=None, parameters=[SHEET_FORMAT],
                   responses={(200, media.split(";")[0]): OpenApiTypes.BINARY
                              for media in SHEET_TYPES.values()})
    @action(detail=False, methods=["get"], url_path="lines/template", url_name="lines-template",
            content_negotiation_class=FileNegotiation)
    def lines_template(self, request):
        return lines_file_response(None, request.query_params.get("as"))

    @extend_schema(summary="Tariff lines for words or digits as typed, ranked by relevance and "
                           "by how often your enterprise declared them",
                   parameters=[HsSuggestionsQuerySerializer],
                   responses={200: HsSuggestionOutputSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="hs-suggestions", url_name="hs-suggestions",
            pagination_class=None, filter_backends=[])  # a plain list: no page, no filters
    def hs_suggestions(self, request):
        query = parse(HsSuggestionsQuerySerializer, request.query_params.dict())
        return Response(represent_many(HsSuggestionOutputSerializer, hs_suggestions_for(
            request.user, query["q"], limit=query["limit"])))

    @extend_schema(summary="The printed declaration (PDF, the official form's layout)",
                   request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="print", url_name="print",
            content_negotiation_class=FileNegotiation)
    def print_pdf(self, request, pk=None):
        declaration = declaration_detail_for(request.user, pk)
        response = declaration_pdf_response(declaration)
        record_officer_read(request, AuditAction.DECLARATION_PRINTED, declaration,
                            details={"format": "pdf"})
        return response

    @extend_schema(summary="The duty payment receipt (PDF); 409 while nothing is paid",
                   request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                                            409: NOTHING_PAID})
    @action(detail=True, methods=["get"], url_path="receipt", url_name="receipt",
            content_negotiation_class=FileNegotiation)
    def receipt(self, request, pk=None):
        declaration = declaration_detail_for(request.user, pk)
        response = receipt_pdf_response(declaration)
        record_officer_read(request, AuditAction.DECLARATION_PRINTED, declaration,
                            details={"format": "receipt.pdf"})
        return response
