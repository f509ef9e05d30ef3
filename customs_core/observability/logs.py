"""Log records that say which request (or task) they belong to, as one JSON object a line.

settings.LOGGING puts `RequestContextFilter` on the console handler and chooses
`JsonFormatter` (LOG_FORMAT=json) or the text format for a developer's console.
"""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from .context import request_id_var, task_var

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestContextFilter(logging.Filter):
    """Adds `request_id` (and in a Celery task `task_name` and `task_id`) to every record a
    handler emits, from the context the record was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is not None:
            record.request_id = request_id
        task = task_var.get()
        if task is not None:
            record.task_name, record.task_id = task
        return True


class JsonFormatter(BaseJsonFormatter):
    """{"timestamp", "level", "logger", "message", "request_id", ...extra fields}: the fields
    passed with `extra=` (the access log's method, path, status, ...) follow as they are."""

    def __init__(self, **kwargs):
        kwargs.setdefault("fmt", ["levelname", "name", "message", "request_id"])
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)  # Vietnamese stays readable
        # Django's request records carry the HttpRequest itself: its repr says nothing useful.
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "taskName"])
        super().__init__(**kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        log_data["timestamp"] = datetime.fromtimestamp(record.created, tz=UTC)  # first
        super().add_fields(log_data, record, message_dict)


def text_formatter() -> logging.Formatter:
    """The developer's console format (LOG_FORMAT=text); "-" outside any request."""
    return logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"})
