"""The delinquency sweep: close every day for a block of contracts, then decide what the day
decided (promises due, plans kept or broken, suspensions taking effect)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import (
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record

from .. import ledger_store as store
from .. import sweep_sql
from ..codes import ContractsAction
from ..models import (
    Contract,
    ContractStatus,
    Installment,
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

    On PostgreSQL set-based (``contracts.sweep_sql``): a few statements per day for the whole
    block, writing only the rows that change. Contracts holding credit, and every contract on
    other databases except the quiet ones, are loaded, advanced by the ledger engine and
    written back in bulk. Re-running a date changes nothing (``accrued_through`` guards every
    row); a run after missed days catches up day by day.
    """
    started_at = timezone.now()
    done = SweepRun.objects.filter(
        first_contract_id=first_id, last_contract_id=last_id, business_date__gte=business_date
    ).exists()
    if done:
        return None  # this range has been swept for the date (or a later one): nothing is left to do
    in_range = Contract.objects.filter(pk__gte=first_id, pk__lte=last_id)
    behind = in_range.filter(accrued_through__lt=business_date).exclude(status=ContractStatus.PAID_OFF)
    if sweep_sql.available():
        days_advanced, closed = _close_days_set_based(first_id, last_id, business_date)
    else:
        days_advanced, closed = _close_quiet_days(behind, business_date), 0
    # The engine path: contracts holding credit (applied to what falls due), and any other
    # contract the set-based statements left behind.
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
    if not (days_advanced or closed or slow or decided):
        return None  # a re-run of a date already swept: nothing changes, nothing is recorded
    run = SweepRun.objects.create(
        business_date=business_date,
        first_contract_id=first_id,
        last_contract_id=last_id,
        contracts_advanced=closed + len(slow),
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
            "contracts_closed": closed,
            "contracts_by_engine": len(slow),
            "days_advanced": days_advanced,
            "decisions": decided,
        },
    )
    return run


def _close_quiet_days(behind: Any, business_date: dt.date) -> int:
    """Portable fast path: current contracts with nothing falling due gain principal-days,
    one UPDATE per missed day; every other contract takes the engine path."""
    oldest = behind.aggregate(day=Min("accrued_through"))["day"]
    days_advanced = 0
    day = oldest
    while day is not None and day < business_date:
        day += dt.timedelta(days=1)
        days_advanced += (
            behind.filter(
                accrued_through=day - dt.timedelta(days=1),
                status=ContractStatus.CURRENT,
                credit_balance=0,
                principal_outstanding__gt=0,
                next_due_date__gt=day,
            )
            .exclude(plans__status=PlanStatus.ACTIVE)
            .update(principal_days=F("principal_days") + F("principal_outstanding"), accrued_through=day)
        )
    return days_advanced


def _close_days_set_based(first_id: int, last_id: int, business_date: dt.date) -> tuple[int, int]:
    """PostgreSQL: quiet contracts jump to the date in one statement; the rest close day by
    day (a missed night is caught up in order), a few statements per day for the whole block.
    Returns (contract-days closed, contracts closed by the day statements)."""
    days_advanced = sweep_sql.quiet_jump(first_id=first_id, last_id=last_id, through=business_date)
    oldest = (
        Contract.objects.filter(pk__gte=first_id, pk__lte=last_id, accrued_through__lt=business_date)
        .filter(status__in=[ContractStatus.CURRENT, ContractStatus.DELINQUENT])
        .aggregate(day=Min("accrued_through"))["day"]
    )
    closed = 0
    day = oldest
    while day is not None and day < business_date:
        day += dt.timedelta(days=1)
        count = sweep_sql.close_day(first_id=first_id, last_id=last_id, day=day)
        days_advanced += count
        closed += count
    days_advanced += sweep_sql.charged_off_jump(first_id=first_id, last_id=last_id, through=business_date)
    return days_advanced, closed


def _promises_resolve(contracts: Any, business_date: dt.date) -> int:
    """A promise is kept when payments from its recording to its date reach the amount.

    Only the promises whose date has passed are read, with what was paid towards each in the
    same query; each decision is saved and audited (there are few on any night)."""
    paid_in_window = (
        Payment.objects.filter(
            contract_id=OuterRef("contract_id"),
            status=PaymentStatus.POSTED,
            business_date__gte=OuterRef("recorded_on"),
            business_date__lte=OuterRef("promised_date"),
        )
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    due = list(
        PromiseToPay.objects.filter(
            contract__in=contracts, status=PromiseStatus.OPEN, promised_date__lt=business_date
        ).annotate(paid=Coalesce(Subquery(paid_in_window), ZERO, output_field=DecimalField()))
    )
    for promise in due:
        paid = promise.paid  # type: ignore[attr-defined]
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
    more than the contract's plan_break_days. Only the plans decided tonight are loaded."""
    rows = Installment.objects.filter(plan_id=OuterRef("pk"))
    open_rows = rows.filter(settled_on__isnull=True)
    oldest_open = open_rows.order_by("due_date").values("due_date")[:1]
    candidates = (
        RepaymentPlan.objects.filter(contract__in=contracts, status=PlanStatus.ACTIVE)
        .annotate(has_rows=Exists(rows), oldest_open=Subquery(oldest_open))
        .filter(Q(has_rows=True, oldest_open__isnull=True) | Q(oldest_open__lt=business_date))
        .select_related("contract__customer")
        .order_by("pk")
    )
    decided = 0
    for plan in candidates:
        oldest: dt.date | None = plan.oldest_open  # type: ignore[attr-defined]
        if oldest is None:
            _plan_transition(plan, PlanStatus.KEPT, actor=None, on=business_date)
        elif oldest < business_date - dt.timedelta(days=plan.contract.plan_break_days):
            _plan_transition(plan, PlanStatus.BROKEN, actor=None, on=business_date)
        else:
            continue  # late, but not yet beyond the days the contract allows
        decided += 1
    return decided


def _service_suspensions_apply(contracts: Any, business_date: dt.date) -> int:
    """Suspension takes effect on the date the formal notice named, unless cured meanwhile;
    a suspended contract that is cured (or on a plan) gets its service back.

    Only contracts with a decision tonight are read: suspended ones now up to date or on a
    plan, and notices whose date has come."""
    on_plan = RepaymentPlan.objects.filter(contract_id=OuterRef("pk"), status=PlanStatus.ACTIVE)
    in_range = contracts
    decided = 0
    cured = in_range.filter(service_state=ServiceState.SUSPENDED).filter(Q(days_past_due=0) | Exists(on_plan))
    for contract_id in cured.values_list("pk", flat=True):
        decided += service_restore_if_cured(contract_id=contract_id, on=business_date)
    contracts_due = list(
        in_range.filter(
            service_state=ServiceState.NOTICE_GIVEN, service_effective_date__lte=business_date
        ).select_for_update()
    )
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
