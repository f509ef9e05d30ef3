"""Two gates every request passes after authentication (issue 20):

- the second factor: a signed-in user who needs one (every officer; an enterprise user who has
  turned it on) and has not passed it this session reaches only the enrolment or verification
  page, sign-out and the language switch; the API answers 403;
- the idle timeout: an officer's session ends after SESSION_IDLE_TIMEOUT_MINUTES without a
  request of theirs. A page's own polling (the bell, the queue, an export's progress) sends
  `X-Background: 1`: it does not count as activity, or an open tab would never time out.
"""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from customs_core.middleware import api_error_response

from . import second_factor

LAST_SEEN_KEY = "_last_seen"
# The last-seen stamp is written at most this often: not one session write per request.
LAST_SEEN_RESOLUTION_SECONDS = 60
OPEN_PREFIXES = ("/accounts/second-factor/", "/accounts/logout/", "/i18n/", "/static/",
                 "/healthz")


def _redirect(request, url_name: str):
    url = f"{reverse(url_name)}?next={quote(request.get_full_path())}"
    if request.headers.get("HX-Request"):
        response = redirect(url)
        response["HX-Redirect"] = url  # htmx would swap the page into a fragment otherwise
        return response
    return redirect(url)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not user.is_verified()
                and not request.path.startswith(OPEN_PREFIXES) and self._required(request)):
            if request.path.startswith("/api/"):
                return api_error_response(
                    403, _("Pass the second factor (authenticator code) before using the API."),
                    code="second_factor_required")
            if second_factor.authenticator(user) is None:
                return _redirect(request, "accounts:second-factor-setup")
            return _redirect(request, "accounts:second-factor-verify")
        return self.get_response(request)

    @staticmethod
    def _required(request) -> bool:
        required = request.session.get(second_factor.SESSION_REQUIRED_KEY)
        if required is None:
            required = second_factor.required_for(request.user)
            request.session[second_factor.SESSION_REQUIRED_KEY] = required
        return required


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and second_factor.mandatory_for(user):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - last_seen > limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return api_error_response(401, _("Your session ended after a period without "
                                                     "activity: sign in again."),
                                              code="session_idle_timeout")
                messages.info(request, _("You were signed out after %(minutes)d minutes without "
                                         "activity.")
                              % {"minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES})
                return redirect(f"{reverse('login')}?next={quote(request.get_full_path())}")
            background = request.headers.get("X-Background") == "1"
            if not background and (last_seen is None
                                   or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS):
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
