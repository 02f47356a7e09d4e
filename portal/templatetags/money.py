from __future__ import annotations

from decimal import Decimal

from django import template

from core.money import format_money

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str = "CNY") -> str:
    """¥1,234.50 in templates (an em dash when there is no amount)."""
    return "—" if value is None else format_money(value, currency)
