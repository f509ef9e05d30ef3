"""The desk's and the leaders' figures: satisfaction index by month, answers within their
time limit, the lowest-rated topics and border gates, open requests by age, and an officer's
own ratings in aggregate only.

The satisfaction index is the mean of a rating's three scores put on 0-100 ((mean - 1) / 4).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from customs_core.models import BorderGate, User
from declarations.models import DeclarationEvent

from .choices import NOT_CLOSED, Topic
from .models import Rating, SupportRequest

MEAN = (F("timeliness") + F("transparency") + F("attitude")) / 3.0


def index_of(mean) -> float | None:
    """A mean score of 1-5 as a 0-100 index."""
    return None if mean is None else round((float(mean) - 1) / 4 * 100, 1)


def satisfaction_by_month(months: int = 12, *, today: date | None = None) -> list[dict]:
    """Each of the last `months` months (oldest first): ratings and the index (None when
    nobody rated)."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = date(index // 12, index % 12 + 1, 1)
    rows = {row["month"].date() if hasattr(row["month"], "date") else row["month"]: row
            for row in Rating.objects.filter(at__date__gte=first)
            .annotate(month=TruncMonth("at")).values("month")
            .annotate(n=Count("id"), mean=Avg(MEAN))}
    result, month = [], first
    while month <= today:
        row = rows.get(month)
        result.append({"month": month, "ratings": row["n"] if row else 0,
                       "index": index_of(row["mean"]) if row else None})
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def satisfaction_summary(since=None) -> dict:
    queryset = Rating.objects.all()
    if since:
        queryset = queryset.filter(at__gte=since)
    figures = queryset.aggregate(
        n=Count("id"), mean=Avg(MEAN), avg_t=Avg("timeliness"), avg_r=Avg("transparency"),
        avg_a=Avg("attitude"), low=Count("id", filter=Q(timeliness__lte=2)
                                         | Q(transparency__lte=2) | Q(attitude__lte=2)))
    return {"n": figures["n"], "low": figures["low"], "index": index_of(figures["mean"]),
            "timeliness": figures["avg_t"], "transparency": figures["avg_r"],
            "attitude": figures["avg_a"]}


@dataclass(frozen=True)
class Compliance:
    on_time: int
    late: int  # answered after the due time, or still unanswered past it
    pending: int  # not answered, not yet due

    @property
    def share(self) -> float | None:
        decided = self.on_time + self.late
        return round(100 * self.on_time / decided, 1) if decided else None


def compliance(since=None, now=None) -> Compliance:
    """First answers within the topic's time limit, of the requests asked since `since`."""
    now = now or timezone.now()
    queryset = SupportRequest.objects.all()
    if since:
        queryset = queryset.filter(created_at__gte=since)
    figures = queryset.aggregate(
        on_time=Count("id", filter=Q(first_answered_at__lte=F("first_due_at"))),
        late=Count("id", filter=Q(first_answered_at__gt=F("first_due_at"))
                   | Q(first_answered_at__isnull=True, first_due_at__lt=now)),
        pending=Count("id", filter=Q(first_answered_at__isnull=True, first_due_at__gte=now)))
    return Compliance(**figures)


def lowest_topics(since=None, limit: int = 6) -> list[dict]:
    """Topics by the enterprises' scores of the answers they closed (lowest first)."""
    queryset = SupportRequest.objects.filter(satisfaction__isnull=False)
    if since:
        queryset = queryset.filter(closed_at__gte=since)
    labels = dict(Topic.choices)
    rows = (queryset.values("topic").annotate(n=Count("id"), mean=Avg("satisfaction"))
            .order_by("mean", "topic")[:limit])
    return [{"topic": row["topic"], "label": labels.get(row["topic"], row["topic"]),
             "ratings": row["n"], "index": index_of(row["mean"])} for row in rows]


def lowest_gates(since=None, limit: int = 6) -> list[dict]:
    """Border gates by the ratings of the declarations that crossed them (lowest first)."""
    queryset = Rating.objects.all()
    if since:
        queryset = queryset.filter(at__gte=since)
    rows = list(queryset.values("declaration__border_gate_id")
                .annotate(n=Count("id"), mean=Avg(MEAN)).order_by("mean")[:limit])
    gates = BorderGate.objects.in_bulk([r["declaration__border_gate_id"] for r in rows])
    return [{"gate": gates.get(r["declaration__border_gate_id"]), "ratings": r["n"],
             "index": index_of(r["mean"])} for r in rows]


AGE_BUCKETS = ((4, "lt4h"), (8, "4to8h"), (24, "8to24h"), (72, "1to3d"), (None, "gt3d"))


def open_by_age_and_topic(now=None) -> dict:
    """Requests not closed, counted by topic and by age (hours since asked)."""
    now = now or timezone.now()
    table = {topic: {key: 0 for _, key in AGE_BUCKETS} for topic in Topic.values}
    for topic, created in (SupportRequest.objects.filter(state__in=NOT_CLOSED)
                           .values_list("topic", "created_at")):
        hours = (now - created).total_seconds() / 3600
        key = next(k for limit, k in AGE_BUCKETS if limit is None or hours < limit)
        table[topic][key] += 1
    return table


def officer_ratings(officer: User) -> dict:
    """Ratings of the declarations an officer acted on, in aggregate only: shown once there
    are PARTNERSHIP_MIN_RATINGS_SHOWN of them, so no single enterprise's scores can be told."""
    worked = (DeclarationEvent.objects.filter(actor=officer)
              .values("declaration_id").distinct())
    figures = (Rating.objects.filter(declaration_id__in=worked)
               .aggregate(n=Count("id"), mean=Avg(MEAN), timeliness=Avg("timeliness"),
                          transparency=Avg("transparency"), attitude=Avg("attitude")))
    shown = figures["n"] >= settings.PARTNERSHIP_MIN_RATINGS_SHOWN
    if not shown:
        return {"ratings": figures["n"], "shown": False,
                "needed": settings.PARTNERSHIP_MIN_RATINGS_SHOWN}
    return {"ratings": figures["n"], "shown": True, "index": index_of(figures["mean"]),
            "timeliness": round(figures["timeliness"], 2),
            "transparency": round(figures["transparency"], 2),
            "attitude": round(figures["attitude"], 2)}
