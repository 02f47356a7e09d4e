"""Unit and property tests for contracts.schedules (pure functions, no database)."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.schedules import (
    MAX_PRINCIPAL,
    MAX_TERM,
    ScheduleLine,
    ScheduleMethod,
    add_months,
    annuity_payment,
    build_schedule,
    monthly_interest,
)
from core.money import MONEY_PLACES, quantize_money

D = Decimal
ZERO = D("0.00")


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Money amounts between low and high cents, always with exponent -2."""
    return st.integers(low, high).map(lambda c: D(c).scaleb(-2))


principals = cents(1, 100_000_000)  # 0.01 .. 1,000,000.00
# Mix round basis-point rates with long-tailed ones (e.g. 0.123457).
rates = st.one_of(
    st.integers(0, 10_000).map(lambda bp: D(bp).scaleb(-4)),
    st.decimals(min_value=0, max_value=1, places=6, allow_nan=False, allow_infinity=False),
)
terms = st.integers(1, MAX_TERM)
methods = st.sampled_from(list(ScheduleMethod))
first_dues = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


def schedule(
    principal: str | Decimal,
    rate: str | Decimal,
    term: int,
    method: ScheduleMethod | str,
    first_due: dt.date = dt.date(2026, 1, 31),
) -> list[ScheduleLine]:
    return build_schedule(principal=D(principal), annual_rate=D(rate), term=term, method=method, first_due=first_due)


def is_money(x: Decimal) -> bool:
    return isinstance(x, Decimal) and x.as_tuple().exponent == -2 and x >= 0


def assert_level_until_settled(values: list[Decimal], lines: list[ScheduleLine], level: Decimal) -> None:
    """All but the last value equal ``level``, unless compounded rounding repays
    the loan early: then the settling line pays the rest and later lines are zero.
    """
    for i, value in enumerate(values[:-1]):
        if value != level:
            assert value < level
            assert all(line.total == ZERO for line in lines[i + 1 :])
            return


# --- money -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.005", "0.01"),
        ("0.004999", "0.00"),
        ("2.675", "2.68"),
        ("-0.005", "-0.01"),  # half-up rounds ties away from zero
        ("-0.001", "0.00"),
        ("10", "10.00"),
    ],
)
def test_quantize_money_half_up(raw: str, expected: str) -> None:
    result = quantize_money(D(raw))
    assert str(result) == expected
    assert MONEY_PLACES == D("0.01")


def test_quantize_money_refuses_float() -> None:
    with pytest.raises(TypeError):
        quantize_money(0.1)  # type: ignore[arg-type]


def test_monthly_interest_rounds_true_ties_up() -> None:
    # 0.60 x 0.10 / 12 is exactly 0.005; dividing the rate first would give 0.00499...
    assert monthly_interest(D("0.60"), D("0.10")) == D("0.01")
    assert monthly_interest(D("10000.00"), D("0.18")) == D("150.00")


# --- worked examples ------------------------------------------------------------


def test_annuity_example() -> None:
    lines = schedule("10000", "0.18", 12, "annuity")
    assert len(lines) == 12
    assert annuity_payment(D("10000"), D("0.18"), 12) == D("916.80")
    assert lines[0] == ScheduleLine(1, dt.date(2026, 1, 31), D("766.80"), D("150.00"))
    assert lines[-1] == ScheduleLine(12, dt.date(2026, 12, 31), D("903.26"), D("13.55"))
    assert lines[-1].total == D("916.81")
    assert all(line.total == D("916.80") for line in lines[:-1])
    assert sum(line.principal for line in lines) == D("10000.00")


def test_equal_principal_example() -> None:
    lines = schedule("10000", "0.18", 12, ScheduleMethod.EQUAL_PRINCIPAL)
    assert [line.principal for line in lines] == [D("833.33")] * 11 + [D("833.37")]
    assert lines[0].interest == D("150.00")
    assert lines[1].interest == D("137.50")  # 9166.67 x 0.015 = 137.50005
    assert lines[-1].interest == D("12.50")  # 833.37 x 0.015 = 12.50055
    assert sum(line.principal for line in lines) == D("10000.00")


def test_bnpl_last_part_absorbs_rounding() -> None:
    lines = schedule("100", "0.25", 3, ScheduleMethod.BNPL)
    assert [line.principal for line in lines] == [D("33.33"), D("33.33"), D("33.34")]
    assert all(line.interest == ZERO for line in lines)


def test_subscription_charges_the_same_fee_every_period() -> None:
    lines = schedule("99.9", "0.18", 12, ScheduleMethod.SUBSCRIPTION)
    assert all((line.principal, line.interest, line.total) == (D("99.90"), ZERO, D("99.90")) for line in lines)
    assert sum(line.principal for line in lines) == D("1198.80")


def test_zero_rate_annuity_is_equal_principal() -> None:
    annuity = schedule("1000", "0", 7, ScheduleMethod.ANNUITY)
    assert annuity == schedule("1000", "0", 7, ScheduleMethod.EQUAL_PRINCIPAL)
    assert [line.principal for line in annuity] == [D("142.86")] * 6 + [D("142.84")]
    assert all(line.interest == ZERO for line in annuity)


def test_single_period_pays_everything() -> None:
    (line,) = schedule("500", "0.12", 1, ScheduleMethod.ANNUITY)
    assert (line.principal, line.interest) == (D("500.00"), D("5.00"))


def test_rounded_parts_never_overshoot_the_principal() -> None:
    # 100 / 600 rounds up to 0.17 and 599 x 0.17 > 100: the balance is repaid
    # at line 589 and the remaining lines are zero instead of negative.
    lines = schedule("100", "0", 600, ScheduleMethod.BNPL)
    assert [line.principal for line in lines[:588]] == [D("0.17")] * 588
    assert lines[588].principal == D("0.04")
    assert all(line.total == ZERO for line in lines[589:])
    assert sum(line.principal for line in lines) == D("100.00")


def test_accepts_string_method_and_two_place_values_with_trailing_zeros() -> None:
    lines = schedule(D("10.000"), "0.1", 2, "equal_principal")
    assert [line.principal for line in lines] == [D("5.00"), D("5.00")]


# --- due dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_due", "expected"),
    [
        ("2027-01-31", ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]),
        ("2028-01-31", ["2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"]),
        ("2027-01-29", ["2027-01-29", "2027-02-28", "2027-03-29", "2027-04-29"]),
        ("2026-11-30", ["2026-11-30", "2026-12-30", "2027-01-30", "2027-02-28"]),
        ("2026-12-31", ["2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31"]),
    ],
)
def test_due_dates_clamp_from_first_due_day(first_due: str, expected: list[str]) -> None:
    lines = schedule("1000", "0.1", len(expected), ScheduleMethod.ANNUITY, dt.date.fromisoformat(first_due))
    assert [line.due_date.isoformat() for line in lines] == expected


def test_add_months() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 2, 28), 1, 31) == dt.date(2027, 3, 31)
    assert add_months(dt.date(2028, 1, 31), 1, 31) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2100, 1, 31), 1) == dt.date(2100, 2, 28)  # not a leap year
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 5, 15), 24) == dt.date(2028, 5, 15)
    with pytest.raises(ValueError, match="day"):
        add_months(dt.date(2026, 1, 1), 1, 32)
    with pytest.raises(ValueError, match="out of range"):
        add_months(dt.date(9999, 12, 1), 1)


# --- validation -----------------------------------------------------------------

VALID = {
    "principal": D("1000"),
    "annual_rate": D("0.1"),
    "term": 12,
    "method": "annuity",
    "first_due": dt.date(2026, 1, 1),
}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"principal": D("0")}, "greater than 0"),
        ({"principal": D("-1")}, "greater than 0"),
        ({"principal": D("1.001")}, "2 decimal places"),
        ({"principal": D("NaN")}, "finite"),
        ({"principal": D("Infinity")}, "finite"),
        ({"principal": MAX_PRINCIPAL + D("0.01")}, "exceed"),
        ({"principal": D("1e100")}, "exceed"),
        ({"annual_rate": D("-0.01")}, "between 0 and 1"),
        ({"annual_rate": D("1.0001")}, "between 0 and 1"),
        ({"annual_rate": D("NaN")}, "finite"),
        ({"term": 0}, "between 1 and 600"),
        ({"term": 601}, "between 1 and 600"),
        ({"method": "balloon"}, "unknown schedule method"),
        ({"first_due": dt.date(9999, 6, 1)}, "out of range"),
    ],
)
def test_invalid_values_raise_value_error(override: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_schedule(**{**VALID, **override})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "override",
    [
        {"principal": 1000.0},
        {"annual_rate": 0.1},
        {"term": "12"},
        {"term": True},
        {"first_due": dt.datetime(2026, 1, 1, 12, 0)},
        {"first_due": "2026-01-01"},
    ],
)
def test_wrong_types_raise_type_error(override: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        build_schedule(**{**VALID, **override})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "override",
    [
        {"principal": D("0.01")},
        {"principal": MAX_PRINCIPAL},
        {"annual_rate": D("0")},
        {"annual_rate": D("1")},
        {"term": 1},
        {"term": 600},
    ],
)
def test_boundary_values_are_accepted(override: dict[str, object]) -> None:
    lines = build_schedule(**{**VALID, **override})  # type: ignore[arg-type]
    assert len(lines) == override.get("term", VALID["term"])


# --- properties -----------------------------------------------------------------


@settings(deadline=None)
@given(principal=principals, rate=rates, term=terms, method=methods, first_due=first_dues)
def test_schedule_invariants(
    principal: Decimal, rate: Decimal, term: int, method: ScheduleMethod, first_due: dt.date
) -> None:
    lines = build_schedule(principal=principal, annual_rate=rate, term=term, method=method, first_due=first_due)

    assert [line.seq for line in lines] == list(range(1, term + 1))
    for line in lines:
        assert is_money(line.principal) and is_money(line.interest) and is_money(line.total)

    expected_sum = principal * term if method is ScheduleMethod.SUBSCRIPTION else principal
    assert sum(line.principal for line in lines) == expected_sum

    if method in (ScheduleMethod.BNPL, ScheduleMethod.SUBSCRIPTION) or rate == 0:
        assert all(line.interest == ZERO for line in lines)
    if method is ScheduleMethod.SUBSCRIPTION:
        assert all(line.principal == principal for line in lines)
    elif method is ScheduleMethod.ANNUITY and rate > 0:
        payment = annuity_payment(principal, rate, term)
        assert_level_until_settled([line.total for line in lines], lines, payment)
    else:
        part = quantize_money(principal / term)
        assert_level_until_settled([line.principal for line in lines], lines, part)

    # Interest is always charged on the balance still outstanding.
    balance = principal if method is not ScheduleMethod.SUBSCRIPTION else ZERO
    for line in lines:
        if method in (ScheduleMethod.ANNUITY, ScheduleMethod.EQUAL_PRINCIPAL):
            assert line.interest == monthly_interest(balance, rate)
        balance -= line.principal if method is not ScheduleMethod.SUBSCRIPTION else ZERO


@settings(deadline=None)
@given(
    principal=cents(100_000, 100_000_000),
    rate=st.integers(0, 2_400).map(lambda bp: D(bp).scaleb(-4)),
    term=st.integers(1, 120),
)
def test_realistic_annuity_totals_equal_but_last(principal: Decimal, rate: Decimal, term: int) -> None:
    # In this range compounded rounding is far below one instalment, so the
    # strict "same total for every period but the last" rule must hold.
    lines = schedule(principal, rate, term, ScheduleMethod.ANNUITY)
    payment = annuity_payment(principal, rate, term)
    assert all(line.total == payment for line in lines[:-1])
    assert lines[-1].principal > 0


@settings(deadline=None)
@given(
    principal=cents(200_000, 100_000_000),
    rate=rates,
    term=terms,
    method=st.sampled_from([ScheduleMethod.EQUAL_PRINCIPAL, ScheduleMethod.BNPL]),
)
def test_realistic_level_principal_equal_but_last(
    principal: Decimal, rate: Decimal, term: int, method: ScheduleMethod
) -> None:
    # principal >= 0.005 x 600^2 guarantees (n - 1) rounded parts stay below it.
    lines = schedule(principal, rate, term, method)
    part = quantize_money(principal / term)
    assert all(line.principal == part for line in lines[:-1])
    assert lines[-1].principal > 0
    assert abs(lines[-1].principal - part) <= D("0.005") * term


@settings(deadline=None)
@given(first_due=first_dues, term=st.integers(1, 60))
def test_due_dates_property(first_due: dt.date, term: int) -> None:
    lines = schedule("1000", "0.1", term, ScheduleMethod.BNPL, first_due)
    for offset, line in enumerate(lines):
        months = first_due.year * 12 + first_due.month - 1 + offset
        year, month = months // 12, months % 12 + 1
        assert line.due_date == dt.date(year, month, min(first_due.day, calendar.monthrange(year, month)[1]))
