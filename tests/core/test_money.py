"""core.money: half-up before formatting, no negative zero, amounts typed by people."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ApplicationError
from core.money import MAX_PAYMENT, format_money, minimum_custom_payment, parse_amount, quantize_money

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (D("0.005"), "CNY", "¥0.01"),  # half-up, not half-even (which gives 0.00)
        (D("2.345"), "CNY", "¥2.35"),
        (D("1234.5"), "USD", "$1,234.50"),
        (D("-0.004"), "CNY", "¥0.00"),  # never "-¥0.00"
        (D("-0.00"), "USD", "$0.00"),
        (D("-12.3"), "CNY", "-¥12.30"),
        (7, "EUR", "EUR 7.00"),
    ],
)
def test_format_money(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_format_money_refuses_floats():
    with pytest.raises(TypeError):
        format_money(1.1)  # type: ignore[arg-type]


@given(st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=4))
def test_formatting_is_the_quantized_value(value):
    shown = format_money(value)
    rounded = quantize_money(value)
    assert not shown.startswith("-¥0.00")
    assert shown.replace("¥", "").replace(",", "") == f"{rounded:.2f}"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1234.50", D("1234.50")),
        (" 1,234.5 ", D("1234.5")),
        ("1,000.00", D("1000")),
        ("1,234,567", D("1234567")),
        ("１２３．４５", D("123.45")),  # full-width digits and point
        ("1", D("1")),
        (D("0.01"), D("0.01")),
        (5, D("5")),
    ],
)
def test_parse_amount_accepts(raw, value):
    assert parse_amount(raw) == value


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("abc", "invalid_amount"),
        ("1.2.3", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("Infinity", "invalid_amount"),
        ("", "invalid_amount"),
        (1.5, "invalid_amount"),
        ("9" * 40, "invalid_amount"),
        ("0", "amount_not_positive"),
        ("-5", "amount_not_positive"),
        ("1.005", "amount_precision"),
        ("1,50", "invalid_amount"),  # not a thousands separator in the right place
        ("12,34.00", "invalid_amount"),
        ("1_000", "invalid_amount"),
        ("٣", "invalid_amount"),  # Arabic-Indic digit
        ("1e3", "invalid_amount"),
        ("1e27", "invalid_amount"),
        ("9" * 29, "amount_too_large"),
        ("+5", "invalid_amount"),
        (".5", "invalid_amount"),
        ("5.", "invalid_amount"),
        (None, "invalid_amount"),
        (str(MAX_PAYMENT + 1), "amount_too_large"),
    ],
)
def test_parse_amount_refuses_with_a_code_and_the_field(raw, code):
    with pytest.raises(ApplicationError) as excinfo:
        parse_amount(raw, field="amount")
    assert excinfo.value.code == code
    assert excinfo.value.field == "amount"


def test_minimum_payment_is_per_currency():
    assert minimum_custom_payment("CNY") == D("1.00")
    assert minimum_custom_payment("USD") == D("1.00")
