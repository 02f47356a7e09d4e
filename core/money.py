"""Money: amounts are Decimal with two places, rounded half-up; never floats."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
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


_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII)


def parse_amount(raw: object, *, field: str = "amount") -> Decimal:
    """A positive amount typed by a person, by one rule: ASCII digits (full-width ones are
    folded to ASCII), optionally grouped by commas in threes ("1,234.50"), and at most two
    decimals. Nothing else: no "1,50", "1_000", exponents, other scripts' digits or signs.
    Errors are coded, translated and name ``field``. Floats are refused like any other garbage."""
    invalid = ApplicationError(
        code=MoneyError.INVALID_AMOUNT, message=_("Enter an amount such as 1234.50."), field=field
    )
    if isinstance(raw, (bool, float)) or raw is None:
        raise invalid
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise invalid
        text = format(raw, "f")
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
    negative = text.startswith("-")
    if negative:
        text = text[1:].strip()
    match = _AMOUNT.fullmatch(text) if len(text) <= 30 else None
    if match is None:
        raise invalid
    whole, decimals = match.group(1).replace(",", ""), match.group(2) or ""
    if len(decimals) > 2:
        raise ApplicationError(
            code=MoneyError.AMOUNT_PRECISION, message=_("Amounts have at most two decimal places."), field=field
        )
    value = Decimal(f"{whole}.{decimals}" if decimals else whole)
    if negative or value <= 0:
        raise ApplicationError(
            code=MoneyError.AMOUNT_NOT_POSITIVE, message=_("The amount must be greater than zero."), field=field
        )
    if value > MAX_PAYMENT:
        raise ApplicationError(
            code=MoneyError.AMOUNT_TOO_LARGE,
            message=_("That amount is larger than any single payment we accept."),
            field=field,
        )
    return value
