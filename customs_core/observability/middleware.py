"""One middleware, first after SecurityMiddleware: the request id, one access-log line and the
HTTP metrics of every request."""

import logging
import time

from django.core.signals import request_finished

from . import metrics
from .context import request_id_or_new, request_id_var

HEADER = "X-Request-ID"
UNRESOLVED = "<unresolved>"  # no URL pattern matched (404s, static files): one label for all
# a client may send any method name: the label takes the ones HTTP defines, the rest as "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

access_log = logging.getLogger("customs_core.requests")


def request_id_clear(**kwargs) -> None:
    request_id_var.set(None)


def route_of(request) -> str:
    """The URL pattern the request resolved to ("/declarations/<int:pk>/"), never its path."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        return UNRESOLVED
    return "/" + match.route.lstrip("^")  # a regex pattern's anchor


class RequestObservabilityMiddleware:
    """Takes a well-formed X-Request-ID from the caller (a proxy, an integration) or makes
    one; puts it on request.request_id, in the logging context and in the response header."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Django logs a 4xx or 5xx response ("Not Found: /x") after the middleware has
        # returned: the id stays set until the response is closed (request_finished).
        request_finished.connect(request_id_clear, dispatch_uid="observability-request-id")

    def __call__(self, request):
        request_id = request_id_or_new(request.headers.get(HEADER))
        request.request_id = request_id
        request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client gets if an exception escapes every handler
        try:
            response = self.get_response(request)
            status = response.status_code
            response[HEADER] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            route = route_of(request)
            method = request.method if request.method in METHODS else "other"
            metrics.HTTP_DURATION.labels(route, method, status).observe(elapsed)
            metrics.HTTP_REQUESTS.labels(route, method, status).inc()
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s %.1fms", request.method, request.path, status, elapsed * 1000,
                extra={"method": request.method, "path": request.path, "route": route,
                       "status": status, "duration_ms": round(elapsed * 1000, 1),
                       "user_id": user.pk if user is not None and user.is_authenticated
                       else None})
