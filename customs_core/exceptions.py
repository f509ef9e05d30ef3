"""Business exceptions raised by services; the API handler and the pages map them (STYLE.md)."""

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A business rule refused the request (400 with a code)."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


class StateConflict(Exception):
    """The object is not in the state the action needs, or someone moved it first (409)."""

    def __init__(self, message: str, *, code: str = "state_conflict", current_state: str = ""):
        super().__init__(message)
        self.message, self.code, self.current_state = message, code, current_state


class PreconditionFailed(Exception):
    """The client's If-Match names a version that is no longer current (412)."""

    def __init__(self, message: str, *, etag: str):
        super().__init__(message)
        self.message, self.etag = message, etag


class FieldErrors(ValidationError):
    """Field errors from a service, possibly nested (per goods line): {"lines": {"2": {...}}}.

    A Django ValidationError for code that expects one; `fields` keeps the nested shape that
    the API returns as is and the pages put on their forms.
    """

    def __init__(self, fields: dict):
        self.fields = fields
        super().__init__(list(_flatten(fields)))


def _flatten(fields: dict, prefix: str = ""):
    for name, value in fields.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{name}.")
        else:
            for message in value:
                yield f"{prefix}{name}: {message}" if prefix else str(message)
