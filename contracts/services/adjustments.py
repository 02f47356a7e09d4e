"""Ledger adjustments: waivers, write-downs and late-fee reversals on one installment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import NotFoundError
from core.money import parse_amount

from .. import ledger
from .. import ledger_store as store
from ..codes import ContractsAction, ContractsError
from ..models import Adjustment, AdjustmentKind, Installment
from ._common import _bring_to, _finish, _lock

ADJUSTMENT_COMPONENT = {
    AdjustmentKind.WAIVE_PENALTY: "penalty",
    AdjustmentKind.WAIVE_FEE: "fee",
    AdjustmentKind.WAIVE_INTEREST: "interest",
    AdjustmentKind.WRITE_DOWN_PRINCIPAL: "principal",
}


@transaction.atomic
def adjustment_apply(
    *,
    actor: User | None,
    installment_id: int,
    kind: str,
    amount: Decimal | str | None = None,
    reason: str,
    approved_by: User | None = None,
    on: dt.date | None = None,
) -> Adjustment:
    """Waive or write down part of an installment from today on, or reverse its late fee
    retroactively (``reverse_late_fee``: as if it had never been charged, so payments that
    paid it are re-allocated)."""
    inst = Installment.objects.filter(pk=installment_id).first()
    if inst is None:
        raise NotFoundError(code=ContractsError.INSTALLMENT_NOT_FOUND, message=_("Installment not found."))
    contract = _lock(inst.contract_id)
    kind = AdjustmentKind(kind)
    day = on or timezone.localdate()
    if kind == AdjustmentKind.REVERSE_LATE_FEE:
        inst.refresh_from_db()
        adj = Adjustment.objects.create(
            contract=contract,
            installment=inst,
            kind=kind,
            amount=inst.fee_charged or Decimal("0.01"),
            effective_date=day,
            reason=reason,
            created_by=actor,
            approved_by=approved_by,
        )
        loaded = store.rebuild(contract)
        _finish(loaded, store.Pending(), max(day, contract.accrued_through or day))
    else:
        value = parse_amount(amount)
        loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
        adj = Adjustment.objects.create(
            contract=contract,
            installment=inst,
            kind=kind,
            amount=value,
            effective_date=day,
            reason=reason,
            created_by=actor,
            approved_by=approved_by,
        )
        result = ledger.DayResult()
        ledger.apply_event(
            loaded.state,
            loaded.terms,
            ledger.WaiverEvent(adj.pk, day, inst.pk, ADJUSTMENT_COMPONENT[kind], value),
            result,
        )
        _finish(loaded, pending, day)
    audit_record(
        action=ContractsAction.LEDGER_ADJUSTED,
        actor=actor,
        obj=adj,
        subject_user_id=contract.customer.user_id,
        data={
            "contract": contract.number,
            "installment": inst.seq,
            "kind": str(kind),
            "amount": adj.amount,
            "reason": reason,
            "approved_by": approved_by.pk if approved_by else None,
        },
    )
    return adj
