"""Account changes, whoever makes them (the admin, a command, a service): a signal on the
User model compares the row before and after each save and records what changed, with the
actor of the request in hand (CurrentRequestMiddleware). A queryset .update() bypasses
signals: code that changes roles saves the user."""

from .choices import AuditAction
from .services import record

# What an audit of access rights cares about; the password only as "changed", never a value.
TRACKED = ("role", "enterprise_id", "is_active", "is_staff", "is_superuser",
           "is_enterprise_admin", "password")
BEFORE = "_audit_before"


def _tracked(update_fields) -> tuple[str, ...]:
    if update_fields is None:
        return TRACKED
    named = {"enterprise_id" if name == "enterprise" else name for name in update_fields}
    return tuple(name for name in TRACKED if name in named)


def user_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """The tracked fields as stored, one SELECT (none for a new user, a fixture, or a save of
    other fields only, such as the last login)."""
    fields = _tracked(update_fields)
    if raw or instance._state.adding or not fields:
        return
    instance.__dict__[BEFORE] = (sender._base_manager.filter(pk=instance.pk)
                                 .values(*fields).first())


def user_after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(None, AuditAction.ACCOUNT_CREATED, instance, label=instance.username,
               details={"role": instance.role, "enterprise": instance.enterprise_id,
                        "is_superuser": instance.is_superuser})
        return
    before = instance.__dict__.pop(BEFORE, None)
    if not before:
        return
    changes = {}
    for name, old in before.items():
        new = getattr(instance, name)
        if old != new:
            changes[name] = {"changed": True} if name == "password" else {"old": old, "new": new}
    if not changes:
        return
    action = AuditAction.ROLE_CHANGED if "role" in changes else AuditAction.ACCOUNT_CHANGED
    record(None, action, instance, label=instance.username, details=changes)
