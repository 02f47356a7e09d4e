"""Repayment schedule generation (pure functions, no database access).

Conventions shared by every method:

* monthly rate = annual rate / 12;
* interest of a period = outstanding balance x monthly rate, rounded half-up to 0.01;
* the last period pays the remaining balance exactly, so the principal column
  always sums to the financed principal;
* due dates fall monthly on the first due date's day, clamped to the month end
  (31 Jan -> 28/29 Feb -> 31 Mar).

With a fixed instalment rounded to cents, the rounding errors compound with the
interest rate, so for extreme inputs (e.g. 36% over 30 years, or 100.00 split
into 600 parts) the instalments would repay the loan before the last period.
In that case the period that would overshoot pays the remaining balance and
later periods are 0.00, which keeps every amount non-negative.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal, localcontext

from core.money import MONEY_PLACES, quantize_money

MONTHS_PER_YEAR = 12
MIN_TERM = 1
MAX_TERM = 600
MIN_ANNUAL_RATE = Decimal("0")
MAX_ANNUAL_RATE = Decimal("1")
# Fits a DecimalField(max_digits=17, decimal_places=2); also keeps every
# intermediate product well inside the calculation precision.
MAX_PRINCIPAL = Decimal("999999999999999.99")
# The annuity factor (1 + r)^-n needs far more digits than the default 28 to
# stay exact to the cent over 600 periods.
CALC_PRECISION = 50


class ScheduleMethod(enum.StrEnum):
    ANNUITY = "annuity"  # 等额本息: equal total instalments
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金: equal principal parts
    BNPL = "bnpl"  # N equal interest-free parts
    SUBSCRIPTION = "subscription"  # the same fee every period


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    seq: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


def add_months(d: dt.date, n: int, day: int | None = None) -> dt.date:
    """Return the date ``n`` months after ``d`` on ``day`` (default ``d.day``),
    clamped to the last day of the target month.

    Callers pass the first due date's day so that one short month does not
    drag every later due date back (31 Jan -> 28 Feb -> 31 Mar, not 28 Mar).
    """
    anchor = d.day if day is None else day
    if not 1 <= anchor <= 31:
        raise ValueError(f"day must be between 1 and 31, got {anchor}")
    year, month_index = divmod(d.year * MONTHS_PER_YEAR + d.month - 1 + n, MONTHS_PER_YEAR)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"due date year {year} is out of range")
    month = month_index + 1
    return dt.date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def monthly_interest(balance: Decimal, annual_rate: Decimal) -> Decimal:
    """Interest for one month on ``balance``, rounded half-up to 0.01."""
    with localcontext(prec=CALC_PRECISION):
        # Multiply before dividing: balance x rate is exact, so a true tie such as
        # 0.60 x 0.10 / 12 = 0.005 rounds up instead of landing on 0.00499...
        return quantize_money(balance * annual_rate / MONTHS_PER_YEAR)


def annuity_payment(principal: Decimal, annual_rate: Decimal, term: int) -> Decimal:
    """Level instalment P*r / (1 - (1 + r)^-n), rounded half-up to 0.01.

    A zero rate degenerates to principal / n, like equal principal.
    """
    with localcontext(prec=CALC_PRECISION):
        if annual_rate == 0:
            return quantize_money(principal / term)
        rate = annual_rate / MONTHS_PER_YEAR
        return quantize_money(principal * rate / (1 - (1 + rate) ** -term))


def build_schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term: int,
    method: ScheduleMethod | str,
    first_due: dt.date,
) -> list[ScheduleLine]:
    """Build a ``term``-line repayment schedule.

    For ``subscription`` the ``principal`` is the periodic fee: every line has
    principal = fee and interest = 0, so the column sums to fee x term.
    ``annual_rate`` is validated but ignored by ``bnpl`` and ``subscription``.
    Raises ``ValueError`` (or ``TypeError`` for wrong types) on invalid input.
    """
    principal = _validate_principal(principal)
    annual_rate = _validate_annual_rate(annual_rate)
    _validate_term(term)
    method = _validate_method(method)
    due_dates = _due_dates(first_due, term)

    amounts: list[tuple[Decimal, Decimal]]
    if method is ScheduleMethod.SUBSCRIPTION:
        amounts = [(principal, Decimal("0.00"))] * term
    elif method is ScheduleMethod.BNPL:
        amounts = _level_principal(principal, Decimal(0), term)
    elif method is ScheduleMethod.EQUAL_PRINCIPAL or annual_rate == 0:
        # A zero-rate annuity is principal / n, exactly like equal principal.
        amounts = _level_principal(principal, annual_rate, term)
    else:
        amounts = _annuity(principal, annual_rate, term)

    return [
        ScheduleLine(seq=seq, due_date=due, principal=part, interest=interest)
        for seq, (due, (part, interest)) in enumerate(zip(due_dates, amounts, strict=True), start=1)
    ]


def _level_principal(principal: Decimal, annual_rate: Decimal, term: int) -> list[tuple[Decimal, Decimal]]:
    """Equal principal parts (principal / n rounded half-up) plus interest on the balance."""
    with localcontext(prec=CALC_PRECISION):
        part = quantize_money(principal / term)
    balance = principal
    lines: list[tuple[Decimal, Decimal]] = []
    for seq in range(1, term + 1):
        interest = monthly_interest(balance, annual_rate)
        # Half-up rounding of the part can make (n - 1) parts exceed the
        # principal, so never pay more than what is still outstanding.
        paid = balance if seq == term or part >= balance else part
        lines.append((paid, interest))
        balance -= paid
    return lines


def _annuity(principal: Decimal, annual_rate: Decimal, term: int) -> list[tuple[Decimal, Decimal]]:
    """Level total instalments; the principal part is payment - interest."""
    payment = annuity_payment(principal, annual_rate, term)
    balance = principal
    lines: list[tuple[Decimal, Decimal]] = []
    for seq in range(1, term + 1):
        interest = monthly_interest(balance, annual_rate)
        # payment >= round(P*r) >= interest because the balance never exceeds
        # P, so the principal part is never negative.
        paid = balance if seq == term else min(payment - interest, balance)
        lines.append((paid, interest))
        balance -= paid
    return lines


def _due_dates(first_due: dt.date, term: int) -> list[dt.date]:
    # datetime is a date subclass; accepting it would silently drop the time.
    if not isinstance(first_due, dt.date) or isinstance(first_due, dt.datetime):
        raise TypeError(f"first_due must be a date, not {type(first_due).__name__}")
    return [add_months(first_due, offset, first_due.day) for offset in range(term)]


def _validate_principal(principal: Decimal) -> Decimal:
    value = _as_decimal(principal, "principal")
    if value <= 0:
        raise ValueError("principal must be greater than 0")
    if value > MAX_PRINCIPAL:
        raise ValueError(f"principal must not exceed {MAX_PRINCIPAL}")
    with localcontext(prec=CALC_PRECISION):
        if value != value.quantize(MONEY_PLACES):
            raise ValueError("principal must have at most 2 decimal places")
    return quantize_money(value)


def _validate_annual_rate(annual_rate: Decimal) -> Decimal:
    value = _as_decimal(annual_rate, "annual rate")
    if not MIN_ANNUAL_RATE <= value <= MAX_ANNUAL_RATE:
        raise ValueError(
            f"annual rate must be between {MIN_ANNUAL_RATE} and {MAX_ANNUAL_RATE} (e.g. 0.18 for 18%), got {value}"
        )
    return value


def _validate_term(term: int) -> None:
    if isinstance(term, bool) or not isinstance(term, int):
        raise TypeError(f"term must be an int, not {type(term).__name__}")
    if not MIN_TERM <= term <= MAX_TERM:
        raise ValueError(f"term must be between {MIN_TERM} and {MAX_TERM} periods, got {term}")


def _validate_method(method: ScheduleMethod | str) -> ScheduleMethod:
    try:
        return ScheduleMethod(method)
    except ValueError:
        expected = ", ".join(m.value for m in ScheduleMethod)
        raise ValueError(f"unknown schedule method {method!r}; expected one of: {expected}") from None


def _as_decimal(value: Decimal, name: str) -> Decimal:
    # Floats are refused outright: 0.1 is not 0.1, and money must stay exact.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number")
    return result
