"""/metrics: for the operator only. A scraper sends `Authorization: Bearer <METRICS_TOKEN>`; a
person signs in with the administrator role. A machine endpoint: 401 or 403, never a redirect
to the sign-in page."""

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from customs_core.choices import Role

from .metrics import metrics_text


def bearer_token_valid(request) -> bool:
    """The request carries the configured METRICS_TOKEN (an empty setting accepts none)."""
    expected = settings.METRICS_TOKEN
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@never_cache
@require_GET
def metrics(request):
    if not bearer_token_valid(request):
        user = request.user
        if not user.is_authenticated:
            response = HttpResponse(_("Authentication required."), status=401,
                                    content_type="text/plain; charset=utf-8")
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        if user.role != Role.ADMIN:
            return HttpResponse(_("Only the operator may read the metrics."), status=403,
                                content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
