"""Reads of the system API (``/api/v1/``): contracts, payments and delinquency events for a
lender's own systems (all of its contracts), balances and payoff quotes as of any date.

A balance or quote for a date after the last sweep projects the ledger forward in memory (the
charges the nightly sweep would add through the day before), one before it replays the ledger
to that day; neither writes anything.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFoundError

from . import ledger_store as store
from .codes import ContractsError
from .models import Contract, DelinquencyTransition, Installment, Payment
from .selectors import Balance, _balance_from_rows

# A quote projects the ledger day by day: at most this far past the last sweep.
QUOTE_MAX_DAYS_AHEAD = 366


def contracts_for_api() -> QuerySet[Contract]:
    return Contract.objects.select_related("customer", "product", "terms")


def contract_get_by_number(*, number: str) -> Contract:
    contract = contracts_for_api().filter(number=number).first()
    if contract is None:
        raise NotFoundError(code=ContractsError.CONTRACT_NOT_FOUND, message=_("Contract not found."))
    return contract


def payments_for_api() -> QuerySet[Payment]:
    return Payment.objects.select_related("contract")


def payment_get_for_api(*, pk: int) -> Payment:
    payment = payments_for_api().filter(pk=pk).first()
    if payment is None:
        raise NotFoundError(code=ContractsError.PAYMENT_NOT_FOUND, message=_("Payment not found."))
    return payment


def delinquency_events_for_api() -> QuerySet[DelinquencyTransition]:
    return DelinquencyTransition.objects.select_related("contract", "contract__customer")


def contract_balance_on(*, contract: Contract, on: dt.date) -> Balance:
    """The balance at the start of ``on``: charges accrued through the day before, split into
    overdue / due that day / not yet due; ``payoff`` settles the contract that day."""
    if on < contract.start_date:
        raise ApplicationError(
            code=ContractsError.QUOTE_DATE_OUT_OF_RANGE,
            message=_("The date cannot be before the contract started."),
            field="as_of",
        )
    through = on - dt.timedelta(days=1)
    accrued = contract.accrued_through
    if accrued is None or through >= accrued:
        if accrued is not None and (through - accrued).days > QUOTE_MAX_DAYS_AHEAD:
            raise ApplicationError(
                code=ContractsError.QUOTE_DATE_OUT_OF_RANGE,
                message=_("A quote can be at most %(days)s days ahead.") % {"days": QUOTE_MAX_DAYS_AHEAD},
                field="as_of",
            )
        fresh = Contract.objects.get(pk=contract.pk)  # advancing changes the object's status in memory
        loaded = store.load([fresh])[fresh.pk]
        store.advance(loaded, through, store.Pending())
        state = loaded.state
    else:
        state, _result = store.state_on(contract, max(through, contract.start_date))
    rows = [
        Installment(
            pk=inst.key,
            contract_id=contract.pk,
            seq=inst.seq,
            due_date=inst.due_date,
            **{name: getattr(inst, name) for name in store.INSTALLMENT_FIELDS},
        )
        for inst in state.installments
    ]
    return _balance_from_rows(rows, state.credit_balance, on)
