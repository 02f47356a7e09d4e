"""Local-time arithmetic for the engine: seconds of the day, local midnights and UTC
offset changes (DST) in a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

_SECONDS_PER_DAY: Final = 86_400


def _seconds_of_day(local: datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def _time_seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _time_of_seconds(seconds: int) -> time:
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _offset_change_between(start: datetime, end: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant in (start, end] at which ``zone``'s UTC offset changes, if any."""
    before = start.astimezone(zone).utcoffset()
    if end.astimezone(zone).utcoffset() == before:
        return None
    low, high = start, end
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high
