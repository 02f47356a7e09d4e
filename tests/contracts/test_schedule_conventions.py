"""Schedules in the conventions lenders configure: worked examples from public sources, one per
option, then properties over every option (principal sums exactly, rows add up, numpy-financial
agrees, due dates follow the roll rule).

Sources of the worked examples:

* [FINERACT] Apache Fineract, ``fineract-progressive-loan/src/test/java/org/apache/fineract/
  portfolio/loanproduct/calc/ProgressiveEMICalculatorTest.java`` (its MathContext rounds
  HALF_EVEN): 100.00 at 9.4822 % over 6 periods in several conventions.
* [FRAPPE] Frappe Lending, ``lending/loan_management/doctype/loan/test_loan.py::test_loan``:
  280,000 at 8.4 % over 20 months, EMI rounded up to a whole unit (``math.ceil``), then a fixed
  14,000 a month.
* [CN] The PBOC benchmark example of 630,000 over 30 years at 4.90 % (等额本息 3343.58 a month;
  等额本金 first month 4322.50, then 7.15 less each month), as published at
  http://vdgb.cn/wenda/220578.html.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import json
from decimal import Decimal
from io import StringIO

import numpy as np
import numpy_financial as npf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.schedule_conventions import DayCount, InstallmentRounding, PeriodUnit, Rounding, year_fraction
from contracts.schedules import ScheduleLine, ScheduleMethod, ScheduleOptions, build_schedule, schedule_apr

D = Decimal
FINERACT_RATE = D("0.094822")


def schedule(
    principal: str, rate: str, term: int | None, first_due: dt.date, method: str = "annuity", **options: object
) -> list[ScheduleLine]:
    return build_schedule(
        principal=D(principal),
        annual_rate=D(rate),
        term=term,
        method=method,
        first_due=first_due,
        options=ScheduleOptions(**options),  # type: ignore[arg-type]
    )


def columns(lines: list[ScheduleLine]) -> tuple[list[str], list[str], list[str]]:
    return (
        [str(line.total) for line in lines],
        [str(line.interest) for line in lines],
        [str(line.principal) for line in lines],
    )


# --- worked examples -------------------------------------------------------------------------


def test_fineract_30_360_monthly() -> None:
    # [FINERACT] testEMICalculation_disbursedAmt100_dayInYears360_daysInMonth30_repayEvery1Month
    lines = schedule("100", "0.094822", 6, dt.date(2024, 2, 1), rounding=Rounding.HALF_EVEN)
    totals, interest, principal = columns(lines)
    assert totals == ["17.13"] * 6
    assert interest == ["0.79", "0.66", "0.53", "0.40", "0.27", "0.13"]
    assert principal == ["16.34", "16.47", "16.60", "16.73", "16.86", "17.00"]


def test_fineract_actual_actual_follows_each_periods_days() -> None:
    # [FINERACT] testEMICalculation_disbursedAmt100_dayInYearsActual_daysInMonthActual_repayEvery1Month:
    # disbursed 12 Dec 2023; the first period straddles 2023 (20/365) and 2024 (11/366).
    lines = schedule(
        "100", "0.094822", 6, dt.date(2024, 1, 12), day_count=DayCount.ACTUAL_ACTUAL, rounding=Rounding.HALF_EVEN
    )
    totals, interest, principal = columns(lines)
    assert totals == ["17.13"] * 6
    assert interest == ["0.80", "0.67", "0.50", "0.41", "0.26", "0.14"]
    assert principal == ["16.33", "16.46", "16.63", "16.72", "16.87", "16.99"]
    factor = FINERACT_RATE * year_fraction(
        dt.date(2023, 12, 12), dt.date(2024, 1, 12), DayCount.ACTUAL_ACTUAL, unit=PeriodUnit.MONTH
    )
    # ISDA: 20 days of 2023 (12 Dec .. 31 Dec) over 365 and 11 of 2024 over 366.
    assert factor == FINERACT_RATE * (D(20) / 365 + D(11) / 366)


def test_fineract_actual_365_rate_factors() -> None:
    # [FINERACT] testRateFactorByRepaymentEveryMonthMethod_DayInYear365_DaysInMonthActual
    expected = ["1.00805337534", "1.00753380274", "1.00805337534", "1.00779358904", "1.00805337534", "1.00779358904"]
    starts = [dt.date(2024, m, 1) for m in range(1, 8)]
    factors = [
        round(1 + FINERACT_RATE * year_fraction(a, b, DayCount.ACTUAL_365, unit=PeriodUnit.MONTH), 11)
        for a, b in itertools.pairwise(starts)
    ]
    assert [str(f) for f in factors] == expected


def test_fineract_weekly_actual_364() -> None:
    # [FINERACT] testEMICalculation_disbursedAmt100_dayInYears364_daysInMonthActual_repayEvery1Week
    lines = schedule(
        "100",
        "0.094822",
        6,
        dt.date(2024, 1, 8),
        day_count=DayCount.ACTUAL_364,
        unit=PeriodUnit.WEEK,
        rounding=Rounding.HALF_EVEN,
    )
    totals, interest, principal = columns(lines)
    assert totals[:5] == ["16.77"] * 5
    assert interest[:4] == ["0.18", "0.15", "0.12", "0.09"]
    assert principal[:4] == ["16.59", "16.62", "16.65", "16.68"]
    assert [line.due_date for line in lines] == [dt.date(2024, 1, 8) + dt.timedelta(weeks=k) for k in range(6)]


def test_fineract_disbursed_after_the_period_start_accrues_fewer_days() -> None:
    # [FINERACT] ..._backdated_disbursement: periods from 1 Jan, the money paid out on 8 Jan; the first
    # period accrues 24/31 of a month (rate factor 0.006117548387).
    lines = schedule(
        "100", "0.094822", 6, dt.date(2024, 2, 1), disbursed=dt.date(2024, 1, 8), rounding=Rounding.HALF_EVEN
    )
    totals, interest, principal = columns(lines)
    assert totals == ["17.10"] * 6
    assert interest == ["0.61", "0.66", "0.53", "0.40", "0.27", "0.13"]
    assert principal == ["16.49", "16.44", "16.57", "16.70", "16.83", "16.97"]


def test_a_longer_first_period_accrues_more() -> None:
    full = schedule("1200", "0.12", 3, dt.date(2026, 3, 1))
    longer = schedule("1200", "0.12", 3, dt.date(2026, 3, 1), disbursed=dt.date(2026, 1, 15))
    # 15 Jan -> 1 Feb is 17/31 of January, then one whole month: 1200 x 0.01 x (1 + 17/31) = 18.58.
    assert longer[0].interest == D("18.58") and full[0].interest == D("12.00")
    assert sum(line.principal for line in longer) == D("1200.00")


def test_frappe_emi_rounded_up_to_a_whole_unit() -> None:
    # [FRAPPE] test_loan: monthly_repayment_amount == 15052; rows 4, 18 and 20; total interest 21034.
    lines = schedule(
        "280000",
        "0.084",
        20,
        dt.date(2024, 2, 1),
        installment_multiple=D("1"),
        installment_rounding=InstallmentRounding.UP,
    )
    assert {line.total for line in lines[:-1]} == {D("15052.00")}
    assert (round(lines[3].principal), round(lines[3].interest)) == (13369, 1683)
    assert (round(lines[17].principal), round(lines[17].interest)) == (14740, 312)
    assert (round(lines[19].principal), round(lines[19].interest)) == (14941, 105)
    assert round(sum(line.interest for line in lines)) == 21034


def test_frappe_fixed_amount_per_period_sets_the_term() -> None:
    # [FRAPPE] test_loan: "Repay Fixed Amount per Period" 14000 -> 22 periods, total interest 22712.
    lines = schedule("280000", "0.084", None, dt.date(2024, 2, 1), fixed_payment=D("14000"))
    assert len(lines) == 22
    assert {line.total for line in lines[:-1]} == {D("14000.00")}
    assert round(sum(line.interest for line in lines)) == 22712
    assert sum(line.principal for line in lines) == D("280000.00")


def test_installment_in_multiples_of_nearest_last_trues_up() -> None:
    # Fineract rounds the level installment to the NEAREST multiple: 17.13 -> 17.00.
    lines = schedule("100", "0.094822", 6, dt.date(2024, 2, 1), installment_multiple=D("1"))
    assert [line.total for line in lines[:-1]] == [D("17.00")] * 5
    assert lines[-1].total == D("17.79") and sum(line.principal for line in lines) == D("100.00")
    up = schedule("100", "0.094822", 6, dt.date(2024, 2, 1), installment_multiple=D("1"), installment_rounding="up")
    assert up[0].total == D("18.00")


def test_chinese_bank_equal_installment_and_equal_principal() -> None:
    # [CN] 630,000 over 360 months at 4.90 %.
    annuity = schedule("630000", "0.049", 360, dt.date(2026, 1, 20))
    assert {line.total for line in annuity[:-1]} == {D("3343.58")}
    equal = schedule("630000", "0.049", 360, dt.date(2026, 1, 20), method="equal_principal")
    assert (equal[0].principal, equal[0].interest, equal[0].total) == (D("1750.00"), D("2572.50"), D("4322.50"))
    assert equal[0].total - equal[1].total == D("7.15")


def test_half_even_rounds_ties_to_even_cents() -> None:
    # 0.60 x 10 % / 12 = 0.005 exactly: half-up 0.01, half-even 0.00.
    assert schedule("0.60", "0.10", 1, dt.date(2026, 2, 1), rounding=Rounding.HALF_UP)[0].interest == D("0.01")
    assert schedule("0.60", "0.10", 1, dt.date(2026, 2, 1), rounding=Rounding.HALF_EVEN)[0].interest == D("0.00")


def test_month_end_roll_keeps_month_ends() -> None:
    rolled = schedule("1200", "0.12", 4, dt.date(2026, 4, 30), month_end_roll=True)
    assert [line.due_date for line in rolled] == [
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 31),
    ]
    plain = schedule("1200", "0.12", 2, dt.date(2026, 4, 30))
    assert plain[1].due_date == dt.date(2026, 5, 30)


def test_grace_on_principal_and_on_interest() -> None:
    # Fineract's grace: 2 periods without principal; their interest deferred to period 3.
    lines = schedule("1200", "0.12", 6, dt.date(2026, 2, 1), grace_principal=2, grace_interest=2)
    assert [(line.principal, line.interest) for line in lines[:2]] == [(D("0.00"), D("0.00"))] * 2
    assert lines[2].interest == D("36.00")  # 12.00 + 12.00 deferred + 12.00 of its own
    assert {line.total for line in lines[3:-1]} == {D("307.54")}  # level over the 4 amortising periods
    only_principal = schedule("1200", "0.12", 6, dt.date(2026, 2, 1), grace_principal=2)
    assert [line.total for line in only_principal[:2]] == [D("12.00"), D("12.00")]


def test_interest_free_periods_accrue_nothing() -> None:
    lines = schedule("1200", "0.12", 6, dt.date(2026, 2, 1), method="equal_principal", interest_free=2)
    assert [line.interest for line in lines] == [D(x) for x in ("0.00", "0.00", "8.00", "6.00", "4.00", "2.00")]


def test_every_two_weeks_and_fifteen_days() -> None:
    biweekly = schedule("1000", "0.12", 4, dt.date(2026, 1, 14), unit=PeriodUnit.WEEK, every=2)
    assert [line.due_date.isoformat() for line in biweekly] == ["2026-01-14", "2026-01-28", "2026-02-11", "2026-02-25"]
    assert biweekly[0].interest == D("4.67")  # 1000 x 12 % x 14/360
    days15 = schedule("1000", "0.12", 3, dt.date(2026, 1, 16), unit=PeriodUnit.DAY, every=15, day_count="actual/365")
    assert [line.due_date.day for line in days15] == [16, 31, 15] and days15[0].interest == D("4.93")


@pytest.mark.parametrize(
    ("method", "options", "message"),
    [
        ("subscription", {"grace_interest": 1}, "subscription"),
        ("bnpl", {"interest_free": 1}, "BNPL"),
        ("annuity", {"month_end_roll": True, "unit": PeriodUnit.WEEK}, "month-end roll"),
        ("annuity", {"fixed_payment": D("10"), "installment_multiple": D("1")}, "fixed payment"),
        ("annuity", {"grace_principal": 6}, "grace on principal"),
        ("annuity", {"disbursed": dt.date(2026, 3, 1)}, "disbursement date"),
    ],
)
def test_combinations_that_make_no_sense_are_refused(method: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        schedule("1200", "0.12", 6, dt.date(2026, 2, 1), method=method, **options)


def test_a_fixed_payment_below_the_interest_is_refused() -> None:
    with pytest.raises(ValueError, match="does not cover"):
        schedule("10000", "0.24", None, dt.date(2026, 2, 1), fixed_payment=D("100"))


# --- the command -----------------------------------------------------------------------------


def run(**options: object) -> list[dict[str, object]]:
    out = StringIO()
    call_command("loan_schedule", format="json", stdout=out, **options)
    rows: list[dict[str, object]] = json.loads(out.getvalue())
    return rows


def test_command_takes_every_option_by_its_name() -> None:
    rows = run(
        principal="280000",
        annual_rate="0.084",
        method="annuity",
        first_due="2024-02-01",
        fixed_payment="14000",
    )
    assert len(rows) == 22 and rows[0]["total"] == "14000.00"
    assert D(str(rows[0]["apr_irr"])) == pytest.approx(D("0.084"), abs=D("0.0001"))
    rows = run(
        principal="100",
        annual_rate="0.094822",
        term="6",
        method="annuity",
        first_due="2024-02-01",
        disbursed="2024-01-08",
        day_count="30/360",
        every="1",
        unit="month",
        rounding="half_even",
        grace_principal="0",
        grace_interest="0",
        interest_free="0",
    )
    assert [row["interest"] for row in rows] == ["0.61", "0.66", "0.53", "0.40", "0.27", "0.13"]


def test_command_refuses_a_bad_option_with_its_name() -> None:
    with pytest.raises(CommandError, match="--day-count"):
        run(principal="100", annual_rate="0.1", term="6", method="annuity", first_due="2024-02-01", day_count="30/365")
    with pytest.raises(CommandError, match="subscription"):
        run(principal="100", term="6", method="subscription", first_due="2024-02-01", grace_interest="1")


# --- properties ------------------------------------------------------------------------------

principals = st.integers(10_000, 50_000_000).map(lambda c: D(c).scaleb(-2))
rates = st.integers(0, 3_600).map(lambda bp: D(bp).scaleb(-4))
methods = st.sampled_from([ScheduleMethod.ANNUITY, ScheduleMethod.EQUAL_PRINCIPAL, ScheduleMethod.BNPL])
first_dues = st.dates(dt.date(2024, 1, 1), dt.date(2032, 12, 31))


@st.composite
def option_sets(draw: st.DrawFn, method: ScheduleMethod, term: int) -> ScheduleOptions:
    unit = draw(st.sampled_from(list(PeriodUnit)))
    interest_bearing = method is not ScheduleMethod.BNPL
    multiple = draw(st.none() | st.sampled_from([D("1"), D("10"), D("0.50")]))
    return ScheduleOptions(
        day_count=draw(st.sampled_from(list(DayCount))) if interest_bearing else DayCount.THIRTY_360,
        unit=unit,
        every=draw(st.integers(1, 3 if unit is PeriodUnit.MONTH else 15)),
        rounding=draw(st.sampled_from(list(Rounding))),
        installment_multiple=multiple,
        installment_rounding=draw(st.sampled_from(list(InstallmentRounding))),
        month_end_roll=draw(st.booleans()) if unit is PeriodUnit.MONTH else False,
        grace_principal=draw(st.integers(0, min(2, term - 1))),
        grace_interest=draw(st.integers(0, min(2, term - 1))) if interest_bearing else 0,
        interest_free=draw(st.integers(0, min(2, term))) if interest_bearing else 0,
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Decimal, Decimal, int, ScheduleMethod, dt.date, ScheduleOptions]:
    method = draw(methods)
    term = draw(st.integers(1, 60))
    return draw(principals), draw(rates), term, method, draw(first_dues), draw(option_sets(method, term))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_principal_sums_exactly_and_rows_add_up(case: tuple) -> None:  # type: ignore[type-arg]
    principal, rate, term, method, first_due, options = case
    lines = build_schedule(
        principal=principal, annual_rate=rate, term=term, method=method, first_due=first_due, options=options
    )
    assert len(lines) == term
    assert sum(line.principal for line in lines) == principal
    for line in lines:
        assert line.principal >= 0 and line.interest >= 0
        assert line.principal + line.interest == line.total
        assert line.principal.as_tuple().exponent == -2 and line.interest.as_tuple().exponent == -2
    assert [line.due_date for line in lines] == sorted({line.due_date for line in lines})


@settings(max_examples=200, deadline=None)
@given(principals, rates.filter(lambda r: r > 0), st.integers(1, 120), first_dues)
def test_30_360_monthly_annuity_matches_numpy_financial(
    principal: Decimal, rate: Decimal, term: int, first_due: dt.date
) -> None:
    lines = build_schedule(
        principal=principal,
        annual_rate=rate,
        term=term,
        method="annuity",
        first_due=first_due,
        options=ScheduleOptions(rounding=Rounding.HALF_EVEN),
    )
    monthly = float(rate) / 12
    payment = -float(npf.pmt(monthly, term, float(principal)))
    interest = -np.asarray(npf.ipmt(monthly, np.arange(1, term + 1), term, float(principal)))
    growth = (1 + monthly) ** term
    assert abs(float(lines[0].total) - payment) <= 0.005 + 1e-6
    # Each cent rounding compounds at (1 + r) a period; the bound is that compounding of half a cent a period.
    bound = 0.01 * term * growth
    assert max(abs(float(line.interest) - i) for line, i in zip(lines, interest, strict=True)) <= bound


@settings(max_examples=150, deadline=None)
@given(cases())
def test_apr_irr_matches_numpy_financial_irr(case: tuple) -> None:  # type: ignore[type-arg]
    principal, rate, term, method, first_due, options = case
    lines = build_schedule(
        principal=principal, annual_rate=rate, term=term, method=method, first_due=first_due, options=options
    )
    flows = [-float(principal), *(float(line.total) for line in lines)]
    apr = schedule_apr(principal=principal, totals=[line.total for line in lines], first_due=first_due, options=options)
    per_year = {PeriodUnit.MONTH: 12, PeriodUnit.WEEK: 52, PeriodUnit.DAY: 365}[options.unit] / options.every
    expected = float(npf.irr(flows)) * per_year
    assert float(apr) == pytest.approx(expected, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(first_dues, st.integers(1, 12), st.booleans(), st.integers(1, 48))
def test_due_dates_follow_the_roll_rule(first_due: dt.date, every: int, roll: bool, term: int) -> None:
    lines = schedule("1000", "0.1", term, first_due, every=every, month_end_roll=roll)
    month_end = first_due.day == calendar.monthrange(first_due.year, first_due.month)[1]
    for k, line in enumerate(lines):
        index = first_due.year * 12 + first_due.month - 1 + k * every
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        day = last if roll and month_end else min(first_due.day, last)
        assert line.due_date == dt.date(year, month + 1, day)
