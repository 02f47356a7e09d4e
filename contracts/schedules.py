"""Repayment schedule generation (pure functions, exact Decimal, no database access).

The conventions (periods, day counts, rounding, the month-end roll) are described in
``contracts.schedule_conventions`` and, with worked examples, in docs/SCHEDULES.md. By default a
schedule is monthly, 30/360 (rate / 12), rounded half-up to cents, its first period a full month.

Shared by every method:

* a period's interest = outstanding balance x annual rate x the period's year fraction, rounded
  to cents;
* the level installment (annuity) follows each period's own rate: it is the amount E with
  sum(E / prod(1 + r_j, j <= k)) = principal over the amortising periods, which is the textbook
  P*r / (1 - (1 + r)^-n) when every period has the same rate (Fineract's progressive schedule);
* the last period pays the remaining balance exactly, so the principal column always sums to the
  financed principal, and every row's principal + interest is its total;
* grace: ``grace_principal`` K - the first K periods pay interest only and the installment is
  level over the rest; ``grace_interest`` K - the first K periods' interest is accrued but not
  due, and falls due with period K + 1; ``interest_free`` K - the first K periods accrue nothing;
* ``fixed_payment``: the installment (annuity; the principal part for equal principal and BNPL)
  is given, and the term is however many periods it takes.

With an installment rounded (to cents, or up to a multiple), rounding errors can repay the loan
before the last period; the period that would overshoot pays the remaining balance and later
periods are 0.00, which keeps every amount non-negative.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

from core.money import MONEY_PLACES, quantize_money

from . import schedule_conventions as conv
from .schedule_conventions import DayCount, InstallmentRounding, PeriodUnit, Rounding, add_months

__all__ = [
    "MAX_PRINCIPAL",
    "MAX_TERM",
    "MIN_TERM",
    "DayCount",
    "InstallmentRounding",
    "PeriodUnit",
    "Rounding",
    "ScheduleLine",
    "ScheduleMethod",
    "ScheduleOptions",
    "add_months",
    "annuity_payment",
    "build_schedule",
    "monthly_interest",
    "schedule_apr",
]

MONTHS_PER_YEAR = 12
MIN_TERM = 1
MAX_TERM = 600
MAX_EVERY = 366
MIN_ANNUAL_RATE = Decimal("0")
MAX_ANNUAL_RATE = Decimal("1")
# Fits a DecimalField(max_digits=17, decimal_places=2); also keeps every
# intermediate product well inside the calculation precision.
MAX_PRINCIPAL = Decimal("999999999999999.99")
# The discount factors need far more digits than the default 28 to stay exact to the cent
# over 600 periods.
CALC_PRECISION = 50
ZERO = Decimal("0.00")


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


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """How a schedule is drawn up; the defaults are today's monthly, 30/360, half-up schedule."""

    disbursed: dt.date | None = None
    day_count: DayCount = DayCount.THIRTY_360
    every: int = 1
    unit: PeriodUnit = PeriodUnit.MONTH
    rounding: Rounding = Rounding.HALF_UP
    installment_multiple: Decimal | None = None
    installment_rounding: InstallmentRounding = InstallmentRounding.NEAREST
    month_end_roll: bool = False
    grace_principal: int = 0
    grace_interest: int = 0
    interest_free: int = 0
    fixed_payment: Decimal | None = None


DEFAULT_OPTIONS = ScheduleOptions()
# The principal part of period k (0-based) given the balance and the period's interest.
_PrincipalPart = Callable[[int, Decimal, Decimal], Decimal]


def monthly_interest(balance: Decimal, annual_rate: Decimal) -> Decimal:
    """Interest for one month on ``balance`` under 30/360, rounded half-up to 0.01."""
    with localcontext(prec=CALC_PRECISION):
        # Multiply before dividing: balance x rate is exact, so a true tie such as
        # 0.60 x 0.10 / 12 = 0.005 rounds up instead of landing on 0.00499...
        return quantize_money(balance * annual_rate / MONTHS_PER_YEAR)


def annuity_payment(principal: Decimal, annual_rate: Decimal, term: int) -> Decimal:
    """Level monthly instalment P*r / (1 - (1 + r)^-n), r = rate / 12, rounded half-up to 0.01.

    A zero rate degenerates to principal / n, like equal principal.
    """
    with localcontext(prec=CALC_PRECISION):
        if annual_rate == 0:
            return quantize_money(principal / term)
        rate = annual_rate / MONTHS_PER_YEAR
        return quantize_money(principal * rate / (1 - (1 + rate) ** -term))


@dataclass(frozen=True, slots=True)
class _Plan:
    """The validated inputs: dates and each period's rate (as a year-fraction numerator)."""

    principal: Decimal
    annual_rate: Decimal
    method: ScheduleMethod
    options: ScheduleOptions
    dates: list[dt.date]
    fractions: list[Decimal]  # year fraction of each period (0 when interest-free)
    term: int | None  # None: follows from the fixed payment

    def interest(self, k: int, balance: Decimal) -> Decimal:
        """Interest of period ``k`` (0-based) on ``balance``, rounded to cents."""
        with localcontext(prec=CALC_PRECISION):
            return conv.round_money(balance * self.annual_rate * self.fractions[k], self.options.rounding)


def build_schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term: int | None,
    method: ScheduleMethod | str,
    first_due: dt.date,
    options: ScheduleOptions | None = None,
) -> list[ScheduleLine]:
    """Build the repayment schedule (``term`` lines, or as many as ``options.fixed_payment`` needs).

    For ``subscription`` the ``principal`` is the periodic fee: every line has
    principal = fee and interest = 0, so the column sums to fee x term.
    ``annual_rate`` is validated but ignored by ``bnpl`` and ``subscription``.
    Raises ``ValueError`` (or ``TypeError`` for wrong types) on invalid input, including an option
    that makes no sense for the method.
    """
    plan = _plan(principal, annual_rate, term, method, first_due, options or DEFAULT_OPTIONS)
    if plan.method is ScheduleMethod.SUBSCRIPTION:
        amounts = [(plan.principal, ZERO)] * len(plan.dates)
    elif plan.method is ScheduleMethod.ANNUITY and plan.annual_rate != 0:
        amounts = _annuity(plan)
    else:
        # BNPL and a zero-rate annuity are equal principal parts without interest.
        amounts = _level_principal(plan)
    if term is not None and plan.term is None and len(amounts) != term:
        raise ValueError(
            f"a fixed payment of {plan.options.fixed_payment} repays the loan in {len(amounts)} periods, "
            f"not {term}: omit the term or give {len(amounts)}"
        )
    return [
        ScheduleLine(seq=seq, due_date=due, principal=part, interest=interest)
        for seq, (due, (part, interest)) in enumerate(zip(plan.dates, amounts, strict=False), start=1)
    ]


def schedule_apr(
    *,
    principal: Decimal,
    totals: Sequence[Decimal],
    first_due: dt.date,
    options: ScheduleOptions | None = None,
) -> Decimal:
    """The annual percentage rate of a schedule by the internal-rate-of-return method: the periodic
    IRR of (-principal at disbursement, each installment's total at its due date) x periods per
    year.

    Periods are regular, so the flows are equally spaced, except a broken first period, whose
    length in periods is its months (``broken_months``) or days over the period's. Raises
    ``contracts.irr.IrrUndefined`` when there is no rate (nothing lent or nothing repaid)."""
    from .irr import annualised_rate  # local: irr is a sibling pure module

    opts = _clean_options(options or DEFAULT_OPTIONS)
    disbursed = opts.disbursed or conv.period_before(first_due, opts.every, opts.unit, opts.month_end_roll)
    offset = conv.first_period_length(disbursed, first_due, opts.every, opts.unit, opts.month_end_roll) - 1
    times = [Decimal(0), *(offset + k for k in range(1, len(totals) + 1))]
    return annualised_rate(
        [-principal, *totals],
        periods_per_year=conv.periods_per_year(opts.every, opts.unit),
        times=times,
    )


def _plan(
    principal: Decimal,
    annual_rate: Decimal,
    term: int | None,
    method: ScheduleMethod | str,
    first_due: dt.date,
    options: ScheduleOptions,
) -> _Plan:
    principal = _validate_principal(principal)
    annual_rate = _validate_annual_rate(annual_rate)
    method = _validate_method(method)
    opts = _clean_options(options)
    _check_combination(method, opts, term)
    if opts.fixed_payment is None or term is not None:
        _validate_term(term)
    # datetime is a date subclass; accepting it would silently drop the time.
    if not isinstance(first_due, dt.date) or isinstance(first_due, dt.datetime):
        raise TypeError(f"first_due must be a date, not {type(first_due).__name__}")
    count = term if opts.fixed_payment is None and term is not None else MAX_TERM
    dates = conv.due_dates(first_due, count, opts.every, opts.unit, opts.month_end_roll)
    default_start = conv.period_before(first_due, opts.every, opts.unit, opts.month_end_roll)
    disbursed = opts.disbursed or default_start
    if disbursed >= first_due:
        raise ValueError("the disbursement date must be before the first due date")
    if opts.fixed_payment is not None and term is not None:
        _validate_term(term)
    if term is not None and opts.grace_principal >= term:
        raise ValueError("grace on principal must leave at least one period to repay the principal")
    if term is not None and opts.grace_interest >= term:
        raise ValueError("grace on interest must leave at least one period for the deferred interest")
    if term is not None and opts.interest_free > term:
        raise ValueError("the interest-free periods cannot exceed the term")
    whole_months = opts.every if opts.unit is PeriodUnit.MONTH else None
    fractions: list[Decimal] = []
    start = disbursed
    with localcontext(prec=CALC_PRECISION):
        for k, end in enumerate(dates):
            regular = whole_months if (k > 0 or disbursed == default_start) else None
            fraction = conv.year_fraction(
                start, end, opts.day_count, whole_months=regular, unit=opts.unit, month_end_roll=opts.month_end_roll
            )
            fractions.append(Decimal(0) if k < opts.interest_free else fraction)
            start = end
    return _Plan(principal, annual_rate, method, opts, dates, fractions, term if opts.fixed_payment is None else None)


def _level_installment(plan: _Plan, balance: Decimal, first: int, last: int) -> Decimal:
    """The unrounded level installment that repays ``balance`` over periods ``first..last``
    (0-based, inclusive), each period discounted at its own rate."""
    with localcontext(prec=CALC_PRECISION):
        discount = Decimal(1)
        total = Decimal(0)
        for k in range(first, last + 1):
            discount /= 1 + plan.annual_rate * plan.fractions[k]
            total += discount
        return balance / total


def _rounded_installment(plan: _Plan, raw: Decimal) -> Decimal:
    opts = plan.options
    if opts.installment_multiple is not None:
        return conv.round_to_multiple(raw, opts.installment_multiple, opts.installment_rounding, opts.rounding)
    return conv.round_money(raw, opts.rounding)


def _annuity(plan: _Plan) -> list[tuple[Decimal, Decimal]]:
    """Level total installments; the principal part is installment - interest."""
    opts = plan.options
    if opts.fixed_payment is not None:
        installment = opts.fixed_payment
    else:
        assert plan.term is not None
        installment = _rounded_installment(
            plan, _level_installment(plan, plan.principal, opts.grace_principal, plan.term - 1)
        )

    def principal_part(k: int, balance: Decimal, interest: Decimal) -> Decimal:
        if installment <= interest and opts.fixed_payment is not None and k >= opts.grace_principal:
            raise ValueError(
                f"the fixed payment {installment} does not cover period {k + 1}'s interest {interest}; "
                "the loan would never be repaid"
            )
        # A broken first period's interest can exceed the installment: it pays its interest.
        return min(max(installment - interest, ZERO), balance)

    return _amortise(plan, principal_part)


def _level_principal(plan: _Plan) -> list[tuple[Decimal, Decimal]]:
    """Equal principal parts (principal / amortising periods) plus interest on the balance."""
    opts = plan.options
    if opts.fixed_payment is not None:
        part = opts.fixed_payment
    else:
        assert plan.term is not None
        with localcontext(prec=CALC_PRECISION):
            part = _rounded_installment(plan, plan.principal / (plan.term - opts.grace_principal))

    def principal_part(k: int, balance: Decimal, interest: Decimal) -> Decimal:
        # Rounding of the part can make (n - 1) parts exceed the principal, so never pay more
        # than what is still outstanding.
        return min(part, balance)

    return _amortise(plan, principal_part)


def _amortise(plan: _Plan, principal_part: _PrincipalPart) -> list[tuple[Decimal, Decimal]]:
    """Walk the periods: interest on the balance, grace rules, the last period trues up."""
    opts = plan.options
    balance = plan.principal
    deferred = ZERO
    lines: list[tuple[Decimal, Decimal]] = []
    for k in range(len(plan.dates)):
        interest = plan.interest(k, balance) if plan.method is not ScheduleMethod.BNPL else ZERO
        last = plan.term is not None and k == plan.term - 1
        if k < opts.grace_principal:
            paid = ZERO
        elif last:
            paid = balance
        else:
            paid = principal_part(k, balance, interest)
        balance -= paid
        paid_off = plan.term is None and balance == 0
        if k < opts.grace_interest and not paid_off:
            deferred += interest
            due_interest = ZERO
        else:
            due_interest, deferred = interest + deferred, ZERO
        lines.append((paid, due_interest))
        if paid_off:
            return lines
    if plan.term is None:
        raise ValueError(f"the fixed payment does not repay the loan within {MAX_TERM} periods")
    return lines


def _clean_options(options: ScheduleOptions) -> ScheduleOptions:
    if not isinstance(options, ScheduleOptions):
        raise TypeError(f"options must be ScheduleOptions, not {type(options).__name__}")
    try:
        day_count = DayCount(options.day_count)
        unit = PeriodUnit(options.unit)
        rounding = Rounding(options.rounding)
        installment_rounding = InstallmentRounding(options.installment_rounding)
    except ValueError as exc:
        raise ValueError(f"unknown schedule option: {exc}") from None
    every = options.every
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MAX_EVERY:
        raise ValueError(f"every must be a whole number of periods between 1 and {MAX_EVERY}, got {every!r}")
    for name in ("grace_principal", "grace_interest", "interest_free"):
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERM:
            raise ValueError(f"{name.replace('_', ' ')} must be a whole number of periods from 0, got {value!r}")
    disbursed = options.disbursed
    if disbursed is not None and (not isinstance(disbursed, dt.date) or isinstance(disbursed, dt.datetime)):
        raise TypeError(f"disbursed must be a date, not {type(disbursed).__name__}")
    multiple = options.installment_multiple
    if multiple is not None:
        multiple = _as_decimal(multiple, "installment multiple")
        if multiple <= 0 or multiple != multiple.quantize(MONEY_PLACES) or multiple > MAX_PRINCIPAL:
            raise ValueError("the installment multiple must be a positive amount with at most 2 decimals")
    fixed = options.fixed_payment
    if fixed is not None:
        fixed = _validate_principal(fixed, "fixed payment")
    return replace(
        options,
        day_count=day_count,
        unit=unit,
        rounding=rounding,
        installment_rounding=installment_rounding,
        installment_multiple=multiple,
        fixed_payment=fixed,
    )


def _check_combination(method: ScheduleMethod, opts: ScheduleOptions, term: int | None) -> None:
    """Refuse options that mean nothing for ``method``, with the reason."""
    if opts.month_end_roll and opts.unit is not PeriodUnit.MONTH:
        raise ValueError("the month-end roll applies only to monthly periods (--unit month)")
    if opts.fixed_payment is not None and opts.installment_multiple is not None:
        raise ValueError("a fixed payment is already the installment: do not also round it to a multiple")
    if method is ScheduleMethod.SUBSCRIPTION:
        refused = {
            "disbursed": opts.disbursed is not None,
            "fixed payment": opts.fixed_payment is not None,
            "installment multiple": opts.installment_multiple is not None,
            "grace on principal": opts.grace_principal > 0,
            "grace on interest": opts.grace_interest > 0,
            "interest-free periods": opts.interest_free > 0,
            "a day count": opts.day_count is not DayCount.THIRTY_360,
        }
        named = [name for name, given in refused.items() if given]
        if named:
            raise ValueError(
                f"a subscription charges the same fee every period and lends nothing: {', '.join(named)} "
                "cannot apply to it"
            )
    if method is ScheduleMethod.BNPL:
        if opts.grace_interest or opts.interest_free:
            raise ValueError("BNPL parts carry no interest: grace on interest and interest-free periods cannot apply")
        if opts.day_count is not DayCount.THIRTY_360:
            raise ValueError("BNPL parts carry no interest: a day count cannot apply")
    if opts.fixed_payment is None and term is None:
        raise ValueError("term is required unless a fixed payment sets it")


def _validate_principal(principal: Decimal, name: str = "principal") -> Decimal:
    value = _as_decimal(principal, name)
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0")
    if value > MAX_PRINCIPAL:
        raise ValueError(f"{name} must not exceed {MAX_PRINCIPAL}")
    with localcontext(prec=CALC_PRECISION):
        if value != value.quantize(MONEY_PLACES):
            raise ValueError(f"{name} must have at most 2 decimal places")
    return quantize_money(value)


def _validate_annual_rate(annual_rate: Decimal) -> Decimal:
    value = _as_decimal(annual_rate, "annual rate")
    if not MIN_ANNUAL_RATE <= value <= MAX_ANNUAL_RATE:
        raise ValueError(
            f"annual rate must be between {MIN_ANNUAL_RATE} and {MAX_ANNUAL_RATE} (e.g. 0.18 for 18%), got {value}"
        )
    return value


def _validate_term(term: int | None) -> None:
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
