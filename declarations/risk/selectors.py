"""Reads of the risk engine."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, QuerySet
from django.http import Http404
from django.utils import timezone

from customs_core.selectors import tariff_lines_search

from ..choices import DeclarationState as S
from ..models import Declaration
from .choices import ChannelRequestStatus
from .models import ChannelChangeRequest, ReferencePrice, RiskAssessment, RiskRule, RiskRuleset


@dataclass(frozen=True)
class RoutingBacklog:
    waiting: int
    oldest_at: datetime | None

    @property
    def oldest_seconds(self) -> int:
        if self.oldest_at is None:
            return 0
        return max(int((timezone.now() - self.oldest_at).total_seconds()), 0)


def routing_backlog() -> RoutingBacklog:
    """Declarations waiting for routing and since when (one query on the partial index)."""
    row = Declaration.objects.filter(state=S.SUBMITTED).aggregate(n=Count("pk"),
                                                                  oldest=Min("updated_at"))
    return RoutingBacklog(waiting=row["n"], oldest_at=row["oldest"])


def latest_assessment_for(declaration) -> RiskAssessment | None:
    """The newest assessment of a declaration (officers only: the caller checks)."""
    return (RiskAssessment.objects.filter(declaration_id=declaration.pk)
            .select_related("ruleset").order_by("-created_at", "-pk").first())


def assessments_for(declaration) -> QuerySet[RiskAssessment]:
    """Every assessment of a declaration, newest first."""
    return (RiskAssessment.objects.filter(declaration_id=declaration.pk)
            .select_related("ruleset").order_by("-created_at", "-pk"))


def pending_channel_request_for(declaration) -> ChannelChangeRequest | None:
    return (ChannelChangeRequest.objects.filter(declaration_id=declaration.pk,
                                                status=ChannelRequestStatus.PENDING)
            .select_related("requested_by").first())


def channel_requests_visible_to(user) -> QuerySet[ChannelChangeRequest]:
    """Officers see every channel request; anyone else none."""
    if not getattr(user, "is_officer", False):
        return ChannelChangeRequest.objects.none()
    return ChannelChangeRequest.objects.select_related("requested_by", "decided_by")


def pending_channel_requests_count() -> int:
    return ChannelChangeRequest.objects.filter(status=ChannelRequestStatus.PENDING).count()


# --- rulesets, rules, reference prices (the risk pages) ------------------------------------------
def _get_or_404(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def ruleset_get(pk) -> RiskRuleset:
    return _get_or_404(RiskRuleset.objects.select_related("created_by"), pk=pk)


def rulesets_except(ruleset: RiskRuleset) -> list[RiskRuleset]:
    """Every other ruleset (drafts and past versions), newest first."""
    return list(RiskRuleset.objects.exclude(pk=ruleset.pk).select_related("created_by"))


def rules_of(ruleset: RiskRuleset) -> QuerySet[RiskRule]:
    return ruleset.rules.all()


def rule_get(pk) -> RiskRule:
    return _get_or_404(RiskRule.objects.select_related("ruleset"), pk=pk)


def tariff_lines_with_reference_prices(*, query: str = "", overridden: bool = False):
    """Tariff lines matching `query` with the risk officers' reference-price overrides."""
    lines = tariff_lines_search(query=query).select_related("risk_reference_price__updated_by")
    if overridden:
        lines = lines.filter(risk_reference_price__isnull=False)
    return lines


def reference_price_for(tariff_line) -> ReferencePrice | None:
    return (ReferencePrice.objects.filter(tariff_line=tariff_line).select_related("updated_by")
            .first())


def channel_requests_for_pages() -> dict:
    """Pending requests, oldest first, and the last 30 decided (the requests page)."""
    requests_ = ChannelChangeRequest.objects.select_related("declaration", "requested_by",
                                                            "decided_by")
    return {"pending": requests_.filter(status=ChannelRequestStatus.PENDING)
            .order_by("created_at"),
            "decided": requests_.exclude(status=ChannelRequestStatus.PENDING)
            .order_by("-decided_at")[:30]}


def channel_request_get(pk) -> ChannelChangeRequest:
    return _get_or_404(ChannelChangeRequest.objects.all(), pk=pk)
