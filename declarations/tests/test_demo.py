"""seed_demo --declarations N: a consistent history the later features can trust."""

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Sum

from declarations.models import Declaration, DeclarationEvent, GoodsLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", declarations=600, verbosity=0)
    return Declaration.objects.exclude(invoice_number__startswith="HX-DEMO")


def test_history_has_the_requested_size_and_every_number(history):
    assert history.count() == 600
    assert history.filter(number__isnull=True).count() == 0
    assert all(len(n) == 12 for n in history.values_list("number", flat=True))


def test_event_chains_are_unbroken_and_end_in_the_current_state(history):
    chains = defaultdict(list)
    for event in DeclarationEvent.objects.filter(declaration__in=history).order_by("at", "id"):
        chains[event.declaration_id].append(event)
    for declaration in history:
        events = chains[declaration.pk]
        assert events[0].from_state == "draft"
        for before, after in zip(events, events[1:], strict=False):
            assert before.to_state == after.from_state and before.at <= after.at
        assert events[-1].to_state == declaration.state


def test_totals_are_the_sum_of_the_lines(history):
    sums = dict(GoodsLine.objects.filter(declaration__in=history).values_list("declaration_id")
                .annotate(total=Sum("total_vnd")))
    for pk, total in history.values_list("pk", "total_duty_vnd"):
        assert sums[pk] == total


def test_channel_mix_is_close_to_the_national_one(history):
    routed = history.exclude(channel="")
    share = {c: routed.filter(channel=c).count() / routed.count() for c in ("green", "yellow")}
    assert 0.50 < share["green"] < 0.65 and 0.30 < share["yellow"] < 0.45


def test_history_covers_two_years_and_only_registrable_enterprises(history):
    first = history.order_by("submitted_at").first().submitted_at
    last = history.order_by("-submitted_at").first().submitted_at
    assert (last - first).days > 700
    from django.utils import timezone

    today = timezone.localdate()
    assert all(d.enterprise.registration_block(today) is None for d in history[:100])


def test_cleared_declarations_with_duties_are_paid(history):
    unpaid = history.filter(cleared_at__isnull=False, total_duty_vnd__gt=0, paid_vnd=0)
    assert not unpaid.exists()


def test_no_demo_timestamp_is_in_the_future(reference_data, settings, tmp_path, monkeypatch):
    """Seeded at 05:18 local time, with every declaration on yesterday or today: nothing
    happened later than now (no entry at 13:17 today, no clearance tomorrow)."""
    from datetime import datetime, time, timedelta
    from unittest import mock

    from django.utils import timezone

    from declarations import demo
    from declarations.models import DutyPayment
    from declarations.risk.models import RiskAssessment

    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    now = datetime.combine(today, time(5, 18), tzinfo=timezone.get_default_timezone())
    monkeypatch.setattr(demo._World, "day",
                        lambda self: self.today - timedelta(days=self.rng.randrange(2)))
    with mock.patch("django.utils.timezone.now", return_value=now):
        call_command("seed_demo", declarations=300, verbosity=0)
    declarations = Declaration.objects.all()
    assert declarations.filter(created_at__date=today).exists()
    for field in ("created_at", "updated_at", "submitted_at", "cleared_at"):
        assert not declarations.filter(**{f"{field}__gt": now}).exists(), field
    assert not DeclarationEvent.objects.filter(at__gt=now).exists()
    assert not DutyPayment.objects.filter(paid_at__gt=now).exists()
    assert not RiskAssessment.objects.filter(created_at__gt=now).exists()
    from declarations.models import Document

    assert not Document.objects.filter(uploaded_at__gt=now).exists()
    # still consistent: the event chain ends in the current state
    for declaration in declarations.exclude(state="draft").prefetch_related("events"):
        events = sorted(declaration.events.all(), key=lambda e: (e.at, e.id))
        assert events[-1].to_state == declaration.state
        assert declaration.created_at <= events[0].at


def test_a_violation_of_the_history_ends_released_or_seized():
    """The history's violations do not wait forever: the goods are released once the penalty
    is paid (then leave through the gate) or seized, a few days later."""
    import random
    from types import SimpleNamespace

    from declarations.choices import DeclarationState as S
    from declarations.demo import _path

    endings = set()
    for seed in range(3000):
        path = _path(SimpleNamespace(rng=random.Random(seed)), "red", horizon=30 * 86400)
        states = [to for _frm, to, _t, _actor in path]
        if S.VIOLATION in states:
            after = states[states.index(S.VIOLATION) + 1:]
            assert after in ([S.CLEARED, S.GATE_OUT], [S.SEIZED]), states
            endings.add(after[-1])
    assert endings == {S.GATE_OUT, S.SEIZED}
