"""The learned-selection API (issue 19): backtests (queued, replayed on a worker), trained
models (read, activate, retire) and the risk profiles in use.

Risk data is confidential, as on the other risk routes: anyone who is not an officer gets 404
(never confirm that it exists), an officer outside the risk viewers 403. Risk viewers read
everything here and run backtests (the what-if page's work: nothing changes routing); risk
editors activate and retire models. The work is learned.py's: this module parses, calls one
service and renders."""

import heapq
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from customs_core.api.parsers import JSONParser
from customs_core.api.serializing import StrictSerializer, parse, represent, represent_many
from customs_core.roles import RISK_EDITOR_ROLES, RISK_VIEWER_ROLES
from declarations.idempotency import idempotent

from .. import learned
from ..learning.profiles import KEYS, MIN_INSPECTIONS, Profiles
from ..models import RiskRuleset
from ..models_learning import Backtest, BacktestState, ModelStatus, RiskModel, RiskProfileSet

NOT_ACTIVE = OpenApiResponse({"$ref": "#/components/schemas/Error"},
                             description="The model is not active (code model_not_active).")

TOP_VALUES = 20  # values shown per profile key
BACKTEST_RATE = "30/hour"  # per user, unless settings name a "backtest" throttle rate
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Same key and body replays the first response; same key, other body: 422.")
REUSED_KEY = {422: OpenApiResponse(OpenApiTypes.OBJECT, description="This Idempotency-Key "
                                   "was used with another body.")}


# --- who may -----------------------------------------------------------------------------------
class IsRiskViewer(BasePermission):
    """Not an officer: 404 (the route does not exist for them); an officer who does not read
    risk data: 403."""

    message = gettext_lazy("Only risk officers, the branch leader and administrators read "
                           "learned selection.")

    def has_permission(self, request, view):
        if not getattr(request.user, "is_officer", False):
            raise NotFound
        return request.user.role in RISK_VIEWER_ROLES


class IsRiskEditor(BasePermission):
    message = gettext_lazy("Your role may not activate risk models.")

    def has_permission(self, request, view):
        return request.user.role in RISK_EDITOR_ROLES


class BacktestThrottle(UserRateThrottle):
    """A backtest reads and replays up to a year of history on a worker: a client in a loop
    must not fill the queue."""

    scope = "backtest"

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope) or BACKTEST_RATE


# --- serializers -------------------------------------------------------------------------------
class BacktestFiguresOutputSerializer(serializers.Serializer):
    cases = serializers.IntegerField(help_text="Declarations replayed.")
    selected = serializers.IntegerField(help_text="Selected for inspection (red).")
    known = serializers.IntegerField(help_text="Selected with a known outcome.")
    hits = serializers.IntegerField(help_text="Selected and found in violation.")
    violations = serializers.IntegerField(help_text="Known violations in the period.")
    found_vnd = serializers.IntegerField(help_text="Penalties of the violations found (VND).")
    hit_rate = serializers.FloatField(allow_null=True, help_text="hits / known")
    recall = serializers.FloatField(allow_null=True, help_text="hits / violations")
    auc = serializers.FloatField(allow_null=True,
                                 help_text="Ranking quality over the known outcomes.")


class BacktestWeekOutputSerializer(BacktestFiguresOutputSerializer):
    week = serializers.DateField(help_text="The week's Monday.")


class BacktestEngineOutputSerializer(serializers.Serializer):
    engine = serializers.CharField(help_text="random, ruleset vN (the active one, the one "
                                             "tested) or learned")
    overall = BacktestFiguresOutputSerializer()
    weeks = BacktestWeekOutputSerializer(many=True)


class BacktestResultOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    red_share = serializers.FloatField(help_text="As a fraction (0.1 = 10%).")
    declarations = serializers.IntegerField()
    known = serializers.IntegerField(help_text="Declarations of the period with an outcome.")
    prior_outcomes = serializers.IntegerField(
        help_text="Outcomes before the period every engine starts from.")
    seconds = serializers.FloatField()
    engines = BacktestEngineOutputSerializer(many=True)


class BacktestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ruleset_version = serializers.IntegerField(source="ruleset.version")
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    red_share = serializers.DecimalField(max_digits=5, decimal_places=2,
                                         help_text="Percent of the declarations sent red.")
    state = serializers.ChoiceField(choices=BacktestState.choices)
    percent = serializers.IntegerField(help_text="Progress, 0-100.")
    result = serializers.SerializerMethodField(help_text="Once done: the figures per engine, "
                                                         "overall and per week.")
    error = serializers.CharField(help_text="Why it failed (empty unless failed).")
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True,
                                         default=None)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(BacktestResultOutputSerializer(allow_null=True))
    def get_result(self, backtest: Backtest):
        return represent(BacktestResultOutputSerializer, backtest.result) \
            if backtest.result else None


class BacktestInputSerializer(StrictSerializer):
    """A period of registered declarations to replay (at most a year, not in the future), the
    share sent red and the ruleset to test; unknown fields are a 400."""

    date_from = serializers.DateField()
    date_to = serializers.DateField()
    red_share = serializers.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"),
                                         help_text="Percent sent red, 0.5-50 (default 10).")
    ruleset = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
        help_text="The version of the ruleset to test (default: the active one).")


class RiskModelFiguresOutputSerializer(serializers.Serializer):
    holdout_days = serializers.IntegerField(
        help_text="The last days of the window, left out of training and scored.")
    holdout_outcomes = serializers.IntegerField()
    base_rate = serializers.FloatField(help_text="Violations among the held-out outcomes.")
    hit_rate_top10 = serializers.FloatField(
        help_text="Violations among the 10% the model ranks highest.")
    auc = serializers.FloatField(allow_null=True)


class RiskModelOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ModelStatus.choices)
    window_from = serializers.DateField(allow_null=True)
    window_to = serializers.DateField()
    outcomes = serializers.IntegerField(help_text="Inspected declarations trained on.")
    violations = serializers.IntegerField()
    features = serializers.ListField(child=serializers.CharField())
    figures = serializers.SerializerMethodField(help_text="Holdout figures (null: too few "
                                                          "outcomes to hold any out).")
    seconds = serializers.FloatField(help_text="Training time.")
    trained_by = serializers.CharField(source="trained_by.username", allow_null=True,
                                       default=None)
    trained_at = serializers.DateTimeField()
    activated_by = serializers.CharField(source="activated_by.username", allow_null=True,
                                         default=None)
    activated_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(RiskModelFiguresOutputSerializer(allow_null=True))
    def get_figures(self, model: RiskModel):
        return represent(RiskModelFiguresOutputSerializer, model.figures) if model.figures else None


class RiskProfileValueOutputSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The key's value (pairs as 'a|b').")
    violations = serializers.IntegerField()
    inspections = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Violation rate, smoothed toward the base rate.")
    lift = serializers.FloatField(help_text="rate / base rate")


class RiskProfileKeyOutputSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=[(key, key) for key in KEYS])
    values = RiskProfileValueOutputSerializer(many=True)


class RiskProfileSetOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    window_from = serializers.DateField(allow_null=True)
    window_to = serializers.DateField()
    inspections = serializers.IntegerField()
    violations = serializers.IntegerField()
    base_rate = serializers.FloatField()
    built_by = serializers.CharField(source="built_by.username", allow_null=True, default=None)
    built_at = serializers.DateTimeField()
    keys = RiskProfileKeyOutputSerializer(many=True, help_text=(
        f"Per key, the {TOP_VALUES} values of highest lift among those with at least "
        f"{MIN_INSPECTIONS} inspections."))


# --- reads -------------------------------------------------------------------------------------
def _row(queryset, **lookup):
    """One row or 404 (an id too large for the database is not found either)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound from exc


def backtests() -> QuerySet[Backtest]:
    return Backtest.objects.select_related("ruleset", "requested_by").order_by("-created_at",
                                                                              "-pk")


def risk_models() -> QuerySet[RiskModel]:
    """Without the booster and the featurizer (hundreds of kB each, never shown)."""
    return (RiskModel.objects.defer("booster", "featurizer")
            .select_related("trained_by", "activated_by").order_by("-version"))


def profile_top_values(profiles: Profiles, *, top: int = TOP_VALUES,
                       min_inspections: int = MIN_INSPECTIONS) -> list[dict]:
    """Per key (KEYS' order), the `top` values of highest smoothed lift among those inspected
    at least `min_inspections` times (ties: more inspections, then the value)."""
    keys = []
    for key in KEYS:
        table = profiles.tables.get(key, {})
        best = heapq.nsmallest(
            top, (profiles.rate(key, value) for value, (_v, n) in table.items()
                  if n >= min_inspections),
            key=lambda rate: (-rate.lift, -rate.inspections, rate.value))
        keys.append({"key": key, "values": [
            {name: figure for name, figure in rate.as_dict().items() if name != "key"}
            for rate in best]})
    return keys


# A profile set is never edited: its top values are computed once per process (the tables of a
# year of outcomes take a while to read). Keyed by row, version and build time, so a rebuilt
# set (or a test database reusing ids) never answers another's figures.
_top_values: dict[tuple, list[dict]] = {}


def profile_set_current() -> RiskProfileSet | None:
    """The profile set in use (the newest), with `keys`: its top values per key."""
    profile_set = (RiskProfileSet.objects.defer("tables").select_related("built_by")
                   .order_by("-version").first())
    if profile_set is None:
        return None
    memo = (profile_set.pk, profile_set.version, profile_set.built_at)
    keys = _top_values.get(memo)
    if keys is None:
        tables = RiskProfileSet.objects.values_list("tables", flat=True).get(pk=profile_set.pk)
        keys = profile_top_values(Profiles.from_json(tables))
        _top_values.clear()
        _top_values[memo] = keys
    profile_set.keys = keys
    return profile_set


# --- views -------------------------------------------------------------------------------------
class _RiskViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsRiskViewer]
    parser_classes = [JSONParser]
    filter_backends: list = []


@extend_schema(tags=["risk"])
class BacktestViewSet(mixins.ListModelMixin, _RiskViewSet):
    """Replays of a period of the branch's history under a ruleset, with the random, the
    active ruleset's and the learned engine's figures beside it."""

    serializer_class = BacktestOutputSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return backtests()

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, BacktestThrottle()] if self.action == "create" else throttles

    def _location(self, backtest_id) -> str:
        return self.request.build_absolute_uri(reverse("risk-backtest-detail",
                                                       args=[backtest_id]))

    @extend_schema(summary="Backtests, newest first (risk officers, the branch leader)")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(represent_many(BacktestOutputSerializer, page))

    @extend_schema(
        summary="Backtest a ruleset on a period of history (queued: follow Location)",
        request=BacktestInputSerializer, parameters=[IDEMPOTENCY_KEY],
        responses={202: OpenApiResponse(BacktestOutputSerializer, description=(
            "Queued; Location is the backtest's address, where its state and progress show.")),
            **REUSED_KEY})
    def create(self, request):
        def handler():
            data = parse(BacktestInputSerializer, request.data)
            ruleset = None
            if data.get("ruleset") is not None:
                ruleset = RiskRuleset.objects.filter(version=data["ruleset"]).first()
                if ruleset is None:
                    raise ValidationError({"ruleset": [
                        _("No ruleset has version %(version)s.") % {"version": data["ruleset"]}]})
            backtest = learned.backtest_request(
                by=request.user, date_from=data["date_from"], date_to=data["date_to"],
                red_share=data["red_share"], ruleset=ruleset)
            backtest = self.get_queryset().get(pk=backtest.pk)
            return Response(represent(BacktestOutputSerializer, backtest),
                            status=status.HTTP_202_ACCEPTED)

        response = idempotent(request, scope="risk-backtest", handler=handler)
        if response.status_code == status.HTTP_202_ACCEPTED:  # a replay too
            response["Location"] = self._location(response.data["id"])
        return response

    @extend_schema(summary="A backtest: its state, progress and, once done, its figures")
    def retrieve(self, request, pk=None):
        return Response(represent(BacktestOutputSerializer,
                                  _row(self.get_queryset(), pk=pk)))


@extend_schema(tags=["risk"])
class RiskModelViewSet(mixins.ListModelMixin, _RiskViewSet):
    """Trained models with their window, features and holdout figures; one is active at most
    (routing scores with it where a ruleset has a model criterion)."""

    serializer_class = RiskModelOutputSerializer
    lookup_field = "version"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return risk_models()

    def _model(self, version) -> RiskModel:
        return _row(self.get_queryset(), version=version)

    @extend_schema(summary="Trained models, newest first")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(represent_many(RiskModelOutputSerializer, page))

    @extend_schema(summary="A trained model: window, outcomes, features and figures")
    def retrieve(self, request, version=None):
        return Response(represent(RiskModelOutputSerializer, self._model(version)))

    @extend_schema(summary="Activate the model (risk editors; the active one retires)",
                   request=None, responses={200: RiskModelOutputSerializer})
    @action(detail=True, methods=["post"],
            permission_classes=[IsAuthenticated, IsRiskViewer, IsRiskEditor])
    def activate(self, request, version=None):
        model = learned.risk_model_activate(model=self._model(version), by=request.user)
        return Response(represent(RiskModelOutputSerializer, self._model(model.version)))

    @extend_schema(summary="Retire the model if active: routing goes back to rules and "
                           "profiles (risk editors)",
                   request=None, responses={200: RiskModelOutputSerializer,
                                            409: NOT_ACTIVE})
    @action(detail=True, methods=["post"],
            permission_classes=[IsAuthenticated, IsRiskViewer, IsRiskEditor])
    def retire(self, request, version=None):
        model = learned.risk_model_deactivate(model=self._model(version), by=request.user)
        return Response(represent(RiskModelOutputSerializer, self._model(model.version)))


@extend_schema(tags=["risk"])
class RiskProfileViewSet(_RiskViewSet):
    """The risk profiles routing reads: violation rates per key, learned from outcomes."""

    serializer_class = RiskProfileSetOutputSerializer
    pagination_class = None

    @extend_schema(summary="The profile set in use, with the riskiest values of each key "
                           "(404: none built yet)",
                   responses={200: RiskProfileSetOutputSerializer})
    @action(detail=False, methods=["get"])
    def current(self, request):
        profile_set = profile_set_current()
        if profile_set is None:
            raise NotFound
        return Response(represent(RiskProfileSetOutputSerializer, profile_set))
