"""SLA clocks. Business days follow the Chinese working calendar (holidays and the make-up
working weekends, 调休) kept in the dated table of ``appeals.calendar``; US clocks use
Monday–Friday.

Where working days are counted, and for whom (``Favour``, see ``appeals.calendar``):

* acknowledging a case (``SlaPolicy.acknowledge_business_days``) — the lender's duty;
* resolving it (``SlaPolicy.resolve_days`` when ``resolve_in_business_days``), also after an
  appeal — the lender's duty.

Every other period in the portal (grace days, the suspension notice, plan-break days, ladder
offsets) counts calendar days and does not depend on the working calendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from .calendar import Favour, calendar_get

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def is_business_day(day: dt.date, jurisdiction: str, favour: Favour = Favour.LENDER_DUTY) -> bool:
    if jurisdiction == "CN":
        return calendar_get().is_working_day(day, favour)
    return day.weekday() < 5


def add_business_days(day: dt.date, days: int, jurisdiction: str, favour: Favour = Favour.LENDER_DUTY) -> dt.date:
    """The date ``days`` business days after ``day`` (``day`` itself does not count)."""
    current = day
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_business_day(current, jurisdiction, favour):
            remaining -= 1
    return current


def deadline(
    start: dt.datetime,
    *,
    days: int,
    business_days: bool,
    jurisdiction: str,
    zone: str,
    favour: Favour = Favour.LENDER_DUTY,
) -> dt.datetime:
    """End of the last allowed day (23:59:59 local) counted from the day of ``start``. Through
    a year whose arrangement is not official the count errs on the customer's side: earlier for
    a lender's duty, later for a customer's window (``appeals.calendar``)."""
    tz = zoneinfo.ZoneInfo(zone)
    local = start.astimezone(tz)
    if business_days:
        last = add_business_days(local.date(), days, jurisdiction, favour)
    else:
        last = local.date() + dt.timedelta(days=days)
    return dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)


DEFAULT_POLICIES = {
    # (jurisdiction): (acknowledge business days, resolve days, resolve counts business days)
    "CN": (1, 15, True),
    "US-REGF": (1, 30, False),
}
