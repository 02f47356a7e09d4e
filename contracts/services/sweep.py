"""The delinquency sweep: close every day for a block of contracts, then decide what the day
decided (promises due, plans kept or broken, suspensions taking effect)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from .. import ledger_store as store
from ..codes import ContractsAction
from ..models import (
    Contract,
    ContractStatus,
    Payment,
    PaymentStatus,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    ServiceState,
    SweepRun,
)
from ..selectors import sweep_ranges
from ._common import ZERO
from .plans import _plan_transition
from .service_state import _service_set, service_restore_if_cured


def delinquency_sweep(business_date: dt.date) -> list[tuple[int, int]]:
    """Split the active contracts into id ranges and sweep each (inline).

    Beat runs ``notices.tasks.sweep_and_notify`` which queues one Celery task per
    range instead, so more workers finish faster. Returns the ranges.
    """
    ranges = sweep_ranges()
    for first, last in ranges:
        delinquency_sweep_range(business_date=business_date, first_id=first, last_id=last)
    return ranges


@transaction.atomic
def delinquency_sweep_range(*, business_date: dt.date, first_id: int, last_id: int) -> SweepRun | None:
    """Close every day up to ``business_date`` for contracts with ids in [first_id, last_id].

    Set-based: current contracts with nothing falling due only gain principal-days (one
    UPDATE per day); the rest are loaded, advanced by the ledger engine and written back in
    bulk. Re-running a date changes nothing (``accrued_through`` guards every row); a run
    after missed days catches up day by day.
    """
    started_at = timezone.now()
    in_range = Contract.objects.filter(pk__gte=first_id, pk__lte=last_id)
    behind = in_range.filter(accrued_through__lt=business_date).exclude(status=ContractStatus.PAID_OFF)
    oldest = behind.aggregate(day=Min("accrued_through"))["day"]
    days_advanced = 0
    if oldest is not None:
        day = oldest
        while day < business_date:
            day += dt.timedelta(days=1)
            days_advanced += (
                behind.filter(
                    accrued_through=day - dt.timedelta(days=1),
                    status=ContractStatus.CURRENT,
                    credit_balance=0,
                    next_due_date__gt=day,
                )
                .exclude(plans__status=PlanStatus.ACTIVE)
                .update(principal_days=F("principal_days") + F("principal_outstanding"), accrued_through=day)
            )
    slow = list(behind.select_for_update().filter(accrued_through__lt=business_date).order_by("pk"))
    if slow:
        loaded = store.load(slow)
        pending = store.Pending()
        for item in loaded.values():
            days_advanced += store.advance(item, business_date, pending)
        store.save(loaded.values(), pending)
    decided = (
        _promises_resolve(in_range, business_date)
        + _plans_review(in_range, business_date)
        + _service_suspensions_apply(in_range, business_date)
    )
    if not (days_advanced or slow or decided):
        return None  # a re-run of a date already swept: nothing changes, nothing is recorded
    run = SweepRun.objects.create(
        business_date=business_date,
        first_contract_id=first_id,
        last_contract_id=last_id,
        contracts_advanced=len(slow),
        days_advanced=days_advanced,
        started_at=started_at,
        finished_at=timezone.now(),
    )
    audit_record(
        action=ContractsAction.SWEEP_RANGE_DONE,
        actor=None,
        obj=run,
        system="delinquency_sweep",
        data={
            "business_date": business_date,
            "first_id": first_id,
            "last_id": last_id,
            "contracts_detailed": len(slow),
            "days_advanced": days_advanced,
            "decisions": decided,
        },
    )
    return run


def _promises_resolve(contracts: Any, business_date: dt.date) -> int:
    """A promise is kept when payments from its recording to its date reach the amount."""
    due = list(
        PromiseToPay.objects.filter(contract__in=contracts, status=PromiseStatus.OPEN, promised_date__lt=business_date)
    )
    for promise in due:
        paid = (
            Payment.objects.filter(
                contract_id=promise.contract_id,
                status=PaymentStatus.POSTED,
                business_date__gte=promise.recorded_on,
                business_date__lte=promise.promised_date,
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        promise.paid_towards = paid
        promise.status = PromiseStatus.KEPT if paid >= promise.amount else PromiseStatus.BROKEN
        promise.resolved_on = promise.promised_date + dt.timedelta(days=1)
        promise.save(update_fields=["paid_towards", "status", "resolved_on"])
        audit_record(
            action=ContractsAction(f"promise.{promise.status}"),
            actor=None,
            obj=promise,
            system="delinquency_sweep",
            data={"amount": promise.amount, "paid": paid},
        )
    return len(due)


def _plans_review(contracts: Any, business_date: dt.date) -> int:
    """Active plans: kept when all their installments are paid; broken when one is late
    more than the contract's plan_break_days."""
    decided = 0
    for plan in RepaymentPlan.objects.filter(contract__in=contracts, status=PlanStatus.ACTIVE).select_related(
        "contract"
    ):
        rows = list(plan.installments.all())
        if rows and all(r.settled_on is not None for r in rows):
            _plan_transition(plan, PlanStatus.KEPT, actor=None, on=business_date)
            decided += 1
            continue
        limit = business_date - dt.timedelta(days=plan.contract.plan_break_days)
        if any(r.settled_on is None and r.due_date < limit for r in rows):
            _plan_transition(plan, PlanStatus.BROKEN, actor=None, on=business_date)
            decided += 1
    return decided


def _service_suspensions_apply(contracts: Any, business_date: dt.date) -> int:
    """Suspension takes effect on the date the formal notice named, unless cured meanwhile;
    a suspended contract that is cured (or on a plan) gets its service back."""
    due = Contract.objects.filter(
        pk__in=contracts.values("pk"),
        service_state=ServiceState.NOTICE_GIVEN,
        service_effective_date__lte=business_date,
    )
    contracts_due = list(due.select_for_update())
    decided = 0
    for contract_id in Contract.objects.filter(
        pk__in=contracts.values("pk"), service_state=ServiceState.SUSPENDED
    ).values_list("pk", flat=True):
        decided += service_restore_if_cured(contract_id=contract_id, on=business_date)
    for contract in contracts_due:
        if not service_restore_if_cured(contract_id=contract.pk, on=business_date):
            if contract.holds.filter(released_on__isnull=True).exists():
                continue  # collection hold: the suspension waits until the hold is lifted
            _service_set(
                contract,
                ServiceState.SUSPENDED,
                actor=None,
                on=contract.service_effective_date or business_date,  # the date the notice named, also on catch-up
                reason=_("Overdue after the formal notice period"),
            )
        decided += 1
    return decided
