"""SLA clocks. Business days follow the Chinese working calendar (holidays and the make-up
working weekends, 调休) from the maintained ``chinese_calendar`` package; US clocks use
Monday–Friday."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import chinese_calendar

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def is_business_day(day: dt.date, jurisdiction: str) -> bool:
    if jurisdiction == "CN":
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package does not know yet: weekdays
            return day.weekday() < 5
    return day.weekday() < 5


def add_business_days(day: dt.date, days: int, jurisdiction: str) -> dt.date:
    """The date ``days`` business days after ``day`` (``day`` itself does not count)."""
    current = day
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current, jurisdiction):
            remaining -= 1
    return current


def deadline(start: dt.datetime, *, days: int, business_days: bool, jurisdiction: str, zone: str) -> dt.datetime:
    """End of the last allowed day (23:59:59 local) counted from the day of ``start``."""
    tz = zoneinfo.ZoneInfo(zone)
    local = start.astimezone(tz)
    if business_days:
        last = add_business_days(local.date(), days, jurisdiction)
    else:
        last = local.date() + dt.timedelta(days=days)
    return dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)


DEFAULT_POLICIES = {
    # (jurisdiction): (acknowledge business days, resolve days, resolve counts business days)
    "CN": (1, 15, True),
    "US-REGF": (1, 30, False),
}
