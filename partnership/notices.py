"""Delivering notifications: the handler that customs_core.notifications.notify() calls (a
row per recipient for the bell, its e-mail queued where the user's settings say so), how a row
reads in its reader's language, and the e-mail outbox's sender.

E-mail leaves from a Celery task after the commit (`publish_emails`), and the row is the
outbox: a publish lost to a broker outage is sent by the same task run from beat. The sender
locks each row (skip locked) before it sends and marks it sent in the same transaction, so two
workers never send one row; a failure is retried later with a growing delay, up to
EMAIL_MAX_ATTEMPTS. The Message-ID is the row's own, so a mail system drops the copy if a crash
between the SMTP answer and the commit ever makes the task send it again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from customs_core import notifications
from customs_core.models import User

from .choices import EmailState
from .models import Notification, NotificationSetting

logger = logging.getLogger(__name__)
EMAIL_MAX_ATTEMPTS = 8
EMAIL_BATCH = 50


# --- delivery ------------------------------------------------------------------------------------
def deliver(notification: notifications.Notification) -> None:
    """The handler registered with customs_core.notifications."""
    deliver_many([notification])


def deliver_many(batch: list[notifications.Notification]) -> int:
    """Store every recipient's row of every notification in one insert (an event told twice
    is stored once: the dedupe key), and queue the e-mails after the commit."""
    users = {u.pk: u for n in batch for u in n.recipients if isinstance(u, User)}
    if not users:
        return 0
    choices = {(user_id, kind): email for user_id, kind, email in
               NotificationSetting.objects.filter(user_id__in=users)
               .values_list("user_id", "kind", "email")}
    now = timezone.now()
    rows = []
    for n in batch:
        kind = notifications.KINDS[n.kind]
        link = _link(n, kind)
        for user in n.recipients:
            if not isinstance(user, User):
                continue
            wants = choices.get((user.pk, n.kind), kind.email_by_default)
            email = wants and bool(user.email)
            rows.append(Notification(
                recipient_id=user.pk, kind=n.kind, context=n.context, link=link,
                dedupe_key=n.dedupe_key[:120], created_at=now,
                email_state=EmailState.PENDING if email else EmailState.NONE,
                email_to=user.email if email else "", email_next_at=now if email else None))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(r.email_state == EmailState.PENDING for r in rows):
        transaction.on_commit(publish_emails, robust=True)
    return len(rows)


def _link(n: notifications.Notification, kind: notifications.Kind) -> str:
    url = getattr(n.obj, "get_absolute_url", None)
    if callable(url):
        return url()
    if kind.url_name:
        try:
            return reverse(kind.url_name)
        except NoReverseMatch:
            return ""
    return ""


def publish_emails():
    """Queue the sender once the commit is done. A routing burst commits hundreds of
    notifications a second: the first commit of a window queues the sender a window later and
    the others ride on it (it drains every due row; beat's sweep sends any row that committed
    just after it looked). Run eagerly (no broker) every commit sends at once."""
    # A named function (robust on_commit logs its __qualname__ when the publish fails).
    from customs_core.celery import app

    from .tasks import notification_emails_send_task

    if app.conf.task_always_eager:
        notification_emails_send_task.delay()
        return
    window = settings.NOTIFICATION_EMAIL_PUBLISH_WINDOW
    if window and not cache.add("partnership:emails-queued", 1, timeout=window):
        return
    notification_emails_send_task.apply_async(countdown=window or None)


# --- reading -------------------------------------------------------------------------------------
def _display(value):
    if isinstance(value, list):
        return ", ".join(str(_display(v)) for v in value)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    return value


def label_of(kind_code: str) -> str:
    kind = notifications.KINDS.get(kind_code)
    return str(kind.label) if kind else _("Notification")


def text_of(row: Notification) -> str:
    """The sentence a notification says, in the active language."""
    kind = notifications.KINDS.get(row.kind)
    if kind is None or not kind.text:
        return label_of(row.kind)
    values = {key: _display(value) for key, value in (row.context or {}).items()}
    if kind.prepare:
        values.update(kind.prepare(row.context or {}))
    try:
        return str(kind.text) % values
    except (KeyError, TypeError, ValueError):
        logger.warning("notification %s: context does not fit its text", row.pk)
        return label_of(row.kind)


def mark_read(user: User, ids=None) -> int:
    """Mark the user's notifications read (all of them when `ids` is None)."""
    queryset = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def settings_of(user: User) -> list[dict]:
    """Every kind the user may be told of, with whether it is e-mailed to them."""
    chosen = dict(NotificationSetting.objects.filter(user=user).values_list("kind", "email"))
    return [{"kind": kind.code, "label": kind.label,
             "email": chosen.get(kind.code, kind.email_by_default)}
            for kind in sorted(notifications.KINDS.values(), key=lambda k: str(k.label))]


@transaction.atomic
def settings_save(user: User, email_kinds: set[str]) -> None:
    """E-mail exactly these kinds to the user (unknown kinds are ignored)."""
    for kind in notifications.KINDS:
        NotificationSetting.objects.update_or_create(user=user, kind=kind,
                                                     defaults={"email": kind in email_kinds})


# --- e-mail --------------------------------------------------------------------------------------
def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else settings.SITE_URL


def email_of(row: Notification) -> EmailMessage:
    """The e-mail of one notification, in its recipient's language."""
    user = row.recipient
    with translation.override(user.language or settings.LANGUAGE_CODE):
        label, text = label_of(row.kind), text_of(row)
        number = (row.context or {}).get("number")
        subject = f"{label}: {number}" if number else label
        body = render_to_string("partnership/email/notification.txt", {
            "user": user, "text": text, "link": site_url(row.link),
            "settings_link": site_url(reverse("partnership:notification-settings"))})
    domain = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "localhost"
    return EmailMessage(subject=subject, body=body, to=[row.email_to],
                        headers={"Message-ID": f"<notification-{row.pk}@{domain}>",
                                 "Content-Language": user.language or settings.LANGUAGE_CODE})


def emails_send(limit: int = 500) -> dict[str, int]:
    """Send the pending e-mails that are due, one row lock at a time (another sender skips
    the row); a failure waits 1, 2, 4... minutes before the next try."""
    sent = failed = 0
    for _attempt in range(limit):
        with transaction.atomic():
            row = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("recipient")
                   .filter(email_state=EmailState.PENDING, email_next_at__lte=timezone.now())
                   .order_by("email_next_at", "pk").first())
            if row is None:
                break
            try:
                email_of(row).send(fail_silently=False)
            except Exception as exc:  # any transport error: keep the row, try again later
                failed += 1
                row.email_attempts += 1
                row.email_error = f"{type(exc).__name__}: {exc}"[:255]
                if row.email_attempts >= EMAIL_MAX_ATTEMPTS:
                    row.email_state = EmailState.FAILED
                    logger.error("notification %s: e-mail gave up after %d attempts: %s",
                                 row.pk, row.email_attempts, row.email_error)
                row.email_next_at = timezone.now() + timedelta(
                    minutes=min(2 ** (row.email_attempts - 1), 60))
                row.save(update_fields=["email_attempts", "email_error", "email_state",
                                        "email_next_at"])
                if failed >= 3:  # the mail server is down: the next run tries again
                    break
                continue
            row.email_state, row.emailed_at = EmailState.SENT, timezone.now()
            row.save(update_fields=["email_state", "emailed_at"])
            sent += 1
    return {"sent": sent, "failed": failed}
