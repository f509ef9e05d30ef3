"""/healthz: is the database reachable, is the broker reachable, is work piling up.

Apps above customs_core add their own checks (the routing backlog, later the rollup lag) with
`register()` from their AppConfig.ready(), so this module never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@dataclass(frozen=True)
class CheckResult:
    """One app's view of its own health: "ok" or "degraded", with figures for operators."""

    status: str
    details: dict


CHECKS: dict[str, Callable[[], CheckResult]] = {}


def register(name: str, check: Callable[[], CheckResult]) -> None:
    """Add a named check to /healthz (apps call this from AppConfig.ready)."""
    CHECKS[name] = check


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "down" to a load balancer
        return "down"
    return "ok"


def broker_status(url: str | None = None) -> str:
    """"eager" without a broker; else whether the broker (or `url`) accepts a connection."""
    if settings.CELERY_TASK_ALWAYS_EAGER and url is None:
        return "eager"
    from customs_core.celery import app

    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:  # noqa: BLE001
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 while the database answers (a dead broker or a backlog only degrades); else 503."""
    database, broker = database_status(), broker_status()
    body = {"status": "ok", "database": database, "broker": broker}
    if database != "ok":
        body["status"] = "down"
        return JsonResponse(body, status=503)
    degraded = broker == "down"
    for name, check in CHECKS.items():
        result = check()
        body[name] = {"status": result.status, **result.details}
        degraded = degraded or result.status != "ok"
    body["status"] = "degraded" if degraded else "ok"
    return JsonResponse(body)
