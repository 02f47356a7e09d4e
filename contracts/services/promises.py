"""Promises to pay (the sweep decides them once their date has passed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ApplicationError
from core.money import parse_amount

from ..codes import ContractsAction, ContractsError
from ..models import PromiseToPay
from ._common import _lock


@transaction.atomic
def promise_record(
    *,
    actor: User | None,
    contract_id: int,
    amount: Decimal | str,
    promised_date: dt.date,
    note: str = "",
    on: dt.date | None = None,
) -> PromiseToPay:
    value = parse_amount(amount)
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    if promised_date < day:
        raise ApplicationError(
            code=ContractsError.PROMISE_IN_PAST,
            message=_("The promised date cannot be in the past."),
            field="promised_date",
        )
    promise = PromiseToPay.objects.create(
        contract=contract, amount=value, promised_date=promised_date, recorded_by=actor, recorded_on=day, note=note
    )
    audit_record(
        action=ContractsAction.PROMISE_RECORDED,
        actor=actor,
        obj=promise,
        subject_user_id=contract.customer.user_id,
        data={"amount": value, "promised_date": promised_date},
    )
    return promise
