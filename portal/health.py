"""``/healthz`` for load balancers and operators: is the database answering, is the broker?

200 with ``{"status": "ok", ...}`` when both answer; 503 naming the part that failed. No
login, no session, no personal data, no audit event (it is polled every few seconds); the
failure's detail goes to the log, never into the answer (it may hold host names). Exempt from
the HTTPS redirect so a proxy can probe it on plain HTTP inside the network.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure is "unavailable"; logged with its cause
        logger.warning("healthz: database unavailable", exc_info=True)
        return False


def broker_ok() -> bool:
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        logger.warning("healthz: broker unavailable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": "ok" if database_ok() else "unavailable",
        "broker": "ok" if broker_ok() else "unavailable",
    }
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
