"""Integration tokens: an enterprise's systems call the API with a token of their own, named,
expiring and revocable, instead of a person's password (issue 20)."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customs_core.models import Enterprise

KEY_PREFIX = "cgi"  # "customs gate integration": recognisable in a leaked-secret scan


def key_digest(secret: str) -> str:
    """The stored form of a token's secret. The secret is 32 random bytes: a plain SHA-256 is
    enough (no dictionary to guess from), and a lookup stays one indexed equality."""
    return hashlib.sha256(secret.encode()).hexdigest()


class IntegrationTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class IntegrationToken(models.Model):
    """One system of one enterprise (its ERP, a forwarder's software). The API request acts as
    the enterprise account that issued it, and only while that account still belongs to the
    enterprise and is active; the secret is shown once and stored as a digest."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"),
                                   on_delete=models.CASCADE, related_name="integration_tokens")
    name = models.CharField(_("system name"), max_length=80)
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"),
                                    on_delete=models.PROTECT, related_name="integration_tokens")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", editable=False)

    objects = IntegrationTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"],
                                    condition=Q(revoked_at__isnull=True),
                                    name="integration_token_name_unique_while_active"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="integration_token_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    def get_status_display(self) -> str:
        return {"revoked": _("Revoked"), "expired": _("Expired"),
                "active": _("Active")}[self.status()]
