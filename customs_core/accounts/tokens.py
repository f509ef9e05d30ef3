"""Integration tokens: issue, revoke, authenticate (issue 20).

A key reads `cgi_<prefix>_<secret>`: the prefix names the token in lists and logs, the secret is
shown once and stored only as a digest.
"""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.choices import Role
from customs_core.exceptions import FieldErrors

from .models import KEY_PREFIX, IntegrationToken, key_digest

# Write last_used_at at most this often: not one UPDATE per API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def can_manage(user) -> bool:
    return user.is_authenticated and user.role == Role.ENTERPRISE and user.is_enterprise_admin


def tokens_of(enterprise):
    return (IntegrationToken.objects.filter(enterprise=enterprise)
            .select_related("acting_user", "revoked_by"))


def token_issue(user, *, name: str, days: int) -> tuple[IntegrationToken, str]:
    """A new token of the user's enterprise, acting as that user; returns it and its key (the
    only time the key exists in clear)."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = f"{KEY_PREFIX}_{prefix}_{secret}"
    now = timezone.now()
    try:
        with transaction.atomic():
            token = IntegrationToken.objects.create(
                enterprise_id=user.enterprise_id, name=name.strip(), prefix=prefix,
                digest=key_digest(key), acting_user=user, created_at=now,
                expires_at=now + timedelta(days=days))
    except IntegrityError as error:
        raise FieldErrors({"name": [_("An active token of your enterprise already has this "
                                      "name: revoke it or choose another name.")]}) from error
    return token, key


def token_revoke(user, token_id: int) -> IntegrationToken:
    """Revoke a token of the user's own enterprise (404 for another's: tokens_of scopes it)."""
    with transaction.atomic():
        token = (IntegrationToken.objects.select_for_update()
                 .get(pk=token_id, enterprise_id=user.enterprise_id))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = user
            token.save(update_fields=["revoked_at", "revoked_by"])
    return token


class Refused(Exception):
    """A key that must answer 401, with the reason to give."""


def token_authenticate(key: str) -> IntegrationToken:
    """The token a key belongs to, if it may act now; Refused otherwise."""
    if not key.startswith(f"{KEY_PREFIX}_"):
        raise Refused(_("Invalid token."))
    token = (IntegrationToken.objects.select_related("acting_user__enterprise")
             .filter(digest=key_digest(key)).first())
    if token is None:
        raise Refused(_("Invalid token."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise Refused(_("This token has been revoked."))
    if token.expires_at <= now:
        raise Refused(_("This token has expired."))
    user = token.acting_user
    # The account it acts as must still be an active user of the same enterprise.
    if (not user.is_active or user.role != Role.ENTERPRISE
            or user.enterprise_id != token.enterprise_id):
        raise Refused(_("The account this token acts for can no longer use it."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
