from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication as BaseTokenAuthentication

from customs_core.roles import SECOND_FACTOR_ROLES


class TokenAuthentication(BaseTokenAuthentication):
    """DRF's token authentication for people (a token obtained with a password, and the
    authenticator code where the account has one), loading the user's enterprise in the same
    query (every scoped selector and every declarant's write needs it).

    A person's token expires USER_TOKEN_HOURS after it was issued, and an officer's works only
    while the officer has a second factor enrolled (issue 20)."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        enrolled = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
        try:
            token = (model.objects.select_related("user__enterprise")
                     .annotate(enrolled=Exists(enrolled)).get(key=key))
        except model.DoesNotExist:
            return super().authenticate_credentials(key)  # raises the standard 401
        if not token.user.is_active:
            return super().authenticate_credentials(key)
        if token.created <= timezone.now() - settings.USER_TOKEN_LIFETIME:
            raise exceptions.AuthenticationFailed(_("This token has expired: obtain a new one."))
        if token.user.role in SECOND_FACTOR_ROLES and not token.enrolled:
            raise exceptions.AuthenticationFailed(
                _("Officers' tokens work only with a second factor enrolled: set it up on the "
                  "website first."))
        return token.user, token
