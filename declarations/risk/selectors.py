"""Reads of the risk engine."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone

from ..choices import DeclarationState as S
from ..models import Declaration


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
