"""The API layer's answer to coded errors: one JSON shape for every API view.

``{"code": ..., "message": ..., "field": ...}`` with the error's HTTP status (400, 403, 404,
409); anything else falls through to DRF's own handler.
"""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ApplicationError


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"code": exc.code, "message": str(exc.message), **exc.extra}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.http_status)
    return exception_handler(exc, context)
