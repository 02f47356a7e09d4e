"""Stable codes of the portal app: errors its services raise and actions its audit events
record. Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class PortalError(StrEnum):
    NO_LETTER = "no_letter"


class PortalAction(StrEnum):
    LOGIN_CODE_RATE_LIMITED = "auth.login_code_rate_limited"
