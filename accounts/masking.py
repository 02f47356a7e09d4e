"""Masked forms of contact details, for staff who may not see them in full."""

from __future__ import annotations


def mask_phone(value: str) -> str:
    """+8613800138000 → +86138****8000."""
    return value[:-8] + "****" + value[-4:] if len(value) > 8 else "****"


def mask_email(value: str) -> str:
    """zhang.san@example.com → z***@example.com."""
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_recipient(value: str) -> str:
    """An email address, a phone number or a postal address, masked."""
    value = value.strip()
    if "@" in value:
        return mask_email(value)
    if value.lstrip("+").replace(" ", "").isdigit():
        return mask_phone(value.replace(" ", ""))
    return value[:2] + "***" if value else ""
