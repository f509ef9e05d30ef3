"""Idempotency-Key for creating POSTs (DESIGN.md §9).

The key row is inserted first, inside the request's transaction: a concurrent request with the
same key blocks on the unique index until the first commits, then replays its stored response.
The same key with another body is 422. A request that fails (4xx) rolls back with its key, so the
client may retry with the same key after fixing the input.
"""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _body_hash(request) -> str:
    if request.content_type and request.content_type.startswith("multipart/"):
        payload = json.dumps({key: request.data.getlist(key) if hasattr(request.data, "getlist")
                              else request.data[key] for key in sorted(request.data.keys())},
                             default=str, sort_keys=True).encode()
    else:
        payload = request.body
    return hashlib.sha256(payload).hexdigest()


def idempotent(request, *, scope: str, handler: Callable[[], Response]) -> Response:
    """Run handler() once per (user, scope, Idempotency-Key); replay its response after."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > MAX_KEY_LENGTH:
        return Response({"detail": f"{HEADER} is at most {MAX_KEY_LENGTH} characters."},
                        status=status.HTTP_400_BAD_REQUEST)
    digest = _body_hash(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=request.user, scope=scope, key=key,
                                                       request_hash=digest)
        except IntegrityError:
            record = None  # another request holds (held) this key: replay what it answered
        if record is not None:
            response = handler()
            if response.status_code >= 400:
                # Roll back the key with the failed work: the client may retry the same key.
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(json.dumps(response.data, default=str))
            record.save(update_fields=["response_status", "response_body"])
            return response
    record = IdempotencyKey.objects.filter(user=request.user, scope=scope, key=key).first()
    if record is not None and record.request_hash != digest:
        return Response({"detail": f"This {HEADER} was used with a different request body.",
                         "code": "idempotency_key_reused"},
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if record is None or record.response_status is None:
        return Response({"detail": "A request with this Idempotency-Key is still in progress.",
                         "code": "idempotency_key_in_progress"},
                        status=status.HTTP_409_CONFLICT)
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response
