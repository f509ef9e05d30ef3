"""Language choice: the switch's cookie, else the user's own language, else Vietnamese.

Django's LocaleMiddleware would follow the browser's Accept-Language; officers work in Vietnamese
whatever browser they sit at, so the browser header is deliberately ignored.
"""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = {code for code, _ in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            language = getattr(user, "language", None) if user and user.is_authenticated else None
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


logger = logging.getLogger("customs_core.api")


def api_error_response(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def null_character_parameters(request) -> list[str]:
    """The query parameters holding a NUL character (%00): no parameter means one, and
    PostgreSQL text cannot store or compare it (a lookup sent it into a query: a 500)."""
    return sorted({name.replace("\x00", "") for name, values in request.GET.lists()
                   if "\x00" in name or any("\x00" in value for value in values)})


class ApiErrorMiddleware:
    """Every error under /api/ is JSON, a server error included: the client gets an error id
    (the request id) that the server log also shows, never Django's HTML page (issue:
    hardening)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            refused = null_character_parameters(request)
            if refused:
                return JsonResponse({name: [_("Null characters are not allowed.")]
                                     for name in refused}, status=400)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        # What Django itself maps to 4xx (with an HTML page, a debug page under DEBUG): JSON.
        if isinstance(exception, Http404):
            return api_error_response(404, _("Not found."))
        if isinstance(exception, PermissionDenied):
            return api_error_response(403, _("You do not have permission to do this."))
        if isinstance(exception, RequestDataTooBig):
            return api_error_response(413, _("The request body is too large."))
        if isinstance(exception, SuspiciousOperation):
            return api_error_response(400, _("Bad request."))
        # the request id: the response's X-Request-ID, and on every log line of the request
        error_id = getattr(request, "request_id", None) or uuid.uuid4().hex
        logger.error("API error %s on %s %s", error_id, request.method, request.path,
                     exc_info=exception)
        return api_error_response(500, _("Internal server error: report the error id to the "
                                         "branch's IT desk."), error_id=error_id)
