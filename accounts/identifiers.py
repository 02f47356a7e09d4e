"""Login identifiers: an email address or a mainland China mobile number."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.codes import AccountsError


def normalise_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of a valid phone number (``+8613812345678``); ValidationError otherwise."""
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code=AccountsError.INVALID_PHONE) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."), code=AccountsError.INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_mainland_mobile(raw: str) -> str:
    e164 = normalise_phone(raw, "CN")
    number = phonenumbers.parse(e164)
    if number.country_code != 86 or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(_("Enter a mainland China mobile number."), code=AccountsError.NOT_MAINLAND_MOBILE)
    return e164


def normalise_identifier(raw: str) -> tuple[str, str]:
    """('email', address) or ('phone', +86…) for what a person typed in the login box."""
    value = (raw or "").strip()
    if "@" in value:
        return "email", value.lower()
    return "phone", normalise_mainland_mobile(value)


def safe_identifier(raw: str) -> str:
    try:
        return normalise_identifier(raw)[1]
    except ValidationError:
        return (raw or "").strip().lower()[:150]


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str:
    """Lock out by the account, however its identifier was typed (email or mobile)."""
    from .models import User

    if credentials:
        raw = credentials.get("username", "")
    else:  # axes also asks with the request alone (middleware, signals)
        raw = getattr(request, "POST", {}).get("username", "") if request is not None else ""
    try:
        kind, value = normalise_identifier(raw)
    except ValidationError:
        return safe_identifier(raw)
    user = User.objects.filter(**{kind: value}).only("email", "phone").first()
    return user.login_identifier if user is not None else value
