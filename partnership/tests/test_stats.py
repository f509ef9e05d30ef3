"""The leaders' figures from rows whose answers are known: the index, time-limit compliance,
the lowest-rated topics and gates, open requests by age."""

from datetime import timedelta

import pytest
from django.utils import timezone

from declarations.testing import DeclarationFactory, publish_rates
from partnership import stats
from partnership.models import Rating, SupportRequest

pytestmark = pytest.mark.django_db


def _request(user, *, topic="procedure", asked, due, answered=None, satisfaction=None,
             state="answered"):
    return SupportRequest.objects.create(
        enterprise_id=user.enterprise_id, created_by=user, topic=topic, subject="s",
        state=state, created_at=asked, first_due_at=due, first_answered_at=answered,
        satisfaction=satisfaction, closed_at=asked if state == "closed" else None)


def test_index_is_the_mean_score_on_0_to_100():
    assert (stats.index_of(1), stats.index_of(3), stats.index_of(5)) == (0.0, 50.0, 100.0)
    assert stats.index_of(None) is None


def test_compliance_counts_late_answers_and_unanswered_past_due(declarant_a):
    now = timezone.now()
    hour = timedelta(hours=1)
    _request(declarant_a, asked=now - 9 * hour, due=now - 5 * hour, answered=now - 6 * hour)
    _request(declarant_a, asked=now - 9 * hour, due=now - 5 * hour, answered=now - 4 * hour)
    _request(declarant_a, asked=now - 9 * hour, due=now - 1 * hour, state="open")
    _request(declarant_a, asked=now - hour, due=now + 3 * hour, state="open")
    figures = stats.compliance(now=now)
    assert (figures.on_time, figures.late, figures.pending) == (1, 2, 1)
    assert figures.share == 33.3


def test_lowest_topics_and_gates(reference_data, declarant_a):
    publish_rates()
    now = timezone.now()
    _request(declarant_a, topic="valuation", asked=now, due=now, satisfaction=2, state="closed")
    _request(declarant_a, topic="procedure", asked=now, due=now, satisfaction=5, state="closed")
    topics = stats.lowest_topics()
    assert [(t["topic"], t["index"]) for t in topics] == [("valuation", 25.0),
                                                          ("procedure", 100.0)]
    first = DeclarationFactory(state="cleared", user=declarant_a)
    Rating.objects.create(declaration=first, enterprise=first.enterprise, rated_by=declarant_a,
                          timeliness=2, transparency=3, attitude=4, at=now)
    gates = stats.lowest_gates()
    assert gates[0]["gate"] == first.border_gate and gates[0]["index"] == 50.0
    months = stats.satisfaction_by_month(3)
    assert len(months) == 3 and months[-1]["ratings"] == 1 and months[-1]["index"] == 50.0
    assert stats.satisfaction_summary()["index"] == 50.0


def test_open_requests_by_topic_and_age(declarant_a):
    now = timezone.now()
    _request(declarant_a, topic="it_system", asked=now - timedelta(hours=1), due=now,
             state="open")
    _request(declarant_a, topic="it_system", asked=now - timedelta(days=5), due=now,
             state="waiting")
    _request(declarant_a, topic="it_system", asked=now - timedelta(days=5), due=now,
             state="closed")
    table = stats.open_by_age_and_topic(now=now)
    assert table["it_system"] == {"lt4h": 1, "4to8h": 0, "8to24h": 0, "1to3d": 0, "gt3d": 1}
