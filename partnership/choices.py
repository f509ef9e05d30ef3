"""Choices of the partnership desk; labels are translated on screen."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    PROCEDURE = "procedure", _("Customs procedure")
    CLASSIFICATION = "classification", _("Tariff classification")
    VALUATION = "valuation", _("Customs valuation")
    IT_SYSTEM = "it_system", _("IT system")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    WAITING = "waiting", _("Waiting for the enterprise")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# The desk owes an answer in these states (the due time runs).
AWAITING_DESK = frozenset({RequestState.OPEN, RequestState.REOPENED})
NOT_CLOSED = frozenset(set(RequestState.values) - {RequestState.CLOSED})


class SupportMode(models.TextChoices):
    REMOTE = "remote", _("Remote (online or by phone)")
    ON_SITE = "on_site", _("On site")


class ArticleKind(models.TextChoices):
    PROCEDURE = "procedure", _("Procedure")
    LEGAL = "legal", _("Legal document")
    FAQ = "faq", _("Frequently asked question")


class EmailState(models.TextChoices):
    NONE = "none", _("Not e-mailed")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class PartnershipErrorCode(models.TextChoices):
    WRONG_STATE = "wrong_state", _("Not in a state for this")
    ALREADY_RATED = "already_rated", _("Already rated")
    NOT_CLEARED = "not_cleared", _("The declaration is not cleared")
    NOT_DESK = "not_desk", _("Not an officer of the desk")
