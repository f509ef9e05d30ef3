"""The routing backlog as a /healthz check (registered from DeclarationsConfig.ready)."""

from django.conf import settings

from customs_core.health import CheckResult

from .selectors import routing_backlog


def routing_health() -> CheckResult:
    """Degraded when a declaration has waited for routing longer than the threshold: no worker
    consumes the risk queue, or the workers cannot keep up."""
    backlog = routing_backlog()
    late = backlog.oldest_seconds > settings.ROUTING_BACKLOG_DEGRADED_SECONDS
    return CheckResult(status="degraded" if late else "ok",
                       details={"waiting": backlog.waiting,
                                "oldest_seconds": backlog.oldest_seconds})
