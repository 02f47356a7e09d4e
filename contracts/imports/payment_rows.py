"""Importing repayment history: each row checked, then posted through ``payment_post``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import business_date_of

from ..codes import ContractsError
from ..models import Contract
from ..services import payment_post
from .columns import NAIVE_TIMEZONE, _amount, _aware_datetime, _required, _text
from .report import ImportReport, RowResult, _check_each, _RowInvalid


def _payments_validate(records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> list[tuple[int, dict]]:
    contracts = Contract.objects.in_bulk({_text(v.get("contract_number")) for _row, v in records}, field_name="number")
    now = timezone.now()

    def check(row_number: int, values: dict[str, Any]) -> dict[str, Any]:
        contract = contracts.get(_required(values, "contract_number"))
        if contract is None:
            raise _RowInvalid("contract_number", _("No contract has this number."), ContractsError.CONTRACT_UNKNOWN)
        channel = _required(values, "channel", 30)
        reference = _required(values, "reference", 100)
        amount = _amount(values.get("amount"), "amount")
        if not _text(values.get("received_at")):
            raise _RowInvalid("received_at", _("This value is required."), ContractsError.REQUIRED)
        received_at = _aware_datetime(values.get("received_at"), "received_at")
        if received_at > now:
            raise _RowInvalid(
                "received_at", _("A payment cannot be dated in the future."), ContractsError.RECEIVED_IN_FUTURE
            )
        if business_date_of(received_at) < contract.start_date:
            raise _RowInvalid(
                "received_at",
                _("A payment cannot be dated before the contract started."),
                ContractsError.PAYMENT_BEFORE_START,
            )
        return {
            "contract": contract,
            "channel": channel,
            "external_reference": reference,
            "amount": amount,
            "received_at": received_at,
        }

    prepared = _check_each(records, report, check)
    # Post in the order the money arrived, so each payment meets the ledger as it stood then.
    return sorted(prepared, key=lambda item: (item[1]["received_at"], item[0]))


def _payment_post(actor: User | None, row_number: int, data: dict[str, Any]) -> RowResult:
    contract = data["contract"]
    payment, created = payment_post(
        actor=actor,
        contract_id=contract.pk,
        channel=data["channel"],
        external_reference=data["external_reference"],
        amount=data["amount"],
        received_at=data["received_at"],
    )
    return RowResult(
        row=row_number,
        values=[
            contract.number,
            data["channel"],
            data["external_reference"],
            str(data["amount"]),
            timezone.localtime(data["received_at"], NAIVE_TIMEZONE).isoformat(),
        ],
        reference=str(payment.pk),
        created=created,
    )
