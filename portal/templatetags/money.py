from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

SYMBOLS = {"CNY": "¥", "USD": "$"}


@register.filter
def money(value: Decimal | None, currency: str = "CNY") -> str:
    """¥1,234.50: comma thousands, two decimals, currency symbol first."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,.2f}"  # ¥1,234.50 in both languages, as on Chinese bills
    return f"{sign}{SYMBOLS.get(currency, currency + ' ')}{digits}"
