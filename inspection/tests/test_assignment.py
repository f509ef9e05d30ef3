"""Who gets a check: least open work, rotation, conflicts of interest, capacity, on duty; the
figures behind every choice recorded as an event; the sweeper for what the subscriber missed."""

from datetime import datetime

import pytest

from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from declarations import events
from inspection import assigning, services
from inspection.assignment import Candidate, choose_officer, work_points
from inspection.choices import CheckEventKind, CheckKind
from inspection.models import Check, CheckEvent, ConflictOfInterest, TeamMember
from inspection.testing import open_check_of

pytestmark = pytest.mark.django_db


def _declarant():
    return DeclarantFactory(enterprise=EnterpriseFactory())


# --- the pure rules ------------------------------------------------------------------------------
def _c(officer_id, load, capacity=200, last=None):
    return Candidate(officer_id=officer_id, name=f"o{officer_id}", open_points=load,
                     capacity=capacity, last_assigned_at=last)


def test_work_is_weighted_per_declaration_and_per_line():
    assert work_points(0, per_declaration=10, per_line=5) == 10
    assert work_points(7, per_declaration=10, per_line=5) == 45


def test_least_open_work_wins_and_ties_go_to_who_waited_longest():
    early, late = datetime(2026, 12, 1, 8), datetime(2026, 12, 1, 9)
    assert choose_officer([_c(1, 50), _c(2, 20), _c(3, 35)], points=25,
                          previous_officer_id=None).officer_id == 2
    tie = [_c(1, 20, last=late), _c(2, 20, last=early)]
    assert choose_officer(tie, points=25, previous_officer_id=None).officer_id == 2
    assert choose_officer([_c(5, 0), _c(4, 0)], points=25,
                          previous_officer_id=None).officer_id == 4


def test_rotation_skips_the_previous_officer_unless_nobody_else_has_room():
    choice = choose_officer([_c(1, 0), _c(2, 90)], points=25, previous_officer_id=1)
    assert (choice.officer_id, choice.figures["rule"]) == (2, "least_load")
    waived = choose_officer([_c(1, 0), _c(2, 190)], points=25, previous_officer_id=1)
    assert (waived.officer_id, waived.figures["rule"]) == (1, "rotation_waived")


def test_a_conflicted_officer_is_never_chosen_even_as_the_only_one():
    assert choose_officer([_c(1, 0), _c(2, 100)], points=25, previous_officer_id=None,
                          conflicted=frozenset({1})).officer_id == 2
    alone = choose_officer([_c(1, 0)], points=25, previous_officer_id=None,
                           conflicted=frozenset({1}))
    assert not alone.assigned and alone.figures["rule"] == "queue"


def test_capacity_is_respected_and_nobody_with_room_leaves_it_in_the_queue():
    assert choose_officer([_c(1, 180), _c(2, 150)], points=25,
                          previous_officer_id=None).officer_id == 2
    full = choose_officer([_c(1, 190, 200), _c(2, 180, 200)], points=25, previous_officer_id=None)
    assert not full.assigned and "capacity" in full.reason


# --- through the subscribers ---------------------------------------------------------------------
def test_a_yellow_declaration_goes_to_the_least_loaded_document_checker(crew, make):
    first = open_check_of(make("yellow", user=_declarant()))
    second = open_check_of(make("yellow", user=_declarant()))
    assert first.kind == CheckKind.DOC_CHECK and first.team == crew.team
    assert first.points == 25  # 10 + 3 lines x 5
    assert {first.officer, second.officer} == {crew.doc1, crew.doc2}
    event = CheckEvent.objects.get(work=second, kind=CheckEventKind.ASSIGNED)
    loads = event.data["loads"]
    assert loads[str(first.officer_id)]["open_points"] == 25
    assert loads[str(second.officer_id)]["open_points"] == 0
    assert event.data["rule"] == "least_load"


def test_red_goes_to_an_inspector_and_the_leader_is_never_given_work(crew, make):
    check = open_check_of(make("red", user=_declarant()))
    assert check.kind == CheckKind.INSPECTION
    assert check.officer in {crew.insp1, crew.insp2}
    TeamMember.objects.filter(officer__in=[crew.insp1, crew.insp2]).update(on_duty=False)
    waiting = open_check_of(make("red", user=_declarant()))
    assert waiting.officer is None  # the leader supervises: the check waits in the queue
    assert CheckEvent.objects.filter(work=waiting, kind=CheckEventKind.UNASSIGNED).exists()


def test_rotation_skips_the_officer_of_the_enterprises_previous_declaration(crew, make,
                                                                             declarant_a):
    previous = open_check_of(make("yellow"))
    other = crew.doc2 if previous.officer == crew.doc1 else crew.doc1
    # The other officer is busier, yet gets the enterprise's next declaration.
    for _ in range(2):
        check = open_check_of(make("yellow", user=_declarant()))
        Check.objects.filter(pk=check.pk).update(officer=other)
    nxt = open_check_of(make("yellow"))
    assert nxt.officer == other
    # Now `other` handled the previous one; with the first officer absent, nobody else can
    # take it: the rotation is waived and the reason says so.
    TeamMember.objects.filter(officer=previous.officer).update(on_duty=False)
    last = open_check_of(make("yellow"))
    assert last.officer == other
    assert CheckEvent.objects.get(work=last, kind=CheckEventKind.ASSIGNED).data["rule"] == \
        "rotation_waived"


def test_an_officer_with_a_conflict_of_interest_never_gets_the_enterprise(crew, make,
                                                                          declarant_a):
    ConflictOfInterest.objects.create(officer=crew.doc1, enterprise=declarant_a.enterprise,
                                      reason="Anh trai là giám đốc")
    for _ in range(3):
        assert open_check_of(make("yellow")).officer == crew.doc2
    TeamMember.objects.filter(officer=crew.doc2).update(on_duty=False)
    assert open_check_of(make("yellow")).officer is None  # never doc1, even alone


def test_a_declaration_through_a_gate_of_the_other_team_goes_to_that_team(crew, crew2, make):
    check = open_check_of(make("yellow", user=_declarant(), border_gate="MCKM34"))
    assert check.team == crew2.team and check.officer in {crew2.doc1, crew2.doc2}


def test_escalation_opens_an_inspection_assigned_to_an_inspector(crew, make):
    check = open_check_of(make("yellow", user=_declarant()))
    services.check_escalate(check=check, by=check.officer, reason="Hóa đơn có dấu hiệu giả")
    inspection = open_check_of(check.declaration, CheckKind.INSPECTION)
    assert inspection.officer in {crew.insp1, crew.insp2}
    check.refresh_from_db()
    assert (check.state, check.outcome) == ("done", "escalated")


def test_the_sweeper_opens_and_assigns_what_the_subscriber_missed(crew, make):
    events.unsubscribe("inspection.open-check")  # the subscriber never ran (not installed yet)
    try:
        declaration = make("yellow", user=_declarant())
    finally:
        from inspection.extensions import register

        register()
    assert not Check.objects.filter(declaration=declaration).exists()
    assert assigning.checks_sweep()["opened"] == 1
    assert open_check_of(declaration).officer in {crew.doc1, crew.doc2}
    assert assigning.checks_sweep() == {"opened": 0, "assigned": 0}  # idempotent


def test_a_check_left_in_the_queue_is_assigned_when_an_officer_comes_on_duty(crew, make):
    TeamMember.objects.filter(officer__in=[crew.doc1, crew.doc2]).update(on_duty=False)
    check = open_check_of(make("yellow", user=_declarant()))
    assert check.officer is None
    member = TeamMember.objects.get(officer=crew.doc2)
    services.team_member_update(member=member, by=crew.leader, on_duty=True)
    assert open_check_of(check.declaration).officer == crew.doc2


def test_a_database_error_while_opening_never_undoes_the_routing(crew, make, monkeypatch):
    from django.db import OperationalError

    def fail(**kwargs):
        raise OperationalError("lock timeout")

    monkeypatch.setattr(assigning, "checks_open", fail)
    declaration = make("yellow", user=_declarant())
    assert declaration.state == "yellow"
    monkeypatch.undo()
    assert assigning.checks_sweep()["opened"] == 1


def test_a_routing_batch_is_opened_and_assigned_in_a_constant_number_of_queries(
        crew, declarant_a, django_assert_max_num_queries):
    """The router moves up to 200 declarations with one transition_batch(): the subscriber
    opens and assigns all of them at once, spreading the work and rotating one firm's
    declarations between the officers as single assignments would."""
    from customs_core.working_hours import branch_calendar
    from declarations.choices import DeclarationState as S
    from declarations.testing import declaration_make
    from declarations.workflow import transition_batch

    TeamMember.objects.filter(team=crew.team).update(daily_capacity_points=5000)
    firms = [declarant_a, _declarant()]
    batch = [declaration_make(state="scored", user=firms[n % 2]) for n in range(12)]
    branch_calendar()  # a process cache, loaded once in a while, not per batch
    with django_assert_max_num_queries(21):
        transition_batch(batch, to=S.YELLOW, by=None, channel="yellow")
    checks = sorted((open_check_of(d) for d in batch), key=lambda c: c.due_at)
    officers = [c.officer_id for c in checks]
    assert officers.count(crew.doc1.pk) == officers.count(crew.doc2.pk) == 6
    for firm in firms:  # one firm's consecutive declarations never go to the same officer
        mine = [c.officer_id for c in sorted(checks, key=lambda c: c.pk)
                if c.enterprise_id == firm.enterprise_id]
        assert all(a != b for a, b in zip(mine, mine[1:], strict=False))
    assert CheckEvent.objects.filter(work__in=checks, kind=CheckEventKind.ASSIGNED).count() == 12
