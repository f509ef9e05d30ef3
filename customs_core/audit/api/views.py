"""The access audit through the API (read-only): the search page's filters, page by page."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from customs_core.api.serializing import represent_many
from customs_core.roles import AUDIT_VIEWER_ROLES

from ..filters import AuditEventFilterSet
from ..selectors import audit_events_visible_to
from .serializers import AuditEventOutputSerializer


class IsAuditViewer(BasePermission):
    message = gettext_lazy("Only the branch leader and auditors search the access audit.")

    def has_permission(self, request, view):
        return getattr(request.user, "role", None) in AUDIT_VIEWER_ROLES


@extend_schema_view(list=extend_schema(
    summary="Access audit events, newest first (branch leader, auditor)"))
class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsAuditViewer]
    serializer_class = AuditEventOutputSerializer
    filterset_class = AuditEventFilterSet

    def get_queryset(self):
        return audit_events_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(represent_many(AuditEventOutputSerializer, page))
