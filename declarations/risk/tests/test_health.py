"""/healthz reports the routing backlog: how many declarations wait and for how long."""

from datetime import timedelta

import pytest
from django.utils import timezone

from declarations.models import Declaration

pytestmark = pytest.mark.django_db


def test_a_fresh_submission_waiting_is_ok(client, make_declaration, settings):
    make_declaration(state="submitted")  # eager routing is not run in this test: on_commit
    body = client.get("/healthz").json()
    assert body["routing"]["waiting"] == 1
    assert body["routing"]["status"] == "ok" and body["status"] == "ok"


def test_a_declaration_waiting_past_the_threshold_degrades_health(client, make_declaration,
                                                                  settings):
    settings.ROUTING_BACKLOG_DEGRADED_SECONDS = 300
    waiting = make_declaration(state="submitted")
    Declaration.objects.filter(pk=waiting.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["routing"]["status"] == "degraded"
    assert body["routing"]["waiting"] == 1
    assert 590 <= body["routing"]["oldest_seconds"] <= 660


def test_routed_declarations_are_not_counted(client, make_declaration,
                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_declaration(state="submitted")  # routed eagerly after commit
    assert client.get("/healthz").json()["routing"]["waiting"] == 0
