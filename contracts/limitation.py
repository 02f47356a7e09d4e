"""Statutes of limitations: when a US debt becomes time-barred (12 CFR 1006.26(b)). Pure.

A debt collector must not sue, or threaten to sue, on a time-barred debt. Whether a debt is
time-barred follows from three things the database holds and this module only combines:

- the **period**: the row of the dated table (``LimitationPeriod``) for the contract's governing
  state and debt type that is in force on the day judged (a suit filed that day is governed by
  the period then in force), in whole years; when several rows overlap the shortest wins (the
  customer's side);
- the **accrual date**: the due date of the oldest installment still unpaid on the day judged;
  where the row says a payment revives (restarts) the period, the latest payment on or before
  that day when it is later;
- the **manual flag** staff set on a contract (``Contract.time_barred_flag``), the only way a
  debt without a known period counts as time-barred.

``time_barred_on`` is the first day the debt is time-barred: the day after the anniversary of
the accrual date ``years`` later (a suit may still be filed on the anniversary itself); an
accrual on 29 February has its anniversary on 28 February of a common year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Period:
    """One row of the limitation table, as plain values."""

    jurisdiction: str
    debt_type: str
    years: int
    revived_by_payment: bool
    citation: str
    effective_from: dt.date | None = None  # None: in force before anything the table records
    effective_to: dt.date | None = None  # None: still in force (inclusive otherwise)

    def in_force(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


@dataclass(frozen=True, slots=True)
class LimitationFacts:
    """What the database says about one contract, for the day judged."""

    governing_state: str | None
    debt_type: str
    first_unpaid_due: dt.date | None
    last_payment: dt.date | None = None
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class Limitation:
    """A contract's limitation position on ``on_date``."""

    on_date: dt.date
    governing_state: str | None
    period: Period | None
    accrual_date: dt.date | None
    time_barred_on: dt.date | None
    flagged: bool

    @property
    def applies(self) -> bool:
        """The contract has a US governing state (CN contracts have none)."""
        return bool(self.governing_state)

    @property
    def period_known(self) -> bool:
        return self.period is not None

    @property
    def is_time_barred(self) -> bool:
        return self.flagged or (self.time_barred_on is not None and self.on_date >= self.time_barred_on)


def period_in_force(
    periods: Iterable[Period], *, jurisdiction: str | None, debt_type: str, on_date: dt.date
) -> Period | None:
    """The row for the jurisdiction and debt type in force on ``on_date`` (the shortest if rows overlap)."""
    if not jurisdiction:
        return None
    matching = [
        p for p in periods if p.jurisdiction == jurisdiction and p.debt_type == debt_type and p.in_force(on_date)
    ]
    return min(matching, key=lambda p: p.years, default=None)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def accrual_date(
    *, first_unpaid_due: dt.date | None, last_payment: dt.date | None, revived_by_payment: bool
) -> dt.date | None:
    """When the period runs from: the oldest unpaid due date, restarted by a later payment where
    the state's rule says a payment revives the debt. No unpaid installment: nothing runs."""
    if first_unpaid_due is None:
        return None
    if revived_by_payment and last_payment is not None and last_payment > first_unpaid_due:
        return last_payment
    return first_unpaid_due


def time_barred_from(accrual: dt.date, years: int) -> dt.date:
    """The first day on which a suit is out of time: the day after the anniversary."""
    return add_years(accrual, years) + dt.timedelta(days=1)


def limitation_of(facts: LimitationFacts, periods: Iterable[Period], on_date: dt.date) -> Limitation:
    """The contract's period, accrual date and time-barred date on ``on_date``."""
    period = period_in_force(periods, jurisdiction=facts.governing_state, debt_type=facts.debt_type, on_date=on_date)
    accrual: dt.date | None = None
    barred_on: dt.date | None = None
    if period is not None:
        last_payment = facts.last_payment if facts.last_payment is not None and facts.last_payment <= on_date else None
        accrual = accrual_date(
            first_unpaid_due=facts.first_unpaid_due,
            last_payment=last_payment,
            revived_by_payment=period.revived_by_payment,
        )
        if accrual is not None:
            barred_on = time_barred_from(accrual, period.years)
    return Limitation(
        on_date=on_date,
        governing_state=facts.governing_state or None,
        period=period,
        accrual_date=accrual,
        time_barred_on=barred_on,
        flagged=facts.flagged,
    )


def time_barred_on(facts: LimitationFacts, periods: Iterable[Period], on_date: dt.date) -> dt.date | None:
    """The first day the debt is time-barred by its period (None: no period known or nothing unpaid)."""
    return limitation_of(facts, periods, on_date).time_barred_on


def is_time_barred(facts: LimitationFacts, periods: Iterable[Period], on_date: dt.date) -> bool:
    """Time-barred on ``on_date`` by its period, or flagged so by staff."""
    return limitation_of(facts, periods, on_date).is_time_barred
