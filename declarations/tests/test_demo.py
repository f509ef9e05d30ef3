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
        path = _path(SimpleNamespace(rng=random.Random(seed)), "red", horizon=30 * 86400,
                     fraud="value")
        states = [to for _frm, to, _t, _actor in path]
        if S.VIOLATION in states:
            after = states[states.index(S.VIOLATION) + 1:]
            assert after in ([S.CLEARED, S.GATE_OUT], [S.SEIZED]), states
            endings.add(after[-1])
    assert endings == {S.GATE_OUT, S.SEIZED}


# --- the planted fraud: labels that follow from the truth ---------------------------------------
def test_the_checks_find_the_fraud_there_is_and_only_it():
    """An honest declaration is conform whatever its channel; a physical inspection finds most
    frauds; a document check sees value and origin frauds now and then (and escalates), an
    HS code fraud only as often as it escalates anything."""
    import random
    from types import SimpleNamespace

    from declarations.choices import DeclarationState as S
    from declarations.demo import _path

    def share(channel, fraud, state, runs=4000):
        hits = 0
        for seed in range(runs):
            world = SimpleNamespace(rng=random.Random(seed))
            states = [to for _frm, to, _t, _a in _path(world, channel, 30 * 86400, fraud)]
            hits += state in states
        return hits / runs

    for channel in ("green", "yellow", "red"):
        assert share(channel, None, S.VIOLATION) == 0
    assert share("green", "value", S.VIOLATION) == 0
    assert 0.85 < share("red", "quantity", S.VIOLATION) < 0.95
    assert 0.38 < share("yellow", "origin", S.RED) < 0.48  # 40% seen, 4% escalated anyway
    assert 0.02 < share("yellow", "hs_code", S.RED) < 0.06
    assert 0.32 < share("yellow", "value", S.VIOLATION) < 0.42  # seen, then found


def test_planted_contrast_counts_each_pattern_and_the_rest():
    from declarations.demo import Planted, planted_contrast

    planted = Planted(pairs=frozenset({("08106000", "CN")}), enterprises=frozenset({7}),
                      partners=frozenset({"Risky Ltd."}))
    rows = [(7, "Honest Ltd.", {("08106000", "CN")}, True),  # two patterns
            (7, "Honest Ltd.", set(), False),
            (1, "Risky Ltd.", {("08106000", "TH")}, True),
            (1, "Honest Ltd.", {("08106000", "TH")}, False),
            (2, "Honest Ltd.", set(), True)]
    assert planted_contrast(rows, planted) == {
        "pairs": (1, 1), "enterprises": (2, 1), "partners": (1, 1), "planted": (3, 2),
        "other": (2, 1)}


def test_the_planted_fraud_is_learnable_and_found_as_it_was_planted(reference_data, settings,
                                                                    tmp_path):
    """Over a history long enough to count on (the declarations app's own seeding, routed by
    the risk engine): among checked declarations, those of the planted pairs, enterprises and
    partners are found with a violation several times as often as the others; each fraud
    found is of a planted kind and told in the declaration's event log; a penalty is a fine
    of the usual sizes plus a share of the duties evaded, if any."""
    from customs_core import demo as core_demo
    from declarations import demo
    from declarations.choices import CheckResult
    from declarations.choices import DeclarationState as S
    from declarations.models import CheckOutcome, Violation

    settings.MEDIA_ROOT = tmp_path
    core_demo.seed(options={}, progress=lambda it, **kw: it)
    demo.history_seed(count=4000, seed=2017, progress=lambda it, **kw: it)
    planted = demo.planted_of(2017)
    assert planted == demo.planted_of(2017) != demo.planted_of(2018)
    assert len(planted.pairs) == 6 and len(planted.enterprises) == 4
    assert len(planted.partners) == 2
    assert all(origin != "VN" for _code, origin in planted.pairs)

    contrast = demo.planted_contrast(demo.inspected_history(), planted)
    rate = {key: found / checked for key, (checked, found) in contrast.items() if checked}
    assert contrast["other"][0] > 500
    assert rate["planted"] > 10 * rate["other"], contrast
    for pattern in ("pairs", "enterprises", "partners"):
        assert contrast[pattern][0] >= 20, (pattern, contrast)
        assert rate[pattern] > 4 * rate["other"], (pattern, contrast)

    violations = list(Violation.objects.select_related("declaration"))
    kinds = {v.violation_type for v in violations}
    assert {"value", "origin"} <= kinds <= {"value", "origin", "hs_code", "quantity"}
    reasons = dict(DeclarationEvent.objects.filter(to_state=S.VIOLATION)
                   .values_list("declaration_id", "reason"))
    assert {v.declaration_id: v.description for v in violations} == reasons
    found = set(CheckOutcome.objects.filter(outcome=CheckResult.VIOLATION)
                .values_list("declaration_id", flat=True))
    assert found == set(reasons)
    assert all(v.line_no for v in violations if v.violation_type == "value")
    flat = {n * 1_000_000 for n in (5, 10, 15, 20)}
    assert all(v.penalty_vnd >= 5_000_000 for v in violations)
    assert all(v.penalty_vnd in flat for v in violations  # nothing evaded, nothing added
               if v.violation_type == "hs_code" or v.violation_type in ("value", "quantity")
               and v.declaration.total_duty_vnd == 0)
    assert any(v.penalty_vnd > 20_000_000 for v in violations if v.violation_type == "value")
