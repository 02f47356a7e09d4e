"""Business dates: the calendar day a business event belongs to, in the project's zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def business_today() -> dt.date:
    """Today's business date (local date in ``TIME_ZONE``); services take it explicitly."""
    return timezone.localdate()


def business_yesterday() -> dt.date:
    """The last complete business day: the nightly batch runs for it."""
    return business_today() - dt.timedelta(days=1)


def aware_start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the project's zone, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def business_date_of(moment: dt.datetime) -> dt.date:
    """The business date an instant belongs to (local date in ``TIME_ZONE``)."""
    return timezone.localdate(moment)
