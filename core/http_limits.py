"""Size and depth limits for API request bodies, checked before anything is parsed.

``ApiBodyLimitMiddleware`` answers 413 under ``/api/`` when the declared ``Content-Length``
is above the limit for the body's kind; ``LimitedJSONParser`` (the API's JSON parser) reads
at most the limit from the stream, whatever the header said, and refuses JSON nested deeper
than ``API_MAX_JSON_DEPTH`` with a coded 400 instead of a crash.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import IO, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from .codes import CoreError
from .errors import ApplicationError, PayloadTooLargeError

API_PREFIX = "/api/"


def api_max_body_bytes() -> int:
    """Largest JSON or form body an API accepts."""
    return int(getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024))


def api_max_upload_bytes() -> int:
    """Largest multipart body an API accepts (evidence files and their form fields)."""
    return int(getattr(settings, "API_MAX_UPLOAD_BYTES", 27 * 1024 * 1024))


def api_max_json_depth() -> int:
    return int(getattr(settings, "API_MAX_JSON_DEPTH", 32))


def _limit_for(content_type: str) -> int:
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        return api_max_upload_bytes()
    return api_max_body_bytes()


def too_large_error(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        code=CoreError.REQUEST_TOO_LARGE,
        message=_("The request is too large: at most %(kb)s KB are accepted.") % {"kb": limit // 1024},
        extra={"limit": limit},
    )


def too_deep_error(limit: int) -> ApplicationError:
    return ApplicationError(
        code=CoreError.JSON_TOO_DEEP,
        message=_("The JSON is nested too deeply: at most %(depth)s levels are accepted.") % {"depth": limit},
        extra={"limit": limit},
    )


class ApiBodyLimitMiddleware:
    """413 for an API request whose declared body is above its limit (read nothing of it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            limit = _limit_for(request.META.get("CONTENT_TYPE", ""))
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                error = too_large_error(limit)
                body = {"code": error.code, "message": str(error.message), **error.extra}
                return JsonResponse(body, status=error.http_status)
        return self.get_response(request)


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """The whole stream, or a 413 error as soon as it is longer than ``limit``."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large_error(limit)
    return data


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests lists/objects deeper than ``limit`` (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser with a byte limit on what it reads and a nesting limit on what it
    returns (the default JSON parser of every API view)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        raw = read_limited(stream, api_max_body_bytes())
        depth = api_max_json_depth()
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise too_deep_error(depth) from exc
        if json_depth_exceeds(data, depth):
            raise too_deep_error(depth)
        return data
