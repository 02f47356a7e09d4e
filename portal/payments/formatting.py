"""Display of amounts on payment pages and receipts: ¥1,234.50."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$"}


def money(amount: Decimal, currency: str = "CNY") -> str:
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)}"
