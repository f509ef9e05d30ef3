"""The request in hand, for audit rows written by code that is not given it."""

from contextvars import ContextVar

from django.http import HttpRequest

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class CurrentRequestMiddleware:
    """Keeps the request for record(None, ...): a signal on the User model sees who changed a
    role in the admin. After AuthenticationMiddleware; DRF sets a token's user on this same
    request once its view has authenticated it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_request() -> HttpRequest | None:
    return _current_request.get()
