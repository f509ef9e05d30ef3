"""The two writes every step of a check makes: the append-only event (who, why, the figures)
and the version bump of the check's row (its ETag)."""

from django.db.models import F
from django.utils import timezone

from .models import Check, CheckEvent


def event(check: Check, kind: str, *, actor=None, officer=None, officer_id=None,
          reason: str = "", data: dict | None = None) -> CheckEvent:
    """Append what happened to `check`."""
    return CheckEvent.objects.create(work=check, kind=kind, actor=actor,
                                     officer_id=officer.pk if officer else officer_id,
                                     reason=reason, data=data or {}, at=timezone.now())


def bump(check: Check, **fields) -> None:
    """Write `fields` on the check with its version + 1 (the caller holds its row lock or
    wrote it conditionally), and mirror them on the instance."""
    Check.objects.filter(pk=check.pk).update(version=F("version") + 1, **fields)
    for name, value in fields.items():
        setattr(check, name, value)
    check.version += 1
