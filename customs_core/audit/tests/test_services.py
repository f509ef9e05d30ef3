"""record(): who, from where and the request id come from the request; one INSERT."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from customs_core.audit.choices import AuditAction
from customs_core.audit.middleware import CurrentRequestMiddleware
from customs_core.audit.models import AuditEvent
from customs_core.audit.services import client_ip, note, record

pytestmark = pytest.mark.django_db


def _request(user, **meta):
    request = RequestFactory().get("/", **meta)
    request.user = user
    return request


def test_a_row_copies_the_actor_as_it_is_now(doc_checker, leader):
    request = _request(doc_checker, REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="x" * 500)
    request.request_id = "req-42"
    event = record(request, AuditAction.DECLARATION_VIEWED, leader, label="a label")
    doc_checker.role = "risk"
    doc_checker.save()
    event.refresh_from_db()
    assert (event.actor_username, event.actor_role, event.ip_address, event.request_id) == (
        "doc_checker", "doc_check", "192.0.2.7", "req-42")
    assert len(event.user_agent) == 300
    assert (event.object_type, event.object_id, event.object_label) == (
        "customs_core.user", str(leader.pk), "a label")


def test_without_a_request_id_or_a_user_the_row_says_nothing_of_them():
    event = record(_request(AnonymousUser()), AuditAction.ACCOUNT_CHANGED)
    assert (event.actor, event.actor_username, event.request_id, event.object_type) == (
        None, "", "", "")


def test_the_system_acting_without_a_request_is_recorded_as_the_system():
    event = record(None, AuditAction.RULESET_ACTIVATED)
    assert (event.actor, event.ip_address, event.user_agent) == (None, None, "")


def test_without_a_request_in_hand_the_middleware_gives_it(doc_checker):
    def view(request):
        record(None, AuditAction.ACCOUNT_CHANGED)
        return None

    CurrentRequestMiddleware(view)(_request(doc_checker, REMOTE_ADDR="198.51.100.1"))
    event = AuditEvent.objects.latest("id")
    assert (event.actor, event.ip_address) == (doc_checker, "198.51.100.1")


def test_an_explicit_actor_wins_over_the_requests_user(doc_checker, risk_officer):
    event = record(_request(doc_checker), AuditAction.RISK_RULE_CHANGED, actor=risk_officer)
    assert event.actor == risk_officer


def test_a_note_lands_on_the_next_row_of_the_request_only(doc_checker):
    request = _request(doc_checker)
    note(request, risk_assessment=7)
    first = record(request, AuditAction.DECLARATION_VIEWED, details={"check": 3})
    second = record(request, AuditAction.DECLARATION_VIEWED)
    assert (first.details, second.details) == ({"risk_assessment": 7, "check": 3}, {})


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (0, "203.0.113.9", "10.0.0.1"),  # no proxy trusted: the header is the client's word
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote itself is skipped
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: the socket's address
    (1, "not-an-address", None),
])
def test_the_address_is_the_socket_unless_proxies_are_trusted(settings, proxies, forwarded,
                                                              expected):
    settings.AUDIT_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1",
                                   HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
