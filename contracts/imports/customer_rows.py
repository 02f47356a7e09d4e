"""Importing customers: each row checked, then created through ``accounts.services``."""

from __future__ import annotations

import zoneinfo
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.crypto import keyed_digest, mask_national_id
from accounts.identifiers import normalise_mainland_mobile, normalise_phone
from accounts.models import CustomerProfile, Jurisdiction, Language, User
from accounts.services import customer_create
from accounts.validators import validate_cn_resident_id

from ..codes import ContractsError
from .columns import _max_length, _required, _text
from .report import ImportReport, RowResult, _check_each, _RowInvalid


def _customers_validate(records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> list[tuple[int, dict]]:
    emails: Counter[str] = Counter(_text(v.get("email")).lower() for _row, v in records)
    phones_seen: set[str] = set()
    ids_seen: set[str] = set()
    valid_timezones = zoneinfo.available_timezones()

    def check(row_number: int, values: dict[str, Any]) -> dict[str, Any]:
        legal_name = _required(values, "legal_name", 150)
        jurisdiction = _text(values.get("jurisdiction")).upper() or Jurisdiction.CN
        if jurisdiction not in Jurisdiction.values:
            raise _RowInvalid(
                "jurisdiction",
                _("Use one of: %(choices)s.") % {"choices": ", ".join(Jurisdiction.values)},
                ContractsError.INVALID_CHOICE,
            )
        language = _text(values.get("language")).lower() or Language.ZH_HANS
        if language not in Language.values:
            raise _RowInvalid(
                "language",
                _("Use one of: %(choices)s.") % {"choices": ", ".join(Language.values)},
                ContractsError.INVALID_CHOICE,
            )
        tz_name = _text(values.get("timezone")) or "Asia/Shanghai"
        if tz_name not in valid_timezones:
            raise _RowInvalid(
                "timezone", _("Enter an IANA time zone such as Asia/Shanghai."), ContractsError.INVALID_TIMEZONE
            )
        email = _text(values.get("email")).lower()
        phone_raw = _text(values.get("phone"))
        if not email and not phone_raw:
            raise _RowInvalid(
                "email", _("Give an email address or a mobile number."), ContractsError.IDENTIFIER_MISSING
            )
        if email:
            _max_length(email, "email", 254)
            try:
                validate_email(email)
            except ValidationError as exc:
                raise _RowInvalid("email", _("Enter a valid email address."), ContractsError.INVALID_EMAIL) from exc
            if emails[email] > 1:
                raise _RowInvalid(
                    "email", _("This email address appears more than once in the file."), ContractsError.DUPLICATE
                )
            if User.objects.filter(email=email).exists():
                raise _RowInvalid(
                    "email", _("A user with this email address already exists."), ContractsError.EMAIL_TAKEN
                )
        phone = ""
        if phone_raw:
            try:
                phone = (
                    normalise_mainland_mobile(phone_raw)
                    if jurisdiction == Jurisdiction.CN
                    else normalise_phone(phone_raw, "US")
                )
            except ValidationError as exc:
                raise _RowInvalid("phone", exc.messages[0], exc.code or ContractsError.INVALID_PHONE) from exc
            if phone in phones_seen:
                raise _RowInvalid(
                    "phone", _("This mobile number appears more than once in the file."), ContractsError.DUPLICATE
                )
            phones_seen.add(phone)
            if User.objects.filter(phone=phone).exists():
                raise _RowInvalid(
                    "phone", _("A user with this mobile number already exists."), ContractsError.PHONE_TAKEN
                )
        national_id = _text(values.get("national_id")).upper()
        if national_id:
            if jurisdiction == Jurisdiction.CN:
                try:
                    national_id = validate_cn_resident_id(national_id)
                except ValidationError as exc:
                    raise _RowInvalid("national_id", exc.messages[0], ContractsError.INVALID_NATIONAL_ID) from exc
            _max_length(national_id, "national_id", 40)
            digest = keyed_digest(national_id)
            if digest in ids_seen:
                raise _RowInvalid(
                    "national_id", _("This national ID appears more than once in the file."), ContractsError.DUPLICATE
                )
            ids_seen.add(digest)
            if CustomerProfile.objects.filter(national_id_digest=digest).exists():
                raise _RowInvalid(
                    "national_id",
                    _("A customer with this national ID already exists."),
                    ContractsError.NATIONAL_ID_TAKEN,
                )
        return {
            "legal_name": legal_name,
            "email": email,
            "phone": phone,
            "national_id": national_id,
            "postal_address": _text(values.get("postal_address")),
            "timezone": tz_name,
            "language": language,
            "jurisdiction": jurisdiction,
        }

    return _check_each(records, report, check)


def _customer_create(actor: User | None, row_number: int, data: dict[str, Any]) -> RowResult:
    profile = customer_create(actor=actor, password=None, **data)
    return RowResult(
        row=row_number,
        values=[
            data["legal_name"],
            data["email"],
            data["phone"],
            mask_national_id(data["national_id"]) if data["national_id"] else "",
            data["postal_address"],
            data["timezone"],
            data["language"],
            data["jurisdiction"],
        ],
        reference=profile.customer_number,
    )
