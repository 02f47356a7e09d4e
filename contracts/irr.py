"""The annualised rate of a contract by the internal-rate-of-return method (pure, Decimal).

PBOC announcement No. 3 of 2021 requires lenders to show the annualised rate of a loan computed
over its actual cash flows by the IRR method. Here:

* the cash flows are the disbursement (negative, period 0) and each scheduled installment,
  principal + interest + any fee charged with it (positive, periods 1..n): one period per month,
  equally spaced, the convention of the announcement's worked examples;
* the periodic rate r solves NPV(r) = sum(c_k / (1 + r)^k) = 0, found by Newton's method in
  Decimal arithmetic (50 digits), falling back to bisection when a Newton step leaves the
  bracket, so the result is deterministic to the last digit;
* the annualised rate is nominal: r x periods per year (12 for monthly installments, 52 for
  weekly; ``contracts.schedules.schedule_apr`` passes the schedule's own, and the spacing of a
  broken first period), which is what the announcement displays; the effective rate
  (1 + r)^12 - 1 is not used.

The result equals ``numpy_financial.irr(flows) * 12`` to far better than 1e-6
(``tests/contracts/test_irr.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext

PRECISION = 50
PERIODS_PER_YEAR = 12
# Results are kept to 12 decimal places of the rate (the display shows two places of a percent).
RESULT_PLACES = Decimal("1e-12")
_TOLERANCE = Decimal("1e-30")
_MAX_ITERATIONS = 200
# The periodic rate is searched in (-99.99 %, 10000 %): no consumer contract lies outside.
_LOW = Decimal("-0.9999")
_HIGH = Decimal("100")


class IrrUndefined(ValueError):
    """The cash flows have no internal rate of return (no sign change, or nothing lent)."""


def _npv(rate: Decimal, flows: Sequence[Decimal], times: Sequence[Decimal] | None = None) -> tuple[Decimal, Decimal]:
    """NPV and its derivative at ``rate`` (Horner's scheme in v = 1 / (1 + rate) when the flows
    are one period apart; otherwise flow k at ``times[k]`` periods)."""
    if times is not None:
        base = 1 + rate
        value = sum((c * base**-t for c, t in zip(flows, times, strict=True)), Decimal(0))
        slope = sum((-t * c * base ** (-t - 1) for c, t in zip(flows, times, strict=True)), Decimal(0))
        return value, slope
    v = 1 / (1 + rate)
    value = Decimal(0)
    slope = Decimal(0)
    for k in range(len(flows) - 1, -1, -1):
        # value(v) = sum c_k v^k; d value / d rate = -sum k c_k v^(k+1)
        slope = slope * v + k * flows[k]
        value = value * v + flows[k]
    return value, -slope * v


def periodic_irr(flows: Sequence[Decimal], times: Sequence[Decimal] | None = None) -> Decimal:
    """The periodic rate r with NPV(r) = 0, to ``RESULT_PLACES``.

    ``flows[0]`` is the disbursement (negative); the rest are receipts, one period apart unless
    ``times`` gives each flow's time in periods (a broken first period: 0, 1.5, 2.5, ...).
    Raises ``IrrUndefined`` when no rate in the search range gives NPV = 0.
    """
    if len(flows) < 2 or flows[0] >= 0 or all(c <= 0 for c in flows[1:]):
        raise IrrUndefined("the cash flows need a disbursement followed by repayments")
    with localcontext(prec=PRECISION):
        values = [Decimal(c) for c in flows]
        at = None if times is None or all(Decimal(t) == k for k, t in enumerate(times)) else [Decimal(t) for t in times]
        low, high = _LOW, _HIGH
        f_low, _ = _npv(low, values, at)
        f_high, _ = _npv(high, values, at)
        if f_low.is_signed() == f_high.is_signed() and f_low != 0 and f_high != 0:
            raise IrrUndefined("no rate in range sets the net present value to zero")
        rate = Decimal(0)
        for _ in range(_MAX_ITERATIONS):
            value, slope = _npv(rate, values, at)
            if abs(value) <= _TOLERANCE:
                break
            # Keep a bracket [low, high] around the root; NPV falls as the rate rises here.
            if value.is_signed() == f_low.is_signed():
                low, f_low = rate, value
            else:
                high = rate
            step = rate - value / slope if slope != 0 else None
            rate = step if step is not None and low < step < high else (low + high) / 2
            if high - low <= _TOLERANCE:
                break
        return rate.quantize(RESULT_PLACES, rounding=ROUND_HALF_UP)


def annualised_rate(
    flows: Sequence[Decimal],
    *,
    periods_per_year: Decimal | int = PERIODS_PER_YEAR,
    times: Sequence[Decimal] | None = None,
) -> Decimal:
    """The nominal annual rate by the IRR method: periodic IRR x periods per year (12 for
    monthly installments, 52 for weekly, 26 for bi-weekly)."""
    with localcontext(prec=PRECISION):
        rate = periodic_irr(flows, times) * Decimal(periods_per_year)
    return rate.quantize(RESULT_PLACES, rounding=ROUND_HALF_UP)


def schedule_flows(principal: Decimal, installments: Sequence[Decimal]) -> list[Decimal]:
    """Cash flows of a schedule: the principal lent out, then each installment's total."""
    return [-principal, *installments]
