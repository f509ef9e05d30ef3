"""/healthz: is the database reachable, is the broker reachable."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
    """200 while the database answers (a dead broker only degrades routing); 503 otherwise."""
    database, broker = database_status(), broker_status()
    status = "down" if database != "ok" else ("degraded" if broker == "down" else "ok")
    return JsonResponse({"status": status, "database": database, "broker": broker},
                        status=503 if status == "down" else 200)
