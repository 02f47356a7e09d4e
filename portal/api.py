"""The API layer's answer to every error: one JSON shape for every API view.

``{"code": ..., "message": ..., "field": ..., "field_errors": {...}}`` with the error's HTTP
status: coded service errors (400, 403, 404, 409), and DRF's own (validation 400 with every
field's messages, 401, 403, 404, 405, 406, 415, 429) in the same shape.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ApplicationError


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        result: dict[str, list[str]] = {}
        for name, value in detail.items():
            nested = _flatten(value)
            if set(nested) == {""}:
                result[str(name)] = nested[""]
            else:
                for sub, messages in nested.items():
                    result[f"{name}.{sub}" if sub else str(name)] = messages
        return result
    if isinstance(detail, list):
        plain: list[str] = []
        merged: dict[str, list[str]] = {}
        for index, item in enumerate(detail):
            if isinstance(item, dict | list) and not isinstance(item, str):
                for sub, sub_messages in _flatten(item).items():
                    merged[f"{index}.{sub}" if sub else str(index)] = sub_messages
            else:
                plain.append(str(item))
        if plain:
            merged.setdefault("", []).extend(plain)
        return merged
    return {"": [str(detail)]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"code": exc.code, "message": str(exc.message), **exc.extra}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        # A model's own validation (full_clean in a service): the same 400 as a serializer's.
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field_errors = _flatten(exc.detail)
        general = field_errors.pop("", []) + field_errors.pop("non_field_errors", [])
        body = {
            "code": "invalid",
            "message": general[0] if general else _("Some fields are not valid."),
            "field_errors": field_errors,
        }
        if general and len(general) > 1:
            body["field_errors"]["non_field_errors"] = general
        if len(field_errors) == 1:
            body["field"] = next(iter(field_errors))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = detail if isinstance(detail, str) else str(next(iter(_flatten(detail).values()), [""])[0])
        body = {
            "code": str(exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code),
            "message": str(message),
        }
    elif isinstance(exc, Http404):
        body = {"code": "not_found", "message": _("Not found.")}
    elif isinstance(exc, PermissionDenied):
        body = {"code": "permission_denied", "message": _("You do not have permission to perform this action.")}
    else:  # pragma: no cover - DRF handles only the kinds above
        return response
    response.data = body
    return response
