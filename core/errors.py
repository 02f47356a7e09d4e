"""Coded application errors.

Services raise ``ApplicationError(code=..., message=..., field=...)``; form views put it on
the form with :func:`core.forms.form_add_application_error`, the API layer's exception handler
turns it into a JSON answer with the error's HTTP status. This module imports no project app
and no web framework beyond Django itself, so every layer may raise these.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404


class ApplicationError(Exception):
    """A business rule said no. ``code`` is stable (an app's error enum); ``message`` is
    translated for the person; ``field`` names the input the error is about, if any."""

    http_status: int = 400

    def __init__(
        self,
        *,
        code: str | StrEnum,
        message: Any,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class NotFoundError(ApplicationError, Http404):
    http_status = 404


class ForbiddenError(ApplicationError, PermissionDenied):
    http_status = 403


class PayloadTooLargeError(ApplicationError):
    """The request body is larger than the endpoint accepts."""

    http_status = 413


class ConflictError(ApplicationError):
    """The request is valid but the object's state does not allow it now."""

    http_status = 409
