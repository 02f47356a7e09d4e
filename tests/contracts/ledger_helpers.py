"""Helpers for the ledger acceptance tests: business-date posting, sweeps and snapshots.

A snapshot is everything the ledger derives for a contract, keyed by business meaning
(installment number, not database id), so two contracts that went through the same
history compare equal field by field.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from audit.models import AuditEvent
from contracts import ledger_store
from contracts.models import (
    Adjustment,
    AllocationLine,
    ChargeEntry,
    Contract,
    DelinquencyTransition,
    Installment,
    Payment,
    PromiseToPay,
    Refund,
    RepaymentPlan,
)
from contracts.services import delinquency_sweep_range, payment_post

ZERO = Decimal("0.00")
SERVICE_FIELDS = ["service_state", "service_notice_date", "service_effective_date", "service_suspended_since"]
_refs = itertools.count(1)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware moment on a business date (local time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def sweep(contract: Contract, day: dt.date) -> None:
    """The nightly sweep for ``day``, limited to one contract's id range."""
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)


def sweep_days(contract: Contract, first: dt.date, last: dt.date) -> None:
    day = first
    while day <= last:
        sweep(contract, day)
        day += dt.timedelta(days=1)


def pay(
    contract: Contract, amount: Decimal | str, day: dt.date, *, reference: str | None = None, minute: int = 0
) -> Payment:
    payment, created = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference=reference or f"ref-{next(_refs)}",
        amount=amount,
        received_at=at(day, minute=minute),
    )
    assert created
    return payment


def installments_view(contract: Contract) -> list[dict[str, Any]]:
    rows = Installment.objects.filter(contract=contract).order_by("plan_id", "seq")
    return [
        {
            "plan": row.plan_id is not None,
            "seq": row.seq,
            "due_date": row.due_date,
            **{name: getattr(row, name) for name in ledger_store.INSTALLMENT_FIELDS},
        }
        for row in rows
    ]


def contract_view(contract: Contract) -> dict[str, Any]:
    contract.refresh_from_db()
    return {name: getattr(contract, name) for name in [*ledger_store.CONTRACT_LEDGER_FIELDS, *SERVICE_FIELDS]}


def charges_view(contract: Contract) -> list[tuple[Any, ...]]:
    rows = ChargeEntry.objects.filter(contract=contract).select_related("installment")
    return sorted(
        (
            (
                r.installment.plan_id is not None,
                r.installment.seq,
                r.kind,
                r.from_date,
                r.to_date,
                r.days,
                r.base_amount,
                r.rate,
                r.amount,
                r.capped,
            )
            for r in rows
        ),
        key=repr,
    )


def charge_totals(contract: Contract) -> dict[str, Decimal]:
    totals = ChargeEntry.objects.filter(contract=contract).values("kind").annotate(total=Sum("amount"))
    return {t["kind"]: t["total"] for t in totals}


def transitions_view(contract: Contract) -> list[tuple[Any, ...]]:
    return list(
        DelinquencyTransition.objects.filter(contract=contract)
        .order_by("on_date", "id")
        .values_list("on_date", "from_status", "to_status", "event", "days_past_due", "episode")
    )


def allocation_totals(contract: Contract) -> dict[tuple[Any, ...], Decimal]:
    """Money applied per (installment, component, day, from credit), whichever payment it came from."""
    totals: dict[tuple[Any, ...], Decimal] = {}
    for line in AllocationLine.objects.filter(contract=contract).select_related("installment"):
        inst = line.installment
        key = (
            None if inst is None else (inst.plan_id is not None, inst.seq),
            line.component,
            line.applied_on,
            line.from_credit,
        )
        totals[key] = totals.get(key, ZERO) + line.amount
    return totals


def ledger_snapshot(contract: Contract, *, with_allocations: bool = True) -> dict[str, Any]:
    snap = {
        "installments": installments_view(contract),
        "contract": contract_view(contract),
        "charges": charges_view(contract),
        "charge_totals": charge_totals(contract),
        "transitions": transitions_view(contract),
    }
    if with_allocations:
        snap["allocations"] = allocation_totals(contract)
    return snap


LEDGER_MODELS = [
    Contract,
    Installment,
    Payment,
    AllocationLine,
    ChargeEntry,
    DelinquencyTransition,
    Adjustment,
    Refund,
    RepaymentPlan,
    PromiseToPay,
]


def database_snapshot(*, ignore_actions: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every row of every ledger table, and the audit trail (less the given actions)."""
    snap: dict[str, Any] = {model._meta.label: sorted(model.objects.values_list(), key=repr) for model in LEDGER_MODELS}
    snap["audit"] = list(
        AuditEvent.objects.exclude(action__in=ignore_actions).order_by("id").values_list("id", "action", "object_id")
    )
    return snap


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, as readable paths (empty when equal)."""
    if isinstance(left, dict) and isinstance(right, dict):
        out: list[str] = []
        for key in sorted(set(left) | set(right), key=repr):
            if key not in left or key not in right:
                out.append(f"{path}/{key}: {left.get(key, '<missing>')!r} != {right.get(key, '<missing>')!r}")
            else:
                out.extend(differences(left[key], right[key], f"{path}/{key}"))
        return out
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        out = []
        for n, (a, b) in enumerate(zip(left, right, strict=True)):
            out.extend(differences(a, b, f"{path}[{n}]"))
        return out
    return [] if left == right else [f"{path}: {left!r} != {right!r}"]


def assert_same(left: Any, right: Any) -> None:
    diff = differences(left, right)
    assert not diff, "\n".join(diff[:30])
