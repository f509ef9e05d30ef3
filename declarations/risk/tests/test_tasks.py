"""The routing task and the sweeper (eager here; tests/test_routing_services.py runs them on a
real worker and broker)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from declarations.models import Declaration
from declarations.risk import tasks
from declarations.risk.models import RiskAssessment, RoutingFailure

pytestmark = pytest.mark.django_db


def test_submission_queues_routing_after_commit(make_declaration, declarant_a,
                                                django_capture_on_commit_callbacks):
    from declarations import services

    draft = make_declaration()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.declaration_submit(declaration=draft, user=declarant_a)
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.state != "submitted" and RiskAssessment.objects.filter(declaration=draft)


def test_sweeper_requeues_declarations_waiting_over_a_minute(make_declaration):
    old = make_declaration(state="submitted")
    fresh = make_declaration(state="submitted")
    Declaration.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    assert tasks.declarations_waiting_for_routing(older_than=timedelta(minutes=1)) == [(old.pk, 0)]
    assert tasks.declarations_requeue_unrouted_task() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    # the old one's task routes it, and in the same batch the other waiting declaration
    assert old.state != "submitted" and fresh.state != "submitted"


def test_one_task_routes_a_batch_and_the_other_tasks_return_at_once(make_declaration):
    waiting = [make_declaration(state="submitted") for _ in range(4)]
    assert tasks.declaration_route_task.delay(waiting[0].pk).get() in {"green", "yellow", "red"}
    assert RiskAssessment.objects.count() == 4
    assert [tasks.declaration_route_task.delay(d.pk).get() for d in waiting[1:]] == [None] * 3
    assert RiskAssessment.objects.count() == 4


def test_a_failing_routing_is_recorded_and_raised(make_declaration, monkeypatch):
    declaration = make_declaration(state="submitted")

    def broken(**kwargs):
        raise ValueError("rules table unreadable")

    monkeypatch.setattr(tasks, "declarations_route", broken)
    with pytest.raises(ValueError):
        tasks.declaration_route_task.delay(declaration.pk)
    failure = RoutingFailure.objects.get(declaration=declaration)
    assert "unreadable" in failure.error and failure.attempts == 1


def test_routing_task_is_idempotent(make_declaration):
    declaration = make_declaration(state="submitted")
    first = tasks.declaration_route_task.delay(declaration.pk).get()
    assert first in {"green", "yellow", "red"}
    assert tasks.declaration_route_task.delay(declaration.pk).get() is None
    assert RiskAssessment.objects.filter(declaration=declaration).count() == 1


def test_routing_task_settings():
    task = tasks.declaration_route_task
    assert task.acks_late and task.max_retries == tasks.MAX_RETRIES


@pytest.mark.django_db(transaction=True)
def test_the_task_remembers_the_batch_it_routed_and_its_tasks_need_no_query(
        reference_data, make_declaration, django_assert_num_queries):
    from unittest import mock

    from declarations.testing import publish_rates

    publish_rates()
    with mock.patch("declarations.risk.tasks.routing_enqueue"):  # they wait, unrouted
        waiting = [make_declaration(state="submitted") for _ in range(3)]
    tasks.declaration_route_task.delay(waiting[0].pk, 0)  # committed: no outer transaction
    assert RiskAssessment.objects.count() == 3
    assert all((d.pk, 0) in tasks.routed_here for d in waiting)
    with django_assert_num_queries(0):
        assert tasks.declaration_route_task.delay(waiting[1].pk, 0).get() is None


def test_an_amended_declaration_is_routed_again_by_the_process_that_routed_it(
        declarant_a, django_capture_on_commit_callbacks):
    from declarations import services
    from declarations.testing import declaration_make, declaration_payload, parse

    declaration = declaration_make(state="amend_requested", user=declarant_a)
    tasks.routed_here.add([(declaration.pk, 0)])  # this process routed its first version
    with django_capture_on_commit_callbacks(execute=True):
        services.declaration_amend(declaration=declaration, user=declarant_a,
                                   data=parse(declaration_payload()), reason="fixed")
    declaration.refresh_from_db()
    assert declaration.amendment_count == 1 and declaration.state != "submitted"
    assert RiskAssessment.objects.filter(declaration=declaration, amendment_count=1).exists()
