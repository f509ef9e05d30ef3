"""Notification e-mails without services (Django's locmem backend, Celery eager): published
after the commit only, one per event and recipient, retried later with a growing delay after a
transport failure, given up after EMAIL_MAX_ATTEMPTS, never for a user who turned the kind off
or has no address, and written in the recipient's language. The same path over real SMTP, a
real worker and a broker outage: tests/test_notification_email_services.py."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone, translation

from customs_core import notifications
from customs_core.testing.factories import UserFactory
from partnership import notices
from partnership.models import Notification, NotificationSetting
from partnership.subscribers import CLEARED
from partnership.tasks import notification_emails_send_task

pytestmark = pytest.mark.django_db
LINK = "/declarations/4711/"


class Cleared:
    """What a notification is about: only its page matters to the e-mail."""

    def get_absolute_url(self) -> str:
        return LINK


def person(username: str, *, email: str | None = None, language: str = "vi"):
    return UserFactory(username=username, language=language,
                       email=f"{username}@example.test" if email is None else email)


def tell(*recipients, number: str = "10123456789", dedupe_key: str | None = None):
    notifications.notify(CLEARED, recipients=list(recipients), obj=Cleared(),
                         context={"number": number},
                         dedupe_key=f"test-cleared-{number}" if dedupe_key is None else dedupe_key)


@pytest.fixture
def frozen(monkeypatch):
    """frozen.move(minutes=...) moves the clock notices reads (timezone.now)."""

    class Clock:
        now = timezone.now()

        def move(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def smtp_down(monkeypatch):
    """The mail server refuses every message until smtp_down.up() is called."""

    class Switch:
        calls = 0

        def up(self):
            monkeypatch.setattr(EmailBackend, "send_messages", original)

    switch = Switch()
    original = EmailBackend.send_messages

    def refuse(self, messages):
        switch.calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return switch


def test_the_email_is_published_after_the_commit_only(django_capture_on_commit_callbacks,
                                                      mailoutbox):
    user = person("after_commit")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell(user)
        row = Notification.objects.get(recipient=user)
        assert row.email_state == "pending" and row.email_to == user.email
        assert mailoutbox == []
    assert [c.__qualname__ for c in callbacks] == ["publish_emails"]
    assert mailoutbox == []  # the transaction never committed: nothing left the process

    for callback in callbacks:  # the commit: the task is published (eager here) and sends
        callback()
    row.refresh_from_db()
    assert row.email_state == "sent" and row.emailed_at is not None
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_a_rolled_back_notification_is_neither_stored_nor_sent(
        django_capture_on_commit_callbacks, mailoutbox):
    user = person("rolled_back")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            tell(user)
            raise RuntimeError("the caller fails after notifying")
    assert callbacks == []
    assert not Notification.objects.filter(recipient=user).exists()
    assert mailoutbox == []


def test_one_email_per_event_and_recipient(django_capture_on_commit_callbacks, mailoutbox):
    first, second = person("once_1"), person("once_2", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        tell(first, second)
    with django_capture_on_commit_callbacks(execute=True):
        tell(first, second)  # the same event again (a retried caller): same dedupe key
    notification_emails_send_task.delay()  # and the sender runs again
    assert Notification.objects.filter(kind=CLEARED).count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.email, second.email])
    assert set(Notification.objects.values_list("email_state", flat=True)) == {"sent"}


def test_the_email_in_english(django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.SITE_URL = "https://hq.example.test/"
    user = person("english", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, number="10999888777")
    row = Notification.objects.get(recipient=user)
    [mail] = mailoutbox
    assert mail.subject == "Declaration cleared: 10999888777"
    assert mail.to == [user.email]
    assert mail.extra_headers["Content-Language"] == "en"
    assert mail.extra_headers["Message-ID"] == f"<notification-{row.pk}@hq.example.test>"
    assert "Declaration 10999888777 was cleared." in mail.body
    assert f"https://hq.example.test{LINK}" in mail.body.split()


def test_the_email_in_vietnamese(django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.SITE_URL = "https://hq.example.test"
    user = person("vietnamese", language="vi")
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, number="10999888777")
    [mail] = mailoutbox
    with translation.override("vi"):
        label = notices.label_of(CLEARED)
    assert label != "Declaration cleared", "no Vietnamese translation of the kind's label"
    assert not label.isascii(), label  # Vietnamese has diacritics
    assert mail.subject == f"{label}: 10999888777"
    assert mail.extra_headers["Content-Language"] == "vi"
    assert "was cleared" not in mail.body and "Open it:" not in mail.body, mail.body
    assert not mail.body.replace(user.get_full_name(), "").isascii()
    assert f"https://hq.example.test{LINK}" in mail.body.split()


def test_a_failed_send_is_kept_and_retried_later(frozen, smtp_down, mailoutbox):
    user = person("retried")
    tell(user)  # the on_commit publish never runs in this (rolled back) test: run the sender
    assert notices.emails_send() == {"sent": 0, "failed": 1}
    row = Notification.objects.get(recipient=user)
    assert row.email_state == "pending" and row.email_attempts == 1
    assert row.email_next_at == frozen.now + timedelta(minutes=1)
    assert row.email_error.startswith("SMTPServerDisconnected")

    smtp_down.up()
    assert notices.emails_send() == {"sent": 0, "failed": 0}  # not due yet
    assert mailoutbox == []
    frozen.move(minutes=1)
    assert notices.emails_send() == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert row.email_state == "sent" and row.email_attempts == 1
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert notices.emails_send() == {"sent": 0, "failed": 0}  # and never again
    assert len(mailoutbox) == 1


def test_the_sender_gives_up_after_the_last_attempt(frozen, smtp_down, mailoutbox):
    user = person("given_up")
    tell(user)
    delays = []
    for _attempt in range(notices.EMAIL_MAX_ATTEMPTS):
        assert notices.emails_send() == {"sent": 0, "failed": 1}
        row = Notification.objects.get(recipient=user)
        delays.append(row.email_next_at - frozen.now)
        frozen.move(hours=2)
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]  # a growing delay
    assert row.email_state == "failed"
    assert row.email_attempts == notices.EMAIL_MAX_ATTEMPTS
    assert smtp_down.calls == notices.EMAIL_MAX_ATTEMPTS

    smtp_down.up()
    frozen.move(days=1)
    assert notices.emails_send() == {"sent": 0, "failed": 0}
    assert mailoutbox == []


def test_a_user_who_turned_the_kind_off_gets_the_bell_only(
        django_capture_on_commit_callbacks, mailoutbox):
    off, on = person("kind_off"), person("kind_on")
    NotificationSetting.objects.create(user=off, kind=CLEARED, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        tell(off, on)
    row = Notification.objects.get(recipient=off)
    assert row.email_state == "none" and row.email_to == "" and row.email_next_at is None
    assert [m.to for m in mailoutbox] == [[on.email]]


def test_a_user_without_an_address_gets_the_bell_only(django_capture_on_commit_callbacks,
                                                       mailoutbox):
    user = person("no_address", email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tell(user)
    row = Notification.objects.get(recipient=user)
    assert row.email_state == "none" and row.email_to == ""
    assert callbacks == []  # nothing to send: no task published
    assert mailoutbox == []
