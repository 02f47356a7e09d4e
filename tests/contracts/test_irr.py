"""The IRR-based annual rate (``contracts.irr``) against numpy_financial.irr x 12.

numpy_financial works in float: it is the independent oracle. Our rate is Decimal (Newton with a
bisection fallback), so the two agree to float precision; 1e-6 is the acceptance bound.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.irr import IrrUndefined, annualised_rate, periodic_irr, schedule_flows
from contracts.schedules import ScheduleMethod, build_schedule

D = Decimal
TOLERANCE = 1e-6

principals = st.integers(10_000, 100_000_000).map(lambda c: D(c).scaleb(-2))  # 100 .. 1,000,000
rates = st.integers(0, 2_400).map(lambda bp: D(bp).scaleb(-4))  # 0% .. 24%
terms = st.integers(1, 120)
methods = st.sampled_from([ScheduleMethod.ANNUITY, ScheduleMethod.EQUAL_PRINCIPAL, ScheduleMethod.BNPL])


def flows_of(principal: Decimal, rate: Decimal, term: int, method: ScheduleMethod) -> list[Decimal]:
    lines = build_schedule(
        principal=principal, annual_rate=rate, term=term, method=method, first_due=dt.date(2026, 2, 1)
    )
    return schedule_flows(principal, [line.total for line in lines])


def numpy_annual(flows: list[Decimal]) -> float:
    return float(npf.irr([float(c) for c in flows])) * 12


@settings(max_examples=300, deadline=None)
@given(principal=principals, rate=rates, term=terms, method=methods)
def test_annualised_rate_matches_numpy_financial_irr_times_twelve(
    principal: Decimal, rate: Decimal, term: int, method: ScheduleMethod
) -> None:
    flows = flows_of(principal, rate, term, method)
    ours = annualised_rate(flows)
    assert abs(float(ours) - numpy_annual(flows)) < TOLERANCE, (flows, ours)


@pytest.mark.parametrize("method", [ScheduleMethod.ANNUITY, ScheduleMethod.EQUAL_PRINCIPAL, ScheduleMethod.BNPL])
@pytest.mark.parametrize(("rate", "term"), [(D("0.18"), 12), (D("0.24"), 36), (D("0.0365"), 6), (D("0"), 4)])
def test_every_schedule_method_matches(method: ScheduleMethod, rate: Decimal, term: int) -> None:
    flows = flows_of(D("10000.00"), rate, term, method)
    assert abs(float(annualised_rate(flows)) - numpy_annual(flows)) < TOLERANCE


def test_annuity_irr_is_its_nominal_rate_up_to_cent_rounding() -> None:
    flows = flows_of(D("10000.00"), D("0.18"), 12, ScheduleMethod.ANNUITY)
    assert abs(annualised_rate(flows) - D("0.18")) < D("0.00001")


def test_interest_free_bnpl_is_zero_and_an_upfront_fee_is_not() -> None:
    assert annualised_rate(flows_of(D("1000.00"), D("0"), 4, ScheduleMethod.BNPL)) == 0
    # 1,000 lent, 4 x 250 back plus a 30.00 fee with the first part: about 14.3 % a year.
    flows = [D("-1000.00"), D("280.00"), D("250.00"), D("250.00"), D("250.00")]
    ours = annualised_rate(flows)
    assert abs(float(ours) - numpy_annual(flows)) < TOLERANCE
    assert D("0.14") < ours < D("0.15")


def test_deterministic_to_the_last_digit() -> None:
    flows = flows_of(D("123456.78"), D("0.1234"), 60, ScheduleMethod.EQUAL_PRINCIPAL)
    assert len({annualised_rate(flows) for _ in range(3)}) == 1
    assert annualised_rate(flows) == (periodic_irr(flows) * 12).quantize(D("1e-12"))


@pytest.mark.parametrize(
    "flows",
    [
        [D("1000.00"), D("500.00")],  # nothing lent
        [D("-1000.00")],  # nothing repaid
        [D("-1000.00"), D("0.00"), D("-5.00")],  # no repayment at all
    ],
)
def test_flows_without_a_rate_are_refused(flows: list[Decimal]) -> None:
    with pytest.raises(IrrUndefined):
        periodic_irr(flows)
