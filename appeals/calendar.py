"""The Chinese working calendar the SLA clocks count with, read from the dated table that
compliance keeps in the admin (``CalendarYear`` / ``CalendarDay``), held in memory per process.

A year is *official* once the State Council's arrangement for it is entered and checked. For a
year that is not, only the law is certain: the festival days of the Measures on National
Holidays are rest days; where the in-lieu days (补假) fall, which weekdays are bridged (调休) and
which weekends become working days are the arrangement's to decide. A deadline counted through
such a year errs on the customer's side, so the customer never loses time however the
arrangement turns out:

* ``Favour.LENDER_DUTY`` — a time limit the lender must meet (acknowledge or answer a dispute,
  complaint or appeal). Only the certain rest days are skipped: statutory festival days and
  weekends. Provisional days (in-lieu days, 调休 rest days) count as working days and any make-up
  working day already entered counts as working, so the deadline comes no later than the
  arrangement will make it (earlier, if anything).
* ``Favour.CUSTOMER_WINDOW`` — a period the customer is given (to respond, to pay, to object).
  Every holiday row counts as a rest day, provisional or not, and a make-up weekend does not
  count as working until the year is official, so the window is no shorter than the
  arrangement will make it.

Residual risk, which the system check and the staff banner exist to close: an arrangement may
add a make-up working weekend inside a lender's window that outnumbers the rest days it adds
there, making the official deadline a day earlier than the provisional one. Compliance enters
each year when the State Council publishes it (usually in November of the year before).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import DatabaseError, transaction

# Other processes see an edit within this many seconds; the editing process at once.
CACHE_SECONDS = 60.0


class Favour(StrEnum):
    LENDER_DUTY = "lender_duty"
    CUSTOMER_WINDOW = "customer_window"


@dataclass(frozen=True)
class Calendar:
    official_years: frozenset[int]
    # date → (kind, basis) for dates that differ from the plain week
    days: dict[dt.date, tuple[str, str]]

    def is_official(self, year: int) -> bool:
        return year in self.official_years

    def is_working_day(self, day: dt.date, favour: Favour = Favour.LENDER_DUTY) -> bool:
        weekday = day.weekday() < 5
        row = self.days.get(day)
        if row is None:
            return weekday
        kind, basis = row
        if day.year in self.official_years:
            return kind == "workday"
        if favour == Favour.LENDER_DUTY:
            if kind == "workday":
                return True
            return weekday and basis != "statutory"
        return weekday and kind != "holiday"

    def unofficial_years(self, first: dt.date, last: dt.date) -> list[int]:
        """The years from ``first`` to ``last`` (inclusive) whose arrangement is not official."""
        return [year for year in range(first.year, last.year + 1) if year not in self.official_years]


_lock = threading.Lock()
_cached: tuple[float, Calendar] | None = None


def _load() -> Calendar | None:
    from .models import CalendarDay, CalendarYear

    try:
        official = frozenset(CalendarYear.objects.filter(official=True).values_list("year", flat=True))
        days = {row[0]: (row[1], row[2]) for row in CalendarDay.objects.values_list("date", "kind", "basis")}
    except DatabaseError:  # before the tables exist (first migrate)
        return None
    return Calendar(official, days)


def calendar_get() -> Calendar:
    """The calendar as of at most ``CACHE_SECONDS`` ago (two queries per process and minute).
    Before the tables exist: the plain week, not kept."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    with _lock:
        if _cached is None or now - _cached[0] >= CACHE_SECONDS:
            loaded = _load()
            if loaded is None:
                return Calendar(frozenset(), {})
            _cached = (now, loaded)
        return _cached[1]


def calendar_drop() -> None:
    """Drop this process's copy: the next read loads the table again."""
    global _cached
    _cached = None


def calendar_forget() -> None:
    """Drop this process's copy now (the editing request sees its change) and again after the
    surrounding transaction commits (so no copy read from the uncommitted rows survives)."""
    calendar_drop()
    transaction.on_commit(calendar_drop)


def unofficial_years_for(spans: Iterable[tuple[dt.date, dt.date]]) -> list[int]:
    """The not-official years any of the date spans (counting start, deadline) touches."""
    calendar = calendar_get()
    found: set[int] = set()
    for first, last in spans:
        found.update(calendar.unofficial_years(first, last))
    return sorted(found)
