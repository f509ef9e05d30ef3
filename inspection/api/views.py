"""The inspection API: every officer action on a check, the gate, the teams; and, on the
declarations prefix, what an enterprise may read of its declaration's checks.

Conventions of the declarations API: ETag on reads and If-Match on writes (412), 409 with
`current_state` and a code, Idempotency-Key where a POST creates (attachments, violations,
gate exits), 403 for a role or an officer that may not act, 404 outside one's scope."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import parse, represent, represent_many
from customs_core.models import InspectionSite, User
from declarations.idempotency import idempotent
from declarations.selectors import declaration_get_for, declarations_visible_to

from .. import selectors, services
from ..filters import CheckFilterSet
from ..models import Check, TeamMember
from .serializers import (
    AmendmentRequestInputSerializer,
    AssignInputSerializer,
    AttachmentInputSerializer,
    AttachmentOutputSerializer,
    ChecklistInputSerializer,
    CheckListOutputSerializer,
    CheckOutputSerializer,
    CheckReasonInputSerializer,
    ClaimOutputSerializer,
    ConclusionInputSerializer,
    EnterpriseCheckViewSerializer,
    FindingsInputSerializer,
    GateExitInputSerializer,
    GateExitOutputSerializer,
    GateLookupOutputSerializer,
    MemberDutyInputSerializer,
    ScheduleInputSerializer,
    SettleInputSerializer,
    TeamMemberOutputSerializer,
    TeamOutputSerializer,
    ViolationInputSerializer,
    ViolationOutputSerializer,
)

IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                            required=False, description="The check's ETag; stale: 412.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Same key and body replays the first response; same key, other body: 422.")


class _Listed:
    """A check with its clock, for the list serializer."""

    def __init__(self, check):
        self._check = check
        self.clock = selectors.clock_of(check)

    def __getattr__(self, name):
        return getattr(self._check, name)


def _check_response(request, pk, *, status_code=status.HTTP_200_OK) -> Response:
    check = selectors.check_detail_for(request.user, pk)
    response = Response(represent(CheckOutputSerializer, _Listed(check)), status=status_code)
    response["ETag"] = check.etag
    return response


def _body(serializer_class, request) -> dict:
    return parse(serializer_class, request.data)


def _if_match(request):
    return request.headers.get("If-Match")


class IsOfficer(BasePermission):
    """Checks, the gate and the teams are customs officers' work: anyone else gets 403 on
    every route, whatever the id (so nothing is learnt of which exist)."""

    message = gettext_lazy("Only customs officers work on checks.")

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_officer", False))


@extend_schema_view(
    list=extend_schema(summary="Open checks: my work, the team's queue (officers)",
                       parameters=[OpenApiParameter("scope", OpenApiTypes.STR,
                                                    enum=["mine", "team", "unassigned", "all"],
                                                    description="Whose checks (default team)")]),
    retrieve=extend_schema(summary="One check with its checklist, findings and history"),
)
class CheckViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsOfficer]
    filterset_class = CheckFilterSet
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no user, no rows
            return Check.objects.none()
        scope = self.request.query_params.get("scope", "team")
        if scope not in {"mine", "team", "unassigned", "all"}:
            scope = "team"
        return selectors.queue(self.request.user, scope=scope)

    def get_serializer_class(self):
        return CheckListOutputSerializer

    def list(self, request, *args, **kwargs):
        ids = self.paginate_queryset(self.filter_queryset(self.get_queryset())
                                     .values_list("pk", flat=True))
        return self.get_paginated_response(represent_many(
            CheckListOutputSerializer, [_Listed(c) for c in selectors.checks_in_rows(ids)]))

    def retrieve(self, request, pk=None):
        return _check_response(request, pk)

    def _check(self, request, pk):
        return selectors.check_get_for(request.user, pk)

    @extend_schema(summary="Take an unassigned check from the team's queue",
                   description="Answers the claimed check in short (GET it for the rest); "
                               "its ETag for the next action.",
                   request=None, responses={200: ClaimOutputSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        check = services.check_claim(check=selectors.check_row_for(request.user, pk),
                                     by=request.user)
        response = Response(represent(ClaimOutputSerializer, check))
        response["ETag"] = check.etag
        return response

    @extend_schema(summary="Give the check to another officer of the team (team leader)",
                   request=AssignInputSerializer, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        check = self._check(request, pk)
        data = _body(AssignInputSerializer, request)
        officer = User.objects.filter(username=data["officer"], is_active=True).first()
        if officer is None:
            raise ValidationError({"officer": [_("Unknown officer.")]})
        services.check_reassign(check=check, officer=officer, by=request.user,
                                reason=data["reason"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Start the check (the declaration enters document check or "
                           "inspection)", request=None, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        services.check_start(check=self._check(request, pk), by=request.user,
                             if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Save the document checklist", request=ChecklistInputSerializer,
                   responses={200: CheckOutputSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["put"])
    def checklist(self, request, pk=None):
        data = _body(ChecklistInputSerializer, request)
        services.checklist_save(check=self._check(request, pk), by=request.user,
                                items=data["items"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Ask the enterprise to amend (the issues it sees)",
                   request=AmendmentRequestInputSerializer,
                   responses={200: CheckOutputSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="request-amendment")
    def request_amendment(self, request, pk=None):
        data = _body(AmendmentRequestInputSerializer, request)
        services.check_request_amendment(check=self._check(request, pk), by=request.user,
                                         issues=data["issues"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Send the goods to physical inspection (red), with a reason",
                   request=CheckReasonInputSerializer, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = _body(CheckReasonInputSerializer, request)
        services.check_escalate(check=self._check(request, pk), by=request.user,
                                reason=data["reason"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Conform: clear the declaration", request=ConclusionInputSerializer,
                   responses={200: CheckOutputSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def clear(self, request, pk=None):
        data = _body(ConclusionInputSerializer, request)
        services.check_clear(check=self._check(request, pk), by=request.user,
                             conclusion=data["conclusion"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Schedule the physical inspection (method, site, time)",
                   request=ScheduleInputSerializer, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        data = _body(ScheduleInputSerializer, request)
        site = InspectionSite.objects.filter(code=data["site"]).first()
        if site is None:
            raise ValidationError({"site": [_("Unknown inspection site.")]})
        services.inspection_schedule(check=self._check(request, pk), by=request.user,
                                     method=data["method"], site=site,
                                     scheduled_at=data["scheduled_at"],
                                     share_percent=data.get("share_percent"),
                                     if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Record the goods lines as found", request=FindingsInputSerializer,
                   responses={200: CheckOutputSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["put"])
    def findings(self, request, pk=None):
        data = _body(FindingsInputSerializer, request)
        services.findings_save(check=self._check(request, pk), by=request.user,
                               findings=data["findings"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Attach a photo or a document (PDF, JPEG, PNG; at most 10 MB)",
                   request={"multipart/form-data": AttachmentInputSerializer},
                   responses={201: AttachmentOutputSerializer}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        check = self._check(request, pk)

        def handler():
            data = _body(AttachmentInputSerializer, request)
            attachment = services.attachment_add(check=check, by=request.user, **data)
            return Response(represent(AttachmentOutputSerializer, attachment),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"check-attachment-{check.pk}", handler=handler)

    @extend_schema(summary="Record a violation found by this check",
                   request=ViolationInputSerializer, responses={201: ViolationOutputSerializer},
                   parameters=[IDEMPOTENCY_KEY, IF_MATCH])
    @action(detail=True, methods=["post"])
    def violations(self, request, pk=None):
        check = self._check(request, pk)

        def handler():
            data = _body(ViolationInputSerializer, request)
            violation = services.check_record_violation(check=check, by=request.user,
                                                        if_match=_if_match(request), **data)
            return Response(represent(ViolationOutputSerializer, violation),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope=f"check-violation-{check.pk}", handler=handler)

    @extend_schema(summary="Release after a violation: penalty and extra duties paid",
                   request=SettleInputSerializer, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        data = _body(SettleInputSerializer, request)
        services.check_settle(check=self._check(request, pk), by=request.user,
                              penalty_reference=data["penalty_reference"],
                              if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Seize the goods after a violation (the decision and its reasons)",
                   request=CheckReasonInputSerializer, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def seize(self, request, pk=None):
        data = _body(CheckReasonInputSerializer, request)
        services.check_seize(check=self._check(request, pk), by=request.user,
                             reason=data["reason"], if_match=_if_match(request))
        return _check_response(request, pk)

    @extend_schema(summary="Conclude a post-clearance audit (its violations, if any, first)",
                   request=ConclusionInputSerializer, responses={200: CheckOutputSerializer},
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="audit-conclude")
    def audit_conclude(self, request, pk=None):
        data = _body(ConclusionInputSerializer, request)
        services.audit_conclude(check=self._check(request, pk), by=request.user,
                                conclusion=data["conclusion"], if_match=_if_match(request))
        return _check_response(request, pk)


class DeclarationChecksViewSet(viewsets.GenericViewSet):
    """On /declarations/{id}/checks/: what the enterprise (and officers) may read of the
    declaration's checks: the issues to fix, the inspection's schedule, the outcome."""

    lookup_value_regex = r"\d+"
    pagination_class = None
    serializer_class = EnterpriseCheckViewSerializer

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    @extend_schema(summary="The checks of a declaration as the enterprise sees them",
                   request=None, responses={200: EnterpriseCheckViewSerializer})
    @action(detail=True, methods=["get"], url_path="checks")
    def checks(self, request, pk=None):
        declaration = declaration_get_for(request.user, pk)
        return Response(represent(EnterpriseCheckViewSerializer,
                                  selectors.enterprise_view_of(declaration)))


class GateViewSet(viewsets.GenericViewSet):
    """The gate: find a declaration by number, vehicle or container; confirm the exit."""

    permission_classes = [IsAuthenticated, IsOfficer]
    parser_classes = [JSONParser]
    pagination_class = None
    serializer_class = GateExitInputSerializer

    def get_queryset(self):
        return declarations_visible_to(self.request.user)

    @extend_schema(summary="Find declarations by number, vehicle plate or container",
                   parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True,
                                                description="Number, plate or container")],
                   responses={200: GateLookupOutputSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def lookup(self, request):
        query = str(request.query_params.get("q", ""))[:40]
        return Response(represent_many(GateLookupOutputSerializer,
                                       selectors.gate_lookup(query)))

    @extend_schema(summary="Confirm that a cleared declaration's goods leave",
                   request=GateExitInputSerializer, responses={201: GateExitOutputSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @action(detail=False, methods=["post"])
    def exits(self, request):

        def handler():
            data = _body(GateExitInputSerializer, request)
            declaration = declaration_get_for(request.user, data["declaration"])
            exit_ = services.gate_exit_confirm(declaration=declaration, by=request.user,
                                               vehicle=data["vehicle"],
                                               container=data["container"], note=data["note"])
            return Response(represent(GateExitOutputSerializer, exit_),
                            status=status.HTTP_201_CREATED)

        return idempotent(request, scope="gate-exit", handler=handler)


class _TeamView:
    def __init__(self, team):
        self._team = team
        self.border_gates = [g.code for g in team.border_gates.all()]
        self.sites = [s.code for s in team.sites.all()]

    def __getattr__(self, name):
        return getattr(self._team, name)


class TeamViewSet(viewsets.GenericViewSet):
    """The Supervision and Inspection Teams (officers): members, duty, capacity."""

    permission_classes = [IsAuthenticated, IsOfficer]
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    pagination_class = None
    serializer_class = TeamOutputSerializer

    def get_queryset(self):
        from ..models import Team

        if not getattr(self.request.user, "is_officer", False):
            return Team.objects.none()
        return Team.objects.prefetch_related("border_gates", "sites", "members__officer")

    @extend_schema(summary="The teams, their coverage and members (officers)",
                   responses={200: TeamOutputSerializer(many=True)})
    def list(self, request):
        return Response(represent_many(TeamOutputSerializer,
                                       [_TeamView(t) for t in self.get_queryset()]))

    @extend_schema(summary="Mark a member on duty or absent, or set their capacity (leader)",
                   request=MemberDutyInputSerializer,
                   responses={200: TeamMemberOutputSerializer},
                   parameters=[OpenApiParameter("member_id", OpenApiTypes.INT,
                                                OpenApiParameter.PATH)])
    @action(detail=True, methods=["post"], url_path=r"members/(?P<member_id>\d+)")
    def member(self, request, pk=None, member_id=None):
        team = get_object_or_404(self.get_queryset(), pk=pk)
        member = get_object_or_404(TeamMember.objects.select_related("team", "officer"),
                                   pk=member_id, team=team)
        data = _body(MemberDutyInputSerializer, request)
        member = services.team_member_update(member=member, by=request.user, **data)
        return Response(represent(TeamMemberOutputSerializer, member))

