"""The request id of the work in hand: set per HTTP request by the middleware and per task run
by the Celery signals, read by the logging filter and sent along with every task published."""

import re
import uuid
from contextvars import ContextVar

# What we accept from a client or a proxy: short, and nothing that could forge a log line.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# (task name, task id) while a Celery task runs
task_var: ContextVar[tuple[str, str] | None] = ContextVar("celery_task", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_or_new(candidate: str | None) -> str:
    """The caller's id when it is well-formed, else a new one."""
    if candidate and VALID_REQUEST_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    return request_id_var.get()
