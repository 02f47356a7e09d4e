"""Checks for personal identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.codes import AccountsError

_CN_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def cn_resident_id_check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def validate_cn_resident_id(value: str) -> str:
    """GB 11643-1999: 18 characters, the last a mod-11 check character."""
    value = value.strip().upper()
    if not _CN_ID.match(value) or cn_resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("Enter a valid 18-character resident ID number."), code=AccountsError.INVALID_NATIONAL_ID
        )
    return value
