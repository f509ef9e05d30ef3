"""API authentication for integrations: `Authorization: Bearer cgi_…` (issue 20)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from . import tokens


class IntegrationTokenAuthentication(BaseAuthentication):
    """An enterprise system's token: acts as the enterprise account that issued it, answers
    401 once expired or revoked."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: "
                                                    "\"Bearer <token>\"."))
        try:
            token = tokens.token_authenticate(parts[1].decode("ascii", errors="replace"))
        except tokens.Refused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return token.acting_user, token

    def authenticate_header(self, request):
        return self.keyword


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    target_class = "customs_core.accounts.authentication.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": _("An enterprise system's integration token (cgi_…), issued by "
                                 "the enterprise's administrator on the website.")}
