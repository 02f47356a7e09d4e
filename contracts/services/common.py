"""Shared by the contract services: locking a contract and bringing its ledger up to a day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import NotFoundError

from .. import ledger_store as store
from ..models import (
    Contract,
)

ZERO = Decimal("0.00")


SWEEP_RANGE_SIZE = 2000


TERMS_PARAMETER_FIELDS = [
    "grace_days",
    "penalty_daily_rate",
    "late_fee_kind",
    "late_fee_value",
    "late_fee_cap",
    "cost_cap_annual_rate",
    "allocation_order",
    "suspension_notice_after_days",
    "suspension_notice_days",
    "charge_off_dpd",
    "plan_break_days",
]


def _lock(contract_id: int) -> Contract:
    contract = Contract.objects.select_for_update().filter(pk=contract_id).first()
    if contract is None:
        raise NotFoundError(code="contract_not_found", message=_("Contract not found."))
    return contract


def _bring_to(contract: Contract, day: dt.date) -> tuple[store.Loaded, store.Pending]:
    """Load a locked contract with its charges closed through ``day``."""
    loaded = store.load([contract])[contract.pk]
    pending = store.Pending()
    store.advance(loaded, day, pending)
    return loaded, pending


def _finish(loaded: store.Loaded, pending: store.Pending, on: dt.date) -> None:
    store.update_status(loaded, on, pending)
    store.save([loaded], pending)


def payoff_amount(loaded: store.Loaded, on: dt.date) -> Decimal:
    """What settles the contract on ``on``: everything outstanding except interest not yet due."""
    state = loaded.state
    total = ZERO
    for inst in state.active_installments():
        total += inst.outstanding("principal") + inst.outstanding("penalty") + inst.outstanding("fee")
        if inst.due_date <= on:
            total += inst.outstanding("interest")
    return max(total - state.credit_balance, ZERO)
