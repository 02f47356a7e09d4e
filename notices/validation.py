"""Regulation F validation notices: the dates and the values the notice states (pure).

Receipt and the validation period (12 CFR 1006.34(b)(5)): the consumer is assumed to receive
the notice five days after it is sent, not counting the legal public holidays of
5 U.S.C. 6103(a), Saturdays and Sundays; the validation period ends 30 days after that
(calendar days). Holidays come from the ``holidays`` package's US federal calendar, which
also lists the days a holiday is observed on; skipping those too only lengthens the period,
on the consumer's side.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Final

import holidays

RECEIPT_DAYS: Final = 5
VALIDATION_PERIOD_DAYS: Final = 30
# 1006.34(a)(1)(i)(B): within five days after the initial communication.
SEND_WITHIN_DAYS: Final = 5
CFPB_REFERENCE: Final = "www.cfpb.gov/debt-collection"
NOTICE_LOCALES: Final = ("en", "es")
DISPUTE_REASONS: Final = ("not_mine", "amount_wrong", "other")


@cache
def _us_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("US", years=year))


def is_receipt_day(day: dt.date) -> bool:
    """A day that counts towards the assumed receipt: not a weekend, not a legal public holiday."""
    return day.weekday() < 5 and day not in _us_holidays(day.year)


def assumed_receipt(sent_on: dt.date) -> dt.date:
    """Five counted days after the notice is sent (1006.34(b)(5))."""
    day, counted = sent_on, 0
    while counted < RECEIPT_DAYS:
        day += dt.timedelta(days=1)
        if is_receipt_day(day):
            counted += 1
    return day


def validation_period_end(sent_on: dt.date) -> dt.date:
    """The end date of the validation period: 30 days after the assumed receipt."""
    return assumed_receipt(sent_on) + dt.timedelta(days=VALIDATION_PERIOD_DAYS)


def mask_account_number(number: str) -> str:
    """Only the last four characters of the account number (1006.34(c)(2)(vi) allows a
    truncated number; it keeps the rest private on a mailed page)."""
    tail = number[-4:]
    return "*" * max(len(number) - 4, 4) + tail
