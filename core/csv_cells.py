"""CSV cells a spreadsheet cannot run: text that starts like a formula (``=``, ``+``, ``-``, ``@``,
a tab or a carriage return: OWASP "CSV Injection") is written with a leading apostrophe, so Excel,
LibreOffice and WPS show it as text. Numbers, negative amounts included, are left as they are."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return text.strip() == text and text.lower() not in ("nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text
