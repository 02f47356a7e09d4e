"""System checks for the notices app: communication records are kept at least three years
after the last collection activity (12 CFR 1006.100); a lower setting is an error."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, register
from django.core.checks import Error as CheckError

from .retention import MINIMUM_RETENTION_YEARS


@register()
def communication_retention_years(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    configured = getattr(settings, "COMMUNICATION_RETENTION_YEARS", MINIMUM_RETENTION_YEARS)
    try:
        years = int(configured)
    except (TypeError, ValueError):
        years = -1
    if years >= MINIMUM_RETENTION_YEARS:
        return []
    return [
        CheckError(
            f"COMMUNICATION_RETENTION_YEARS is {configured!r}: communication records must be kept at least "
            f"{MINIMUM_RETENTION_YEARS} years after the last collection activity (12 CFR 1006.100).",
            hint=f"Set COMMUNICATION_RETENTION_YEARS to {MINIMUM_RETENTION_YEARS} or more.",
            obj="settings.COMMUNICATION_RETENTION_YEARS",
            id="notices.E001",
        )
    ]
