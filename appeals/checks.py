"""System checks for the holiday calendar: warn while this year or next has no official
arrangement entered, since SLA deadlines counted into it are then provisional."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, register
from django.core.checks import Warning as CheckWarning
from django.utils import timezone

from .calendar import calendar_get


@register()
def holiday_calendar_official(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    calendar = calendar_get()
    if not calendar.official_years and not calendar.days:
        return []  # no table yet (before the first migrate)
    this_year = timezone.localdate().year
    return [
        CheckWarning(
            f"The holiday calendar for {year} is not official: SLA deadlines counted into {year} are provisional"
            " (statutory holidays only; lenders' deadlines err early).",
            hint="Enter the State Council's arrangement for the year in the admin (Holiday calendar years) and"
            " mark it official; see docs/OPERATIONS.md.",
            obj=f"calendar {year}",
            id="appeals.W001",
        )
        for year in (this_year, this_year + 1)
        if not calendar.is_official(year)
    ]
