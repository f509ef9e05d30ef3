"""Choices of the risk engine; labels are shown translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleType(models.TextChoices):
    """What a risk rule looks at (DESIGN.md §5)."""

    COMPLIANCE_HISTORY = "compliance_history", _("Compliance history (violations)")
    NEW_ENTERPRISE = "new_enterprise", _("New enterprise")
    PRIORITY_STATUS = "priority_status", _("Priority (AEO) enterprise")
    HS_WATCH = "hs_watch", _("HS watch list")
    ORIGIN_COUNTRY = "origin_country", _("Country of origin")
    TRADING_COUNTRY = "trading_country", _("Trading country")
    VALUATION = "valuation", _("Valuation below the reference price")
    REGIME = "regime", _("Regime (processing, temporary import)")
    AMENDMENTS = "amendments", _("Number of amendments")
    ENTERPRISE_LIST = "enterprise_list", _("Enterprise list")
    RANDOM = "random", _("Random selection")
    PROFILE = "profile", _("Risk profiles (learned from outcomes)")
    MODEL = "model", _("Learned model")


class RuleEffect(models.TextChoices):
    POINTS = "points", _("Adds points to the score")
    MANDATORY_RED = "mandatory_red", _("Mandatory red channel")
    POST_AUDIT = "post_audit", _("Post-clearance audit of green declarations")


class ChannelRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the branch leader")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")

class RiskErrorCode(models.TextChoices):
    """Codes of the risk engine's refusals, for clients to branch on (not on English text)."""

    REQUEST_PENDING = "request_pending", _("A request is already waiting")
    REQUEST_DECIDED = "request_decided", _("The request was already decided")
    RULESET_READ_ONLY = "ruleset_read_only", _("The ruleset is read-only")
    MODEL_NOT_ACTIVE = "model_not_active", _("The model is not active")
