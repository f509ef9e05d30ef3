"""The partnership API, with the declarations API's conventions: scoped reads (another
enterprise's request is 404), explicit POST actions for writes with Idempotency-Key on those
that create, ETag on a request's detail and If-Match on its actions (412), 409 with a code for
a state conflict, 400 with field messages."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.metadata import SimpleMetadata
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from declarations.api.views import FILE_TYPES, FileNegotiation
from declarations.idempotency import idempotent

from .. import notices, ratings, selectors, services, stats
from ..attachments import attachment_response
from ..choices import RequestState, Topic
from ..models import Notification, Rating, SupportRequest
from .serializers import (
    ArticleOutputSerializer,
    NotificationOutputSerializer,
    NotificationReadInputSerializer,
    NotificationSettingSerializer,
    NotificationSettingsInputSerializer,
    RatingInputSerializer,
    RatingOutputSerializer,
    RatingSummarySerializer,
    SupportAssignInputSerializer,
    SupportCloseInputSerializer,
    SupportMessageInputSerializer,
    SupportMessageOutputSerializer,
    SupportReopenInputSerializer,
    SupportRequestDetailSerializer,
    SupportRequestInputSerializer,
    SupportRequestOutputSerializer,
    SupportScheduleInputSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Same key and body replays the first response; same key, other body: 422.")
IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                            required=False, description="The request's ETag; stale: 412.")
# What a creating write answers besides the errors every operation documents
# (customs_core.api.schema): a replay of an Idempotency-Key with another body.
REUSED_KEY = {422: OpenApiResponse(OpenApiTypes.OBJECT, description="This Idempotency-Key "
                                   "was used with another body.")}
BODY_TYPES = ["application/json", "multipart/form-data"]
UPLOAD_PARSERS = [JSONParser, MultiPartParser, FormParser]


def _if_match(request):
    return request.headers.get("If-Match")


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


def _detail(request, pk, *, status_code=status.HTTP_200_OK) -> Response:
    support = selectors.request_get_for(request.user, pk)
    support.thread = selectors.thread_of(support)
    response = Response(represent(SupportRequestDetailSerializer, support), status=status_code)
    response["ETag"] = support.etag
    return response


class IsDeclarant(BasePermission):
    message = gettext_lazy("Only an enterprise's users do this.")

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_declarant", False))


class SupportRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Support requests: an enterprise reads and asks its own; officers read all, the desk
    answers."""

    serializer_class = SupportRequestOutputSerializer
    lookup_value_regex = r"\d+"
    parser_classes = UPLOAD_PARSERS  # asking may carry files; the other actions are JSON

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupportRequest.objects.none()
        queryset = selectors.requests_visible_to(self.request.user)
        state = self.request.query_params.get("state")
        topic = self.request.query_params.get("topic")
        if state:
            if state not in RequestState.values:
                raise ValidationError({"state": [_("Unknown state.")]})
            queryset = queryset.filter(state=state)
        if topic:
            if topic not in Topic.values:
                raise ValidationError({"topic": [_("Unknown topic.")]})
            queryset = queryset.filter(topic=topic)
        return queryset.order_by("-created_at", "-id")

    @extend_schema(summary="Support requests (yours; officers: every enterprise's)",
                   parameters=[OpenApiParameter("state", OpenApiTypes.STR,
                                                enum=RequestState.values),
                               OpenApiParameter("topic", OpenApiTypes.STR, enum=Topic.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="A support request with its messages (ETag)",
                   responses={200: SupportRequestDetailSerializer})
    def retrieve(self, request, pk=None):
        return _detail(request, pk)

    @extend_schema(summary="Ask the desk (an enterprise): topic, subject, first message, "
                           "optional declaration of one's own and files",
                   request={media: SupportRequestInputSerializer for media in BODY_TYPES},
                   responses={201: SupportRequestDetailSerializer, **REUSED_KEY},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        if not request.user.is_declarant:
            raise PermissionDenied(_("Support requests are asked by enterprises."))

        def handler():
            data = parse(SupportRequestInputSerializer, request.data)
            created = services.request_open(user=request.user, topic=data["topic"],
                                            subject=data["subject"], message=data["message"],
                                            declaration=data.get("declaration"),
                                            mode=data["mode"], files=_files(request))
            return _detail(request, created.pk, status_code=status.HTTP_201_CREATED)

        return idempotent(request, scope="support-request", handler=handler)

    @extend_schema(summary="Write in the thread: the desk answers (or asks the enterprise for "
                           "more), the enterprise replies",
                   request={media: SupportMessageInputSerializer for media in BODY_TYPES},
                   responses={201: SupportMessageOutputSerializer, **REUSED_KEY},
                   parameters=[IDEMPOTENCY_KEY, IF_MATCH])
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def messages(self, request, pk=None):
        support = selectors.request_get_for(request.user, pk)

        def handler():
            data = parse(SupportMessageInputSerializer, request.data)
            message = services.message_post(
                request=support, user=request.user, body=data["body"],
                article=data.get("article"), awaiting_enterprise=data["awaiting_enterprise"],
                files=_files(request), if_match=_if_match(request))
            return Response(represent(SupportMessageOutputSerializer, message),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"support-message-{support.pk}", handler=handler)

    @extend_schema(summary="Close (the enterprise at any time, with an optional score of the "
                           "answer; the desk once it answered)",
                   request=SupportCloseInputSerializer,
                   responses={200: SupportRequestDetailSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def close(self, request, pk=None):
        support = selectors.request_get_for(request.user, pk)
        data = parse(SupportCloseInputSerializer, request.data)
        services.request_close(request=support, user=request.user, article=data.get("article"),
                               satisfaction=data.get("satisfaction"),
                               if_match=_if_match(request))
        return _detail(request, pk)

    @extend_schema(summary="Reopen a closed request with a message (the enterprise)",
                   request={media: SupportReopenInputSerializer for media in BODY_TYPES},
                   responses={200: SupportRequestDetailSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def reopen(self, request, pk=None):
        support = selectors.request_get_for(request.user, pk)
        data = parse(SupportReopenInputSerializer, request.data)
        services.request_reopen(request=support, user=request.user, body=data["body"],
                                files=_files(request), if_match=_if_match(request))
        return _detail(request, pk)

    @extend_schema(summary="Give the request to another desk officer (a desk leader)",
                   request=SupportAssignInputSerializer,
                   responses={200: SupportRequestDetailSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def assign(self, request, pk=None):
        support = selectors.request_get_for(request.user, pk)
        if not selectors.is_desk_leader(request.user):
            raise PermissionDenied(_("Only a desk leader reassigns requests."))
        data = parse(SupportAssignInputSerializer, request.data)
        officer = get_user_model().objects.filter(username=data["officer"]).first()
        services.request_assign(request=support, user=request.user, officer=officer,
                                if_match=_if_match(request))
        return _detail(request, pk)

    @extend_schema(summary="Schedule remote or on-site support (the desk)",
                   request=SupportScheduleInputSerializer,
                   responses={200: SupportRequestDetailSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def schedule(self, request, pk=None):
        support = selectors.request_get_for(request.user, pk)
        data = parse(SupportScheduleInputSerializer, request.data)
        services.request_schedule(request=support, user=request.user, mode=data["mode"],
                                  scheduled_at=data["scheduled_at"], place=data["place"],
                                  if_match=_if_match(request))
        return _detail(request, pk)


class SupportAttachmentViewSet(viewsets.ViewSet):
    lookup_value_regex = r"\d+"

    # The file's own type whatever the client accepts (no 406), as a declaration's documents.
    content_negotiation_class = FileNegotiation

    @extend_schema(summary="Download a file of a request's message (its own type)",
                   responses={(200, media): OpenApiTypes.BINARY for media in FILE_TYPES})
    def retrieve(self, request, pk=None):
        return attachment_response(selectors.attachment_get_for(request.user, pk))


class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """Service ratings: an enterprise rates its cleared declarations once and reads its own;
    the desk's leaders read all; other officers read only their aggregate (summary)."""

    serializer_class = RatingOutputSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Rating.objects.none()
        return selectors.ratings_visible_to(self.request.user).order_by("-at", "-id")

    @extend_schema(summary="Rate the service of a cleared declaration of one's own (once)",
                   request=RatingInputSerializer,
                   responses={201: RatingOutputSerializer, **REUSED_KEY},
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        def handler():
            data = parse(RatingInputSerializer, request.data)
            rating = ratings.rating_give(user=request.user, **data)
            return Response(represent(RatingOutputSerializer, rating),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope="rating", handler=handler)

    @extend_schema(summary="Ratings in aggregate: an officer's own work (shown from a minimum "
                           "number of ratings); leaders: the branch",
                   responses={200: RatingSummarySerializer})
    @action(detail=False, methods=["get"])
    def summary(self, request):
        if not request.user.is_officer:
            raise PermissionDenied(_("Officers read ratings in aggregate."))
        if selectors.is_desk_leader(request.user) and request.query_params.get("scope") == \
                "branch":
            figures = stats.satisfaction_summary()
            return Response({"ratings": figures["n"], "shown": True,
                             "index": figures["index"],
                             "timeliness": round(figures["timeliness"] or 0, 2),
                             "transparency": round(figures["transparency"] or 0, 2),
                             "attitude": round(figures["attitude"] or 0, 2)})
        return Response(stats.officer_ratings(request.user))


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ArticleOutputSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        from ..models import Article

        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        return selectors.articles_visible_to(self.request.user)

    def _with_counts(self, articles):
        counts = selectors.closed_counts([a.pk for a in articles])
        for article in articles:
            # Not `closed_requests`: that is the reverse relation of SupportRequest's
            # closing_article, which refuses assignment (a 500).
            article.closed_count = counts.get(article.pk, 0)
        return articles

    @extend_schema(summary="Guidance articles; q searches both languages with or without "
                           "diacritics",
                   parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=False)])
    def list(self, request):
        query = request.query_params.get("q", "")[:200]
        found = selectors.article_search(request.user, query)
        page = self.paginate_queryset(found)
        return self.get_paginated_response(represent_many(ArticleOutputSerializer,
                                                          self._with_counts(page)))

    def retrieve(self, request, pk=None):
        article = selectors.article_get_for(request.user, pk)
        return Response(represent(ArticleOutputSerializer, self._with_counts([article])[0]))


class _Shown:
    def __init__(self, row):
        self._row, self.label, self.text = row, notices.label_of(row.kind), notices.text_of(row)

    def __getattr__(self, name):
        return getattr(self._row, name)


class _SettingsMetadata(SimpleMetadata):
    """OPTIONS on the settings: what PUT takes. (DRF's SimpleMetadata looks for the object a
    PUT updates, and this route names none: an AssertionError, a 500.)"""

    def determine_actions(self, request, view):
        return {"PUT": self.get_serializer_info(NotificationSettingsInputSerializer())}


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's own notifications, newest first, in the request's language."""

    serializer_class = NotificationOutputSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = selectors.notifications_of(self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(summary="Your notifications (unread=true: the unread only)",
                   parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, required=False)])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        response = self.get_paginated_response(
            represent_many(NotificationOutputSerializer, [_Shown(n) for n in page]))
        response["X-Unread-Count"] = str(selectors.unread_count(request.user))
        return response

    def retrieve(self, request, pk=None):
        row = selectors.notification_get_for(request.user, pk)
        return Response(represent(NotificationOutputSerializer, _Shown(row)))

    @extend_schema(summary="Mark one notification read", request=None,
                   responses={200: NotificationOutputSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        row = selectors.notification_get_for(request.user, pk)
        notices.mark_read(request.user, [row.pk])
        row.refresh_from_db()
        return Response(represent(NotificationOutputSerializer, _Shown(row)))

    @extend_schema(summary="Mark several (ids) or all of your notifications read",
                   request=NotificationReadInputSerializer,
                   responses={200: OpenApiResponse(description='{"marked": n, "unread": n}')})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        data = parse(NotificationReadInputSerializer, request.data or {})
        marked = notices.mark_read(request.user, data.get("ids"))
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})

    # Not named `settings`: that would shadow APIView.settings (DRF's api_settings), and every
    # route of this viewset would fail with a 500. Not paginated: one row per kind, a plain list.
    @extend_schema(summary="Which kinds are e-mailed to you", methods=["GET"],
                   responses={200: NotificationSettingSerializer(many=True)})
    @extend_schema(summary="E-mail exactly these kinds to you", methods=["PUT"],
                   request=NotificationSettingsInputSerializer,
                   responses={200: NotificationSettingSerializer(many=True)})
    @action(detail=False, methods=["get", "put"], url_path="settings", url_name="settings",
            pagination_class=None, metadata_class=_SettingsMetadata)
    def email_settings(self, request):
        if request.method == "PUT":
            data = parse(NotificationSettingsInputSerializer, request.data)
            notices.settings_save(request.user, set(data["email"]))
        return Response(represent_many(NotificationSettingSerializer,
                                       notices.settings_of(request.user)))
