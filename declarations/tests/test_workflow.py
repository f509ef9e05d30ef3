"""The transition table and the one function that performs transitions."""

from concurrent.futures import ThreadPoolExecutor
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from customs_core.exceptions import StateConflict
from declarations.choices import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from declarations.testing import declaration_make
from declarations.workflow import SYSTEM, TRANSITIONS, transition

pytestmark = pytest.mark.django_db


def test_every_transition_names_known_states_and_roles():
    from customs_core.choices import Role

    for (frm, to), rule in TRANSITIONS.items():
        assert frm in S.values and to in S.values
        assert rule.roles and rule.roles <= set(Role.values) | {SYSTEM}


def test_design_path_is_in_the_table():
    path = [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.SCORED), (S.SCORED, S.GREEN),
            (S.GREEN, S.CLEARED), (S.CLEARED, S.GATE_OUT), (S.SCORED, S.YELLOW),
            (S.YELLOW, S.DOC_CHECK), (S.DOC_CHECK, S.AMEND_REQUESTED),
            (S.AMEND_REQUESTED, S.SUBMITTED), (S.DOC_CHECK, S.RED), (S.RED, S.INSPECTION),
            (S.INSPECTION, S.VIOLATION)]
    assert set(path) <= set(TRANSITIONS)


def test_terminal_states_have_no_way_out():
    for terminal in (S.CANCELLED, S.GATE_OUT, S.SEIZED):
        assert not [pair for pair in TRANSITIONS if pair[0] == terminal]


def test_a_violation_ends_released_or_seized():
    """DESIGN.md §4: violation -> cleared (penalty and extra duties paid) | seized."""
    assert {to for frm, to in TRANSITIONS if frm == S.VIOLATION} == {S.CLEARED, S.SEIZED}
    assert TRANSITIONS[(S.VIOLATION, S.SEIZED)].reason_required


@pytest.mark.parametrize("frm, to", [pair for pair in product(S.values, S.values)
                                     if pair not in TRANSITIONS])
def test_pairs_outside_the_table_are_state_conflicts(declarant_a, frm, to):
    declaration = declaration_make(state=frm, user=declarant_a, lines=1)  # real transitions
    events = DeclarationEvent.objects.filter(declaration=declaration).count()
    with pytest.raises(StateConflict):
        transition(declaration, to=to, by=declarant_a, reason="x")
    assert DeclarationEvent.objects.filter(declaration=declaration).count() == events
    assert Declaration.objects.get(pk=declaration.pk).state == frm


def test_the_factory_reaches_every_state_through_the_table(declarant_a):
    from declarations.testing import FACTORY_STATES

    assert set(FACTORY_STATES) == set(S.values)
    red = declaration_make(state="red", lines=3, user=declarant_a)
    assert red.state == "red" and red.channel == "red" and red.lines.count() == 3
    assert [(e.from_state, e.to_state) for e in red.events.order_by("at", "id")] == [
        ("draft", "submitted"), ("submitted", "scored"), ("scored", "red")]


def test_wrong_role_is_permission_denied(make_declaration, doc_checker):
    declaration = make_declaration()
    with pytest.raises(PermissionDenied):
        transition(declaration, to=S.SUBMITTED, by=doc_checker, number="100000000010")


def test_only_the_system_routes(make_declaration, declarant_a, leader):
    declaration = make_declaration(state="submitted")
    for user in (declarant_a, leader):
        with pytest.raises(PermissionDenied):
            transition(declaration, to=S.SCORED, by=user)
    transition(declaration, to=S.SCORED, by=None)
    assert declaration.state == S.SCORED


def test_reason_is_required_where_the_table_says_so(make_declaration, declarant_a):
    declaration = make_declaration(state="submitted")
    with pytest.raises(ValidationError):
        transition(declaration, to=S.CANCELLED, by=declarant_a, reason=" ")


def test_a_stale_copy_loses_with_409_and_writes_no_event(make_declaration, declarant_a):
    declaration = make_declaration()
    stale = Declaration.objects.get(pk=declaration.pk)
    transition(declaration, to=S.CANCELLED, by=declarant_a)
    with pytest.raises(StateConflict) as info:
        transition(stale, to=S.SUBMITTED, by=declarant_a, number="100000000010")
    assert info.value.current_state == S.CANCELLED
    assert DeclarationEvent.objects.filter(declaration=declaration).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_give_one_winner_and_one_event(declarant_a):
    from customs_core.testing.services import require_postgresql
    from declarations import services
    from declarations.testing import declaration_payload, parse, publish_rates

    require_postgresql()
    publish_rates()
    declaration = services.declaration_create_draft(user=declarant_a,
                                                    data=parse(declaration_payload()))

    def submit(_):
        try:
            services.declaration_submit(declaration=Declaration.objects.get(pk=declaration.pk),
                                        user=declarant_a)
            return "won"
        except StateConflict:
            return "409"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(submit, range(2)))
    assert outcomes == ["409", "won"]
    # (the winner's commit also routes it, eagerly here: count the submission events only)
    assert DeclarationEvent.objects.filter(declaration=declaration,
                                           to_state="submitted").count() == 1
