"""The kinds of import, their columns, and reading one cell's value."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import tablib
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.money import parse_amount

from ..codes import ContractsError
from .report import _RowInvalid

# Times without an offset in an import file are Beijing time, whatever the server's zone.
NAIVE_TIMEZONE = zoneinfo.ZoneInfo("Asia/Shanghai")

CUSTOMERS = "customers"
CONTRACTS = "contracts"
PAYMENTS = "payments"

KIND_CHOICES = [
    (CUSTOMERS, gettext_lazy("Customers")),
    (CONTRACTS, gettext_lazy("Contracts")),
    (PAYMENTS, gettext_lazy("Repayment history (payments)")),
]

# Columns of each kind, in template order: (header, required, label shown to staff).
COLUMNS: dict[str, list[tuple[str, bool, Promise]]] = {
    CUSTOMERS: [
        ("legal_name", True, gettext_lazy("Legal name")),
        ("email", False, gettext_lazy("Email")),
        ("phone", False, gettext_lazy("Mobile number")),
        ("national_id", False, gettext_lazy("National ID")),
        ("postal_address", False, gettext_lazy("Postal address")),
        ("timezone", False, gettext_lazy("Time zone")),
        ("language", False, gettext_lazy("Language")),
        ("jurisdiction", False, gettext_lazy("Jurisdiction")),
    ],
    CONTRACTS: [
        ("customer_number", True, gettext_lazy("Customer number")),
        ("product_code", True, gettext_lazy("Product code")),
        ("terms_version", False, gettext_lazy("Terms version")),
        ("principal", True, gettext_lazy("Principal")),
        ("term", True, gettext_lazy("Term (months)")),
        ("start_date", True, gettext_lazy("Start date")),
        ("first_due_date", False, gettext_lazy("First due date")),
        ("contract_number", False, gettext_lazy("Contract number")),
    ],
    PAYMENTS: [
        ("contract_number", True, gettext_lazy("Contract number")),
        ("channel", True, gettext_lazy("Channel")),
        ("reference", True, gettext_lazy("Reference")),
        ("amount", True, gettext_lazy("Amount")),
        ("received_at", True, gettext_lazy("Received at")),
    ],
}


def template_dataset(kind: str) -> tablib.Dataset:
    """An empty dataset with the headers a file of this kind must have."""
    _columns_for(kind)
    dataset = tablib.Dataset()
    dataset.headers = [name for name, _required, _label in COLUMNS[kind]]
    return dataset


def _columns_for(kind: str) -> list[tuple[str, bool, Promise]]:
    if kind not in COLUMNS:
        raise ApplicationError(
            code=ContractsError.IMPORT_KIND_UNKNOWN, message=_("Choose what the file contains."), field="kind"
        )
    return COLUMNS[kind]


# --- cell values ----------------------------------------------------------------------------------
def _text(raw: Any) -> str:
    """Cell text. XLSX numbers come as floats: integral ones are written without ``.0``."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _amount(raw: Any, column: str) -> Decimal:
    # str() of a float is its shortest round-trip decimal form, so 12.345 stays "12.345" and
    # is refused for precision instead of being rounded; no float arithmetic happens here.
    text = _text(raw)
    if not text:
        raise _RowInvalid(column, _("This value is required."), ContractsError.REQUIRED)
    try:
        return parse_amount(text, field=column)
    except ApplicationError as exc:
        raise _RowInvalid(column, exc.message, exc.code) from exc


def _positive_int(raw: Any, column: str) -> int:
    text = _text(raw)
    if not text.isdigit() or int(text) < 1:
        raise _RowInvalid(column, _("Enter a whole number such as 12."), ContractsError.INVALID_INTEGER)
    return int(text)


def _date(raw: Any, column: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            raise _RowInvalid(column, _("Enter a date such as 2026-01-31."), ContractsError.INVALID_DATE)
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(_text(raw))
    except ValueError as exc:
        raise _RowInvalid(column, _("Enter a date such as 2026-01-31."), ContractsError.INVALID_DATE) from exc


def _aware_datetime(raw: Any, column: str) -> dt.datetime:
    """An ISO 8601 time; one without an offset is taken as Beijing time (Asia/Shanghai)."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time(0, 0))
    else:
        try:
            value = dt.datetime.fromisoformat(_text(raw))
        except ValueError as exc:
            raise _RowInvalid(
                column, _("Enter a date and time such as 2026-01-31T14:30:00+08:00."), ContractsError.INVALID_DATETIME
            ) from exc
    if timezone.is_naive(value):
        value = timezone.make_aware(value, NAIVE_TIMEZONE)
    return value


def _required(values: dict[str, Any], column: str, max_length: int | None = None) -> str:
    text = _text(values.get(column))
    if not text:
        raise _RowInvalid(column, _("This value is required."), ContractsError.REQUIRED)
    _max_length(text, column, max_length)
    return text


def _max_length(text: str, column: str, max_length: int | None) -> None:
    if max_length is not None and len(text) > max_length:
        raise _RowInvalid(
            column, _("At most %(limit)s characters are allowed.") % {"limit": max_length}, ContractsError.TOO_LONG
        )
