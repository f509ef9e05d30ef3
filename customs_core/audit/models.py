"""The access audit: one append-only row per read of confidential data, change of the risk
criteria or change of an account (issue 20). The database refuses UPDATE, DELETE and TRUNCATE
on the table (triggers: migrations/0002_append_only.py); save() and delete() refuse too."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OBJECT_TYPES, AuditAction


class AppendOnlyError(IntegrityError):
    """An audit event cannot change or go away once written."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what to which object, when, and from where; written once, never changed."""

    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    # Null: the system (a task, a command). The username and role are copied at the time, so a
    # later change of the account does not rewrite what it was when it acted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+",
                              db_index=False)  # (actor, occurred_at) below serves it
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True,
                               encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser or client"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # The search's newest-first pages and its date range.
            models.Index(fields=["occurred_at", "id"], name="audit_occurred"),
            # "What did this officer read?"
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_occurred"),
            # "Who read this declaration?": by id (the id leads, so a search by id alone uses it).
            models.Index(fields=["object_id", "object_type"], name="audit_object"),
            # ...or by its number as the label shows it (a prefix: amendments change the last
            # digit). The operator class lets PostgreSQL use it for LIKE 'prefix%'.
            models.Index(fields=["object_label"], name="audit_object_label",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AuditAction.values),
                                   name="audit_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    @property
    def object_type_label(self) -> str:
        return str(OBJECT_TYPES.get(self.object_type, self.object_type))
