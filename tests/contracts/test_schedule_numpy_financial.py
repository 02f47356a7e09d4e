"""Cross-check annuity schedules against numpy_financial.pmt / ipmt.

numpy_financial works in float and never rounds, so it is only used here as an
independent oracle. Our schedule rounds the payment and every interest amount
to cents; those rounding errors compound at (1 + r) per period, so the 0.05
tolerance only holds while (1 + r)^(n - 1) stays small. Outside that range the
test checks the exact compounding bound instead.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.schedules import ScheduleLine, ScheduleMethod, annuity_payment, build_schedule
from core.money import MONEY_PLACES

D = Decimal
INTEREST_TOLERANCE = 0.05
# Payment and interest are each rounded by at most half a cent.
HALF_CENT = 0.005
# Keeps 0.005 + 0.01 x ((1 + r)^(n - 1) - 1) <= 0.045, under the 0.05 tolerance.
MAX_GROWTH_FOR_STRICT_TOLERANCE = 5.0
FLOAT_SLACK = 1e-6

principals = st.integers(10_000, 100_000_000).map(lambda c: D(c).scaleb(-2))  # 100 .. 1,000,000
rates = st.integers(0, 3_600).map(lambda bp: D(bp).scaleb(-4))  # 0% .. 36%
terms = st.integers(1, 360)


def annuity(principal: Decimal, rate: Decimal, term: int) -> list[ScheduleLine]:
    return build_schedule(
        principal=principal, annual_rate=rate, term=term, method=ScheduleMethod.ANNUITY, first_due=dt.date(2026, 1, 15)
    )


def npf_payment_and_interest(principal: Decimal, rate: Decimal, term: int) -> tuple[float, np.ndarray]:
    monthly = float(rate) / 12
    # numpy_financial divides by the rate even when it is 0 (and then discards it).
    with np.errstate(divide="ignore", invalid="ignore"):
        payment = abs(float(npf.pmt(monthly, term, -float(principal))))
        interest = np.abs(npf.ipmt(monthly, np.arange(1, term + 1), term, -float(principal)))
    return payment, interest


def assert_payment_matches_pmt(principal: Decimal, rate: Decimal, term: int) -> None:
    payment, _ = npf_payment_and_interest(principal, rate, term)
    ours = annuity_payment(principal, rate, term)
    rounded = D(payment).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)
    if abs(payment * 100 % 1 - 0.5) < 1e-6:
        # Float noise right at a half-cent tie may round either way.
        assert abs(ours - rounded) <= D("0.01")
    else:
        assert ours == rounded

    lines = annuity(principal, rate, term)
    for i, line in enumerate(lines[:-1]):
        if line.total != ours:
            # Compounded rounding repaid the loan early: this line settles the
            # balance and nothing is due afterwards.
            assert line.total < ours
            assert all(later.total == 0 for later in lines[i + 1 :])
            break


def interest_deviations(principal: Decimal, rate: Decimal, term: int) -> list[tuple[float, float]]:
    """(|ours - ipmt|, worst case allowed by compounded cent rounding) per period."""
    _, expected = npf_payment_and_interest(principal, rate, term)
    growth = 1 + float(rate) / 12
    return [
        (
            abs(float(line.interest) - float(ipmt)),
            HALF_CENT + 2 * HALF_CENT * (growth ** (line.seq - 1) - 1) + FLOAT_SLACK,
        )
        for line, ipmt in zip(annuity(principal, rate, term), expected, strict=True)
    ]


def max_strict_term(rate: Decimal) -> int:
    growth = 1 + float(rate) / 12
    if growth == 1:
        return 360
    return min(360, 1 + math.floor(math.log(MAX_GROWTH_FOR_STRICT_TOLERANCE) / math.log(growth)))


FIXED_CASES = [
    (D("10000"), D("0.18"), 12),
    (D("5000"), D("0.36"), 36),
    (D("50000"), D("0.24"), 24),
    (D("123456.78"), D("0.0435"), 60),
    (D("200000"), D("0.0588"), 240),
    (D("1000000"), D("0.049"), 360),
    (D("100"), D("0.01"), 1),
    (D("999.99"), D("0.0001"), 7),
    (D("1000"), D("0"), 10),
]


@pytest.mark.parametrize(("principal", "rate", "term"), FIXED_CASES)
def test_fixed_cases_match_numpy_financial(principal: Decimal, rate: Decimal, term: int) -> None:
    assert_payment_matches_pmt(principal, rate, term)
    lines = annuity(principal, rate, term)
    payment = annuity_payment(principal, rate, term)
    assert all(line.total == payment for line in lines[:-1])
    for deviation, _ in interest_deviations(principal, rate, term):
        assert deviation <= INTEREST_TOLERANCE


def test_example_matches_numpy_financial_closely() -> None:
    assert annuity_payment(D("10000"), D("0.18"), 12) == D("916.80")  # pmt = 916.7999...
    for deviation, _ in interest_deviations(D("10000"), D("0.18"), 12):
        assert deviation <= 0.01


@settings(deadline=None)
@given(principal=principals, rate=rates, term=terms)
def test_payment_is_pmt_rounded_half_up(principal: Decimal, rate: Decimal, term: int) -> None:
    assert_payment_matches_pmt(principal, rate, term)


@st.composite
def well_conditioned_loans(draw: st.DrawFn) -> tuple[Decimal, Decimal, int]:
    rate = draw(rates)
    return draw(principals), rate, draw(st.integers(1, max_strict_term(rate)))


@settings(deadline=None)
@given(loan=well_conditioned_loans())
def test_interest_within_five_cents_of_ipmt(loan: tuple[Decimal, Decimal, int]) -> None:
    # e.g. up to 54 months at 36%, 108 at 18%, 360 at 5.4% and below.
    for deviation, _ in interest_deviations(*loan):
        assert deviation <= INTEREST_TOLERANCE


@settings(deadline=None)
@given(principal=principals, rate=rates, term=terms)
def test_interest_within_compounded_rounding_bound_of_ipmt(principal: Decimal, rate: Decimal, term: int) -> None:
    for deviation, bound in interest_deviations(principal, rate, term):
        assert deviation <= bound
