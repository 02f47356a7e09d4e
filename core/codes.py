"""Stable codes of the kernel: errors raised by the request guards every app shares.
Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class CoreError(StrEnum):
    JSON_TOO_DEEP = "json_too_deep"
    REQUEST_TOO_LARGE = "request_too_large"
