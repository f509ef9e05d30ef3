"""Races on real PostgreSQL with threads: ratings of one declaration at once give one rating
(the others 409); e-mail senders running at once send each e-mail once; the enterprise and the
desk writing at once both land, in lock order."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from customs_core.exceptions import StateConflict
from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from customs_core.testing.services import require_postgresql
from declarations.testing import DeclarationFactory, publish_rates
from partnership import notices, ratings, services
from partnership.models import Message, Notification, Rating, SupportRequest
from partnership.testing import desk_make

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(reference_data, monkeypatch):
    """Committed declarations would be routed at once by the eager task: the factory walks
    the path itself, so routing is not queued here."""
    from declarations.risk import tasks as routing

    require_postgresql()
    monkeypatch.setattr(routing.declaration_route_task, "delay", lambda *args: None)
    publish_rates()
    owner = DeclarantFactory(username="race_rater", enterprise=EnterpriseFactory(),
                             email="rater@example.vn")
    return owner, desk_make("race")


def test_twenty_ratings_of_one_declaration_at_once_give_one(world):
    owner, desk = world
    declaration = DeclarationFactory(state="cleared", user=owner)

    def rate(n):
        try:
            ratings.rating_give(user=owner, declaration=declaration.pk, timeliness=1 + n % 5,
                                transparency=3, attitude=1)
            return "rated"
        except StateConflict as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = sorted(pool.map(rate, range(20)))
    assert outcomes == ["already_rated"] * 19 + ["rated"]
    assert Rating.objects.filter(declaration=declaration).count() == 1
    # the one low rating (attitude 1) opened exactly one follow-up
    assert SupportRequest.objects.filter(rating__declaration=declaration).count() == 1


def test_concurrent_senders_send_each_e_mail_once(world, settings):
    owner, desk = world
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with pytest.MonkeyPatch.context() as patch:  # the rows wait as a broker outage leaves them
        patch.setattr(notices, "publish_emails", lambda: None)
        for n in range(30):
            DeclarationFactory(state="cleared", user=owner, invoice_number=f"RACE-{n}")
    pending = Notification.objects.filter(email_state="pending").count()
    assert pending >= 30

    def send(_n):
        try:
            return notices.emails_send()["sent"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        sent = sum(pool.map(send, range(4)))
    assert sent == pending == len(mail.outbox)
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == pending
    assert not Notification.objects.filter(email_state="pending").exists()


def test_the_enterprise_and_the_desk_writing_at_once_both_land(world):
    owner, desk = world
    request = services.request_open(user=owner, topic="procedure", subject="Song song",
                                    message="Câu hỏi đầu tiên")

    def write(who):
        user = owner if who == "enterprise" else request.assigned_to
        try:
            services.message_post(request=request, user=user, body=f"{who} viết")
            return who
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert sorted(pool.map(write, ["enterprise", "desk"])) == ["desk", "enterprise"]
    request.refresh_from_db()
    assert Message.objects.filter(request=request).count() == 3
    assert request.version == 3  # both bumps counted: neither write was lost
    assert request.state in {"answered", "reopened"}
