"""Coded application errors and the one place that turns them into HTTP answers.

Services raise ``ApplicationError(code=..., message=...)``; form views add the message to
the form, the API handler below turns it into a 400 (or 404/403) JSON body. This module
imports no project app, so every app may use it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    http_status: int = status.HTTP_400_BAD_REQUEST

    def __init__(self, *, code: str, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class NotFoundError(ApplicationError, Http404):
    http_status = status.HTTP_404_NOT_FOUND


class ForbiddenError(ApplicationError, PermissionDenied):
    http_status = status.HTTP_403_FORBIDDEN


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": str(exc.message), **exc.extra}
        return Response(body, status=exc.http_status)
    return exception_handler(exc, context)
