"""Notification e-mails on real services: a Celery worker (subprocess) sends them over real
SMTP to a test SMTP server (aiosmtpd on a loopback port) that this test reads: subject,
recipient, language, link; one e-mail per event and recipient however often the event is told
or the sender runs; and a broker outage delays e-mail but loses none (the row is the outbox,
the beat sweep sends it)."""

import email
import email.policy
import json
import socket
import subprocess
import sys
import threading

import pytest
from django.db import transaction
from django.utils import translation

from customs_core import notifications
from customs_core.celery import app
from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from customs_core.testing.services import (
    BASE_DIR,
    CeleryBeat,
    CeleryWorker,
    PrivateRedis,
    redis_server_available,
    require_postgresql,
    require_redis,
    service_missing,
    wait_until,
)
from declarations.testing import DeclarationFactory
from partnership import notices
from partnership.models import Notification, NotificationSetting
from partnership.subscribers import CLEARED, ROUTED
from partnership.tasks import notification_emails_send_task

# "broker": make test runs these after the parallel run, one at a time (they share the
# broker's Redis database and the private Redis port).
pytestmark = [pytest.mark.services, pytest.mark.broker]
SITE_URL = "http://testserver.example"
TASK = notification_emails_send_task.name
# The session's `celery_worker` (no SMTP settings) may still be consuming "celery" on the
# shared broker: the e-mail task of test (a) goes to a queue only the SMTP worker reads.
QUEUE = "notification-email-test"
OUTAGE_REDIS_PORT = 6391  # test_routing_services.py has 6390
OUTAGE_EVENTS = 10


# --- the test SMTP server -------------------------------------------------------------------
class Inbox:
    """aiosmtpd handler: every message received, parsed (thread-safe list)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def __len__(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; yields (inbox, port)."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        service_missing("aiosmtpd is not installed (pip install -e '.[dev]')")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def smtp_env(port: int, **extra) -> dict:
    return {"EMAIL_BACKEND": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "false", "SITE_URL": SITE_URL, **extra}


def _route_email_task_to(queue: str | None) -> None:
    """Publish the e-mail task of this process to `queue` (None: as configured)."""
    from django.conf import settings

    routes = dict(settings.CELERY_TASK_ROUTES)
    if queue:
        routes[TASK] = {"queue": queue}
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


@pytest.fixture
def smtp_celery_worker(transactional_db, reference_data, smtp_server):
    """A real worker (subprocess) that sends e-mail over SMTP to `smtp_server`; the name ends in
    celery_worker so tasks of this test are published, not run eagerly (conftest)."""
    from django.db import connection

    connection.ensure_connection()
    require_postgresql()
    broker = require_redis()
    _, port = smtp_server
    worker = CeleryWorker(broker=broker, queues=QUEUE, name="email", extra_env=smtp_env(port))
    _route_email_task_to(QUEUE)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        _route_email_task_to(None)


def sender_run(worker) -> None:
    """Run the sender once more on the worker and wait until it has finished (the worker is
    solo: whatever was queued before has run too)."""
    result = notification_emails_send_task.apply_async()
    wait_until(lambda: f"[{result.id}] succeeded" in worker.log(), timeout=30,
               what=f"the e-mail task {result.id} to run\n{worker.log()[-3000:]}")


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- (a) real worker, real SMTP ---------------------------------------------------------------
def test_cleared_declaration_is_emailed_in_each_recipients_language(smtp_celery_worker,
                                                                     smtp_server):
    inbox, _ = smtp_server
    enterprise = EnterpriseFactory(name="Công ty TNHH Thư điện tử Móng Cái")
    vi = DeclarantFactory(username="mail_vi", enterprise=enterprise, language="vi",
                          email="nguyen.van.an@example.test", first_name="An",
                          last_name="Nguyễn Văn")
    en = DeclarantFactory(username="mail_en", enterprise=enterprise, language="en",
                          email="li.wei@example.test", first_name="Wei", last_name="Li")
    for user in (vi, en):  # this test is about the clearance e-mail only
        NotificationSetting.objects.create(user=user, kind=ROUTED, email=False)

    with transaction.atomic():  # a real event; the e-mail task is published on commit
        declaration = DeclarationFactory(state="cleared", user=vi)
    assert declaration.state == "cleared"
    rows = Notification.objects.filter(kind=CLEARED, recipient__in=[vi, en])
    assert rows.count() == 2

    wait_until(lambda: len(inbox) >= 2, timeout=60,
               what=f"two e-mails at the SMTP server\n{smtp_celery_worker.log()[-3000:]}")
    number = declaration.number
    link = f"{SITE_URL}{declaration.get_absolute_url()}"
    with translation.override("en"):
        subject_en = f"{notices.label_of(CLEARED)}: {number}"
    with translation.override("vi"):
        subject_vi = f"{notices.label_of(CLEARED)}: {number}"

    [mail_en] = inbox.to(en.email)
    assert mail_en["Subject"] == subject_en == f"Declaration cleared: {number}"
    assert mail_en["Content-Language"] == "en"
    body_en = body_of(mail_en)
    assert f"Declaration {number} was cleared." in body_en
    assert link in body_en.split()

    [mail_vi] = inbox.to(vi.email)
    assert subject_vi != subject_en and not subject_vi.isascii(), (
        f"no Vietnamese translation of the e-mail's subject: {subject_vi!r}")
    # Python's e-mail package folds a long encoded subject right after "Subject:", which a
    # parser reads back as one leading space (mail clients drop it).
    assert mail_vi["Subject"].strip() == subject_vi
    assert mail_vi["Content-Language"] == "vi"
    body_vi = body_of(mail_vi)
    assert link in body_vi.split()
    assert "was cleared" not in body_vi and "Open it:" not in body_vi, body_vi
    assert not body_vi.replace("Nguyễn Văn", "").isascii()  # diacritics beyond the name

    for row, mail in ((rows.get(recipient=vi), mail_vi), (rows.get(recipient=en), mail_en)):
        assert mail["Message-ID"] == f"<notification-{row.pk}@testserver.example>"
        assert row.email_state == "sent" and row.email_attempts == 0
    assert sorted(rcpt for _, rcpts in inbox.envelopes for rcpt in rcpts) == sorted(
        [vi.email, en.email])

    # The same event told again (a retried caller: same dedupe key) and the sender run again:
    # still one e-mail per recipient.
    with transaction.atomic():
        notifications.notify(CLEARED, recipients=[vi, en], obj=declaration,
                             context={"number": number},
                             dedupe_key=f"{CLEARED}-{declaration.pk}-{declaration.version}")
    sender_run(smtp_celery_worker)
    sender_run(smtp_celery_worker)
    assert rows.count() == 2
    assert len(inbox) == 2
    assert set(rows.values_list("email_state", flat=True)) == {"sent"}


# --- (b) a broker outage delays e-mail, loses none ----------------------------------------
NOTIFY_SCRIPT = """
import json, django
django.setup()
from django.db import transaction
from customs_core import notifications
from customs_core.models import User
from declarations.models import Declaration
users = list(User.objects.filter(username__in=%(usernames)r).order_by("username"))
declaration = Declaration.objects.get(pk=%(declaration)d)
for n in range(%(count)d):
    with transaction.atomic():  # on commit, the publish fails: the broker is down
        notifications.notify("declaration_cleared", recipients=users, obj=declaration,
                             context={"number": f"OUT-{n}"}, dedupe_key=f"outage-{n}")
print(json.dumps({"users": len(users), "events": %(count)d}))
"""


def sender_runs(worker) -> int:
    """How many runs of the e-mail task the worker finished (its log says so)."""
    return sum(1 for line in worker.log().splitlines()
               if f"{TASK}[" in line and "] succeeded in" in line)


@pytest.mark.django_db(transaction=True)
def test_broker_outage_delays_email_but_loses_none(reference_data, smtp_server):
    require_postgresql()
    if not redis_server_available():
        service_missing("redis-server is not installed")
    inbox, port = smtp_server
    enterprise = EnterpriseFactory(name="Công ty Cổ phần Mất Kết Nối")
    users = [DeclarantFactory(username=f"outage_mail_{n}", enterprise=enterprise,
                              email=f"outage{n}@example.test", language=language)
             for n, language in enumerate(("vi", "en"))]
    declaration = DeclarationFactory(state="draft", user=users[0])
    expected = OUTAGE_EVENTS * len(users)

    redis = PrivateRedis(port=OUTAGE_REDIS_PORT)
    redis.start()
    env = smtp_env(port, NOTIFICATION_EMAIL_SWEEP_SECONDS="2")
    worker = CeleryWorker(broker=redis.url, name="email-outage", extra_env=env)
    beat = CeleryBeat(broker=redis.url, name="email-outage-beat", extra_env=env)
    worker.start()
    beat.start()
    try:
        redis.stop()  # the broker goes down
        script_env = worker.env()
        script_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        script = NOTIFY_SCRIPT % {"usernames": [u.username for u in users],
                                  "declaration": declaration.pk, "count": OUTAGE_EVENTS}
        result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=script_env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert json.loads(result.stdout.strip().splitlines()[-1]) == {
            "users": len(users), "events": OUTAGE_EVENTS}
        assert "publish_emails" in result.stderr  # the publish failed (logged, not raised)
        rows = Notification.objects.filter(kind=CLEARED, recipient__in=users)
        assert rows.count() == expected
        assert rows.filter(email_state="pending").count() == expected
        assert len(inbox) == 0

        redis.start()  # the broker is back: the beat sweep publishes, the worker sends
        wait_until(lambda: not rows.filter(email_state="pending").exists() and
                   len(inbox) >= expected, timeout=120,
                   what=f"the e-mails after the outage\n{worker.log()[-2000:]}"
                        f"\n{beat.log()[-2000:]}")
        assert rows.filter(email_state="sent").count() == expected
        # A sweep that started after the last e-mail was sent finds nothing more to send.
        done = sender_runs(worker)
        wait_until(lambda: sender_runs(worker) >= done + 2, timeout=60,
                   what=f"two more sweeps\n{worker.log()[-2000:]}\n{beat.log()[-2000:]}")
        assert len(inbox) == expected  # none lost, none twice
        ids = {m["Message-ID"] for m in inbox.messages}
        assert ids == {f"<notification-{pk}@testserver.example>"
                       for pk in rows.values_list("pk", flat=True)}
        for user in users:
            subjects = sorted(m["Subject"].strip() for m in inbox.to(user.email))
            assert len(subjects) == OUTAGE_EVENTS
            assert all(s.endswith(tuple(f": OUT-{n}" for n in range(OUTAGE_EVENTS)))
                       for s in subjects)
            assert {m["Content-Language"] for m in inbox.to(user.email)} == {user.language}
    finally:
        beat.stop()
        worker.stop()
        redis.stop()
