"""One table from exceptions to HTTP responses (STYLE.md, "Errors")."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from customs_core.exceptions import (
    ApplicationError,
    FieldErrors,
    PreconditionFailed,
    StateConflict,
)


def api_exception_handler(exc, context):
    if isinstance(exc, FieldErrors):
        return Response(exc.fields, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, StateConflict):
        return Response({"detail": exc.message, "code": exc.code,
                         "current_state": exc.current_state}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, PreconditionFailed):
        return Response({"detail": exc.message}, status=status.HTTP_412_PRECONDITION_FAILED,
                        headers={"ETag": exc.etag})
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.NotFound):
        response.data = {"detail": _("Not found.")}
    return response
