"""A small portfolio whose report figures are computed by hand (see the tests that use it).

Five 3-installment contracts from 2025-12-15, due 2026-01-15, 02-15 and 03-15:

| contract | history | 01-31 | 02-28 | 03-31 |
| --- | --- | --- | --- | --- |
| A | pays each on its due date, paid off 03-15 | M0 | M0 | closed |
| B | #1 on 02-10, #2 on 02-20, #3 open | M1 (16) | M0 | M1 (16) |
| C | never pays | M1 (16) | M2 (44) | M3 (75) |
| D | #1 on 01-20, then nothing | M0 | M1 (13) | M2 (44) |
| E | never pays, charged off 03-20 | M1 (16) | M2 (44) | charged off |
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from contracts.models import (
    Contract,
    DelinquencyTransition,
    Installment,
    Payment,
    PaymentStatus,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
)
from tests.contracts.factories import make_contract, make_product

D = dt.date
SETTLED = {
    "A": {1: D(2026, 1, 15), 2: D(2026, 2, 15), 3: D(2026, 3, 15)},
    "B": {1: D(2026, 2, 10), 2: D(2026, 2, 20)},
    "C": {},
    "D": {1: D(2026, 1, 20)},
    "E": {},
}


def build() -> dict[str, Contract]:
    product = make_product(code="report-loan", grace_days=3)
    contracts: dict[str, Contract] = {}
    for name, settled in SETTLED.items():
        contract = make_contract(
            product=product, start_date=D(2025, 12, 15), first_due_date=D(2026, 1, 15), term=3, principal="3000.00"
        )
        contracts[name] = contract
        for seq, day in settled.items():
            Installment.objects.filter(contract=contract, seq=seq).update(settled_on=day)
    DelinquencyTransition.objects.create(
        contract=contracts["A"], on_date=D(2026, 3, 15), from_status="current", to_status="paid_off", event="paid_off"
    )
    DelinquencyTransition.objects.create(
        contract=contracts["E"],
        on_date=D(2026, 3, 20),
        from_status="delinquent",
        to_status="charged_off",
        event="charged_off",
        days_past_due=64,
        episode=1,
    )
    return contracts


def promises_and_plans(contracts: dict[str, Contract]) -> None:
    """Promises due in January: 3 kept, 1 broken, 1 open; in March 1 broken (kept rate 3/5
    overall, 3/4 in January, 0 in March). Plans ended in February: 1 kept, 1 broken; one
    cancelled (not counted)."""
    statuses = [
        (D(2026, 1, 10), PromiseStatus.KEPT),
        (D(2026, 1, 12), PromiseStatus.KEPT),
        (D(2026, 1, 20), PromiseStatus.KEPT),
        (D(2026, 1, 25), PromiseStatus.BROKEN),
        (D(2026, 1, 28), PromiseStatus.OPEN),
        (D(2026, 3, 3), PromiseStatus.BROKEN),
        (D(2026, 3, 4), PromiseStatus.CANCELLED),
    ]
    for day, status in statuses:
        PromiseToPay.objects.create(
            contract=contracts["B"], amount=Decimal("100.00"), promised_date=day, status=status, recorded_on=day
        )
    for status in (PlanStatus.KEPT, PlanStatus.BROKEN, PlanStatus.CANCELLED):
        RepaymentPlan.objects.create(
            contract=contracts["C"],
            status=status,
            months=3,
            first_due_date=D(2026, 1, 1),
            proposed_on=D(2025, 12, 20),
            closed_on=D(2026, 2, 14),
        )


def payments(contracts: dict[str, Contract]) -> None:
    """Bank 1,000.00 + 250.50 in January, Alipay 300.00 in February; a reversed 99.00 and a
    payment before the period do not count."""
    rows = [
        ("A", "bank", "1000.00", D(2026, 1, 15), PaymentStatus.POSTED),
        ("B", "bank", "250.50", D(2026, 1, 31), PaymentStatus.POSTED),
        ("D", "alipay", "300.00", D(2026, 2, 3), PaymentStatus.POSTED),
        ("D", "alipay", "99.00", D(2026, 2, 4), PaymentStatus.REVERSED),
        ("A", "bank", "77.00", D(2025, 12, 31), PaymentStatus.POSTED),
    ]
    for n, (name, channel, amount, day, status) in enumerate(rows):
        Payment.objects.create(
            contract=contracts[name],
            channel=channel,
            external_reference=f"report-{n}",
            amount=Decimal(amount),
            received_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
            business_date=day,
            status=status,
        )
