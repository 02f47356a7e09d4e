"""Money: amounts are Decimal with two places, rounded half-up; never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

MONEY_PLACES = Decimal("0.01")
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$"}
# The largest single payment accepted anywhere (a typo guard, far above any consumer contract).
MAX_PAYMENT = Decimal("10000000.00")
# The smallest amount a customer may choose to pay online, by currency: ¥1.00 / $1.00.
MINIMUM_CUSTOM_PAYMENT = {"CNY": Decimal("1.00"), "USD": Decimal("1.00")}


class MoneyError(StrEnum):
    INVALID_AMOUNT = "invalid_amount"
    AMOUNT_NOT_POSITIVE = "amount_not_positive"
    AMOUNT_PRECISION = "amount_precision"
    AMOUNT_TOO_LARGE = "amount_too_large"


def minimum_custom_payment(currency: str) -> Decimal:
    return MINIMUM_CUSTOM_PAYMENT.get(currency, Decimal("1.00"))


def quantize_money(value: Decimal | int) -> Decimal:
    """Round to 0.01 with ROUND_HALF_UP (the rounding used on contracts and bills).

    Floats are refused: they cannot represent most cent amounts exactly, so any
    float reaching this point is already a bug.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"money must be Decimal or int, not {type(value).__name__}")
    result = Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)
    # Normalise negative zero so it never renders as "-0.00".
    return result.copy_abs() if result.is_zero() else result


def format_money(amount: Decimal | int, currency: str = "CNY") -> str:
    """¥1,234.50: symbol first, comma thousands, two decimals (the same in both languages,
    as on Chinese bills and US statements). Rounds half-up first; never prints "-¥0.00"."""
    value = quantize_money(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{abs(value):,.2f}"


def parse_amount(raw: object, *, field: str = "amount") -> Decimal:
    """A positive amount typed by a person ("1,234.50", " 1234.5 ") with at most two decimals,
    or a coded, translated error naming ``field``. Floats are refused like any other garbage."""
    invalid = ApplicationError(
        code=MoneyError.INVALID_AMOUNT, message=_("Enter an amount such as 1234.50."), field=field
    )
    if isinstance(raw, (bool, float)):
        raise invalid
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text) if len(text) <= 30 else Decimal("NaN")
    except (InvalidOperation, ValueError) as exc:
        raise invalid from exc
    if not value.is_finite():
        raise invalid
    if value <= 0:
        raise ApplicationError(
            code=MoneyError.AMOUNT_NOT_POSITIVE, message=_("The amount must be greater than zero."), field=field
        )
    if value != value.quantize(MONEY_PLACES):
        raise ApplicationError(
            code=MoneyError.AMOUNT_PRECISION, message=_("Amounts have at most two decimal places."), field=field
        )
    if value > MAX_PAYMENT:
        raise ApplicationError(
            code=MoneyError.AMOUNT_TOO_LARGE,
            message=_("That amount is larger than any single payment we accept."),
            field=field,
        )
    return value
