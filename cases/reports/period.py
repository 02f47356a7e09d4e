"""The date range of a report: parsed from the page's filter, bounded, with its month ends."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.dates import business_today

DEFAULT_MONTHS = 12
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def month_ends(self) -> list[dt.date]:
        """Each month's last day inside the period, and the period's end if it is not one:
        the days the portfolio is looked at ("as of")."""
        days = []
        year, month = self.start.year, self.start.month
        while True:
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            if last > self.end:
                break
            if last >= self.start:
                days.append(last)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if not days or days[-1] != self.end:
            days.append(self.end)
        return days

    def months(self) -> list[str]:
        """ "YYYY-MM" of every month the period touches."""
        return sorted({f"{d:%Y-%m}" for d in self.month_ends()} | {f"{self.start:%Y-%m}"})


def default_period(today: dt.date | None = None) -> Period:
    """The last twelve whole months and this month up to the last closed day (yesterday)."""
    end = (today or business_today()) - dt.timedelta(days=1)
    year, month = end.year, end.month - DEFAULT_MONTHS
    while month <= 0:
        year, month = year - 1, month + 12
    return Period(start=dt.date(year, month, 1), end=end)


def period_parse(raw_start: str | None, raw_end: str | None, *, today: dt.date | None = None) -> tuple[Period, str]:
    """The period a page asked for, and an error to show ("" if none). A bad or empty value
    keeps the default; an end before the start, or a range longer than three years, is
    refused with the default shown."""
    fallback = default_period(today)
    try:
        start = dt.date.fromisoformat(raw_start) if raw_start else fallback.start
        end = dt.date.fromisoformat(raw_end) if raw_end else fallback.end
    except ValueError:
        return fallback, _("Enter dates as YYYY-MM-DD.")
    if end < start:
        return fallback, _("The end of the period is before its start.")
    if (end - start).days > MAX_DAYS:
        return fallback, _("A report covers at most three years.")
    return Period(start=start, end=end), ""
