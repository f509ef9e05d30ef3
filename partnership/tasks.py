import logging

from celery import shared_task

from . import notices, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def notification_emails_send_task() -> dict:
    """Send the e-mails that are due (after each commit that queued some, and from beat every
    minute: what a broker outage or a failed attempt left pending)."""
    result = notices.emails_send()
    if result["sent"] or result["failed"]:
        logger.info("notification e-mails: %s", result)
    return result


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def support_due_soon_task() -> int:
    """Beat: warn of answers due within the next working hour."""
    return services.requests_warn_due_soon()
