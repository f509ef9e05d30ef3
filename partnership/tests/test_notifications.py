"""Notifications: the declaration's states tell its enterprise (the channel only, never the
reasons), each reader sees them in their own language, an event told twice is stored once,
and the bell counts what is unread."""

import pytest
from django.utils import translation

from customs_core import notifications
from declarations.testing import DeclarationFactory, publish_rates
from declarations.workflow import transition
from partnership import notices, selectors
from partnership.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rates(reference_data):
    publish_rates()


def test_routing_tells_the_enterprise_the_channel_and_nothing_else(declarant_a):
    declaration = DeclarationFactory(state="submitted", user=declarant_a)
    transition(declaration, to=["scored", "red"], by=None, channel="red",
               reason="criterion HS 8703 x CN: 12 points")
    row = Notification.objects.get(kind="declaration_routed", recipient=declarant_a)
    assert row.context == {"number": declaration.number, "channel": "red"}
    assert row.link == f"/declarations/{declaration.pk}/"
    with translation.override("en"):
        assert notices.text_of(row) == (f"Declaration {declaration.number} was routed to the "
                                        "Red channel.")
    with translation.override("vi"):
        text = notices.text_of(row)
    assert declaration.number in text and "Red" not in text and "8703" not in text


def test_cleared_and_amendment_requested_are_told(declarant_a):
    DeclarationFactory(state="cleared", user=declarant_a)
    amended = DeclarationFactory(state="amend_requested", user=declarant_a)
    kinds = set(Notification.objects.filter(recipient=declarant_a).values_list("kind",
                                                                               flat=True))
    assert {"declaration_cleared", "declaration_amend_requested", "declaration_routed"} <= kinds
    row = Notification.objects.get(kind="declaration_amend_requested")
    assert row.context["number"] == amended.number and row.context["reason"]


def test_an_event_told_twice_is_stored_once(declarant_a):
    declaration = DeclarationFactory(state="submitted", user=declarant_a)
    for _ in range(2):
        notifications.notify("declaration_cleared", recipients=[declarant_a], obj=declaration,
                             context={"number": declaration.number}, dedupe_key="same-event")
    assert Notification.objects.filter(kind="declaration_cleared",
                                       dedupe_key="same-event").count() == 1


def test_unread_count_and_mark_read(declarant_a, declarant_b):
    declaration = DeclarationFactory(state="cleared", user=declarant_a)
    assert selectors.unread_count(declarant_a) >= 2
    assert selectors.unread_count(declarant_b) == 0
    first = selectors.notifications_of(declarant_a).first()
    before = selectors.unread_count(declarant_a)
    notices.mark_read(declarant_a, [first.pk])
    assert selectors.unread_count(declarant_a) == before - 1
    notices.mark_read(declarant_b)  # another user's "all" touches none of A's
    assert selectors.unread_count(declarant_a) == before - 1
    notices.mark_read(declarant_a)
    assert selectors.unread_count(declarant_a) == 0
    assert declaration.number


def test_email_settings_choose_the_kinds_e_mailed(declarant_a):
    declarant_a.email = "lan@example.vn"
    declarant_a.save(update_fields=["email"])
    notices.settings_save(declarant_a, {"declaration_cleared"})
    chosen = {s["kind"]: s["email"] for s in notices.settings_of(declarant_a)}
    assert chosen["declaration_cleared"] is True and chosen["declaration_routed"] is False
    DeclarationFactory(state="cleared", user=declarant_a)
    states = dict(Notification.objects.filter(recipient=declarant_a)
                  .values_list("kind", "email_state"))
    assert states["declaration_cleared"] == "pending"
    assert states["declaration_routed"] == "none"
