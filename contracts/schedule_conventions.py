"""The conventions a repayment schedule is drawn up in (pure, exact Decimal, no database).

* **Periods** (``every`` x ``unit``): every N months, weeks or days after the first due date.
  Months keep the first due date's day, clamped to short months (31 Jan -> 28 Feb -> 31 Mar);
  with the **month-end roll** a first due date on the last day of its month keeps month ends
  (30 Apr -> 31 May -> 30 Jun).
* **Day counts** turn a period into a fraction of a year; the period's interest is
  balance x annual rate x that fraction:

  - ``30/360``: a whole period of N months is N/12 (the classic rate/12); weeks and days are
    their actual days over 360; a broken (shorter or longer) first period of a monthly schedule
    counts its whole months back from the first due date, plus the remaining days as a share of
    the calendar month they fall in (Fineract's rule: 8 Jan -> 1 Feb is 24/31 of a month);
  - ``actual/365``, ``actual/364``, ``actual/360``: actual days over 365, 364 or 360;
  - ``actual/actual`` (ISDA): the days falling in each calendar year over that year's length
    (365 or 366), summed.
* **Rounding** of cents: ``half_up`` (0.005 -> 0.01) or ``half_even`` (banker's: 0.005 -> 0.00,
  0.015 -> 0.02).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

MONTHS_PER_YEAR = 12
MONEY_PLACES = Decimal("0.01")


class DayCount(enum.StrEnum):
    THIRTY_360 = "30/360"
    ACTUAL_365 = "actual/365"
    ACTUAL_364 = "actual/364"
    ACTUAL_360 = "actual/360"
    ACTUAL_ACTUAL = "actual/actual"


class PeriodUnit(enum.StrEnum):
    MONTH = "month"
    WEEK = "week"
    DAY = "day"


class Rounding(enum.StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"


class InstallmentRounding(enum.StrEnum):
    NEAREST = "nearest"
    UP = "up"


_DECIMAL_ROUNDING = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.HALF_EVEN: ROUND_HALF_EVEN}
_FIXED_YEAR_DAYS = {DayCount.ACTUAL_365: 365, DayCount.ACTUAL_364: 364, DayCount.ACTUAL_360: 360}
# Periods per year of a period unit, for the annualised rate (a year of weeks is 52 of them).
_PERIODS_PER_YEAR = {PeriodUnit.MONTH: 12, PeriodUnit.WEEK: 52, PeriodUnit.DAY: 365}


def round_money(value: Decimal, rounding: Rounding) -> Decimal:
    """``value`` to cents by ``rounding``; never "-0.00"."""
    result = value.quantize(MONEY_PLACES, rounding=_DECIMAL_ROUNDING[rounding])
    return result.copy_abs() if result.is_zero() else result


def round_to_multiple(value: Decimal, multiple: Decimal, mode: InstallmentRounding, rounding: Rounding) -> Decimal:
    """``value`` as a whole number of ``multiple``: the nearest one (ties by ``rounding``), or
    the next one up."""
    units = value / multiple
    how = ROUND_CEILING if mode is InstallmentRounding.UP else _DECIMAL_ROUNDING[rounding]
    rounded = units.quantize(Decimal(1), rounding=how)
    if rounded == 0:
        # Rounding a positive installment down to nothing would never repay: keep it in cents.
        return round_money(value, rounding)
    return round_money(rounded * multiple, rounding)


def is_month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def add_months(d: dt.date, n: int, day: int | None = None) -> dt.date:
    """The date ``n`` months after ``d`` on ``day`` (default ``d.day``), clamped to the last day
    of the target month.

    Callers pass the first due date's day so that one short month does not drag every later due
    date back (31 Jan -> 28 Feb -> 31 Mar, not 28 Mar).
    """
    anchor = d.day if day is None else day
    if not 1 <= anchor <= 31:
        raise ValueError(f"day must be between 1 and 31, got {anchor}")
    year, month_index = divmod(d.year * MONTHS_PER_YEAR + d.month - 1 + n, MONTHS_PER_YEAR)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"due date year {year} is out of range")
    month = month_index + 1
    return dt.date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def _shift(first_due: dt.date, periods: int, every: int, unit: PeriodUnit, month_end_roll: bool) -> dt.date:
    if unit is PeriodUnit.MONTH:
        anchor = 31 if month_end_roll and is_month_end(first_due) else first_due.day
        return add_months(first_due, periods * every, anchor)
    days = periods * every * (7 if unit is PeriodUnit.WEEK else 1)
    try:
        return first_due + dt.timedelta(days=days)
    except OverflowError:
        raise ValueError("a due date is out of range") from None


def due_dates(first_due: dt.date, count: int, every: int, unit: PeriodUnit, month_end_roll: bool) -> list[dt.date]:
    """The ``count`` due dates from ``first_due``, one period apart (always counted from the first
    due date, so a clamped short month never drags the later ones back)."""
    return [_shift(first_due, k, every, unit, month_end_roll) for k in range(count)]


def period_before(first_due: dt.date, every: int, unit: PeriodUnit, month_end_roll: bool) -> dt.date:
    """The start of a full first period: one period before the first due date."""
    return _shift(first_due, -1, every, unit, month_end_roll)


def broken_months(disbursed: dt.date, first_due: dt.date, month_end_roll: bool) -> Decimal:
    """The first period from ``disbursed`` to ``first_due`` in months: the whole months counted
    back from the first due date by the schedule's date rule, plus the remaining days over the
    length of the month they fall in."""
    whole = 0
    while _shift(first_due, -(whole + 1), 1, PeriodUnit.MONTH, month_end_roll) >= disbursed:
        whole += 1
    boundary = _shift(first_due, -whole, 1, PeriodUnit.MONTH, month_end_roll)
    previous = _shift(first_due, -(whole + 1), 1, PeriodUnit.MONTH, month_end_roll)
    return whole + Decimal((boundary - disbursed).days) / (boundary - previous).days


def _actual_actual(start: dt.date, end: dt.date) -> Decimal:
    fraction = Decimal(0)
    cursor = start
    while cursor < end:
        year_end = dt.date(cursor.year + 1, 1, 1)
        stop = min(end, year_end)
        fraction += Decimal((stop - cursor).days) / (366 if calendar.isleap(cursor.year) else 365)
        cursor = stop
    return fraction


def year_fraction(
    start: dt.date,
    end: dt.date,
    day_count: DayCount,
    *,
    whole_months: int | None = None,
    unit: PeriodUnit,
    month_end_roll: bool = False,
) -> Decimal:
    """The fraction of a year from ``start`` to ``end`` under ``day_count``.

    ``whole_months`` says the period is exactly that many months by the schedule's own date rule
    (30/360 then counts it as whole months, whatever the calendar days); otherwise a monthly
    period is a broken first period ending on the first due date ``end``."""
    if day_count is DayCount.THIRTY_360:
        if whole_months is not None:
            return Decimal(whole_months) / MONTHS_PER_YEAR
        if unit is PeriodUnit.MONTH:
            return broken_months(start, end, month_end_roll) / MONTHS_PER_YEAR
        return Decimal((end - start).days) / 360
    if day_count is DayCount.ACTUAL_ACTUAL:
        return _actual_actual(start, end)
    return Decimal((end - start).days) / _FIXED_YEAR_DAYS[day_count]


def periods_per_year(every: int, unit: PeriodUnit) -> Decimal:
    """How many periods of ``every`` x ``unit`` make a year (12 months, 52 weeks, 365 days)."""
    return Decimal(_PERIODS_PER_YEAR[unit]) / every


def first_period_length(
    disbursed: dt.date, first_due: dt.date, every: int, unit: PeriodUnit, month_end_roll: bool
) -> Decimal:
    """The first period's length in regular periods (1 when it is a full period; about 1.5 for
    15 Jan -> 1 Mar of a monthly schedule), in months for months (``broken_months``) and in days
    otherwise."""
    regular_start = period_before(first_due, every, unit, month_end_roll)
    if disbursed == regular_start:
        return Decimal(1)
    if unit is PeriodUnit.MONTH:
        return broken_months(disbursed, first_due, month_end_roll) / every
    return Decimal((first_due - disbursed).days) / (first_due - regular_start).days
