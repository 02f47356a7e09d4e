"""Collection holds: collection paused on a contract while a dispute or review runs."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record

from ..codes import ContractsAction
from ..models import CollectionHold, HoldReason
from ._common import _lock


@transaction.atomic
def hold_place(*, actor: User | None, contract_id: int, reason: str, source: str = "") -> CollectionHold:
    """Pause collection at once (disputes, complaints, hardship reviews)."""
    contract = _lock(contract_id)
    hold = CollectionHold.objects.create(
        contract=contract, reason=HoldReason(reason), source=source, placed_on=timezone.now(), placed_by=actor
    )
    audit_record(
        action=ContractsAction.HOLD_PLACED,
        actor=actor,
        obj=hold,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "reason": reason, "source": source},
    )
    return hold


@transaction.atomic
def hold_release(*, actor: User | None, hold_id: int) -> CollectionHold:
    hold = CollectionHold.objects.select_for_update().select_related("contract__customer").get(pk=hold_id)
    if hold.released_on is not None:
        return hold
    hold.released_on = timezone.now()
    hold.save(update_fields=["released_on"])
    audit_record(
        action=ContractsAction.HOLD_RELEASED,
        actor=actor,
        obj=hold,
        subject_user_id=hold.contract.customer.user_id,
        data={"contract": hold.contract.number, "reason": hold.reason},
    )
    return hold
