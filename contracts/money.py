"""Money helpers shared across the project: amounts are Decimal with two places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MONEY_PLACES = Decimal("0.01")


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


CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$"}


def format_money(amount: Decimal, currency: str = "CNY") -> str:
    """¥1,234.50: symbol first, comma thousands, two decimals (the same in both languages,
    as on Chinese bills and US statements)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY_SYMBOLS.get(currency, currency + ' ')}{abs(amount):,.2f}"
