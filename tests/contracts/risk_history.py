"""A generated repayment history for the early-warning model's tests: contracts whose
customers have a hidden propensity to pay late (some keep paying late, some get back on
track), written in bulk at the data level the features read (installments with their settled
dates, the payments that settled them, broken promises, delinquency episodes)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from contracts.models import (
    Contract,
    ContractStatus,
    DelinquencyTransition,
    Installment,
    Payment,
    PromiseStatus,
    PromiseToPay,
)
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract

AMOUNT = Decimal("500.00")


def _months(day: dt.date, n: int) -> dt.date:
    month = day.month - 1 + n
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def generate_history(*, contracts: int, start: dt.date, today: dt.date, seed: int = 7, term: int = 12) -> list[int]:
    """``contracts`` contracts starting over the first year after ``start``; history up to
    ``today``. Returns their ids."""
    rng = random.Random(seed)
    template = make_contract(start_date=start, term=term, principal="6000.00")
    customers = [make_customer() for _ in range(5)]
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Contract._meta.concrete_fields
        if f.attname not in ("id", "number", "customer_id", "start_date", "first_due_date", "created_at")
    }
    rows = []
    for n in range(contracts):
        begin = start + dt.timedelta(days=rng.randrange(0, 365))
        rows.append(
            Contract(
                **fields,
                number=f"GEN-{seed}-{n:05d}",
                customer_id=customers[n % len(customers)].pk,
                start_date=begin,
                first_due_date=_months(begin, 1),
            )
        )
    made = Contract.objects.bulk_create(rows)
    installments: list[Installment] = []
    payments: list[Payment] = []
    promises: list[PromiseToPay] = []
    episodes: list[DelinquencyTransition] = []
    received = timezone.now()
    for contract in made:
        propensity = rng.betavariate(1.3, 5.0)  # the customer's hidden lateness
        late_streak = 0
        for seq in range(1, term + 1):
            due = _months(contract.start_date, seq)
            if due > today + dt.timedelta(days=40):
                break
            chance = min(0.95, propensity * (1.6 if late_streak else 1.0))
            if rng.random() < chance:
                days_late = 1 + int(rng.expovariate(1.0 / (3 + 70 * propensity)))
                late_streak += 1
            else:
                days_late = -rng.randrange(0, 6)
                late_streak = 0
            settled = due + dt.timedelta(days=days_late)
            settled_on = settled if settled <= today else None
            installments.append(
                Installment(
                    contract=contract,
                    seq=seq,
                    due_date=due,
                    principal_due=AMOUNT,
                    interest_due=Decimal("0.00"),
                    settled_on=settled_on,
                )
            )
            if settled_on is not None:
                payments.append(
                    Payment(
                        contract=contract,
                        channel="bank",
                        external_reference=f"gen-{contract.pk}-{seq}",
                        amount=AMOUNT,
                        received_at=received,
                        business_date=settled_on,
                    )
                )
            if days_late > 0 and due + dt.timedelta(days=1) <= today:
                episodes.append(
                    DelinquencyTransition(
                        contract=contract,
                        on_date=due + dt.timedelta(days=1),
                        from_status=ContractStatus.CURRENT,
                        to_status=ContractStatus.DELINQUENT,
                        event="became_delinquent",
                        days_past_due=1,
                        episode=seq,
                    )
                )
            if days_late > 10 and due + dt.timedelta(days=10) <= today and rng.random() < 0.6:
                promises.append(
                    PromiseToPay(
                        contract=contract,
                        amount=AMOUNT,
                        promised_date=due + dt.timedelta(days=7),
                        status=PromiseStatus.BROKEN,
                        recorded_on=due + dt.timedelta(days=3),
                        resolved_on=due + dt.timedelta(days=8),
                    )
                )
    Installment.objects.bulk_create(installments)
    Payment.objects.bulk_create(payments)
    PromiseToPay.objects.bulk_create(promises)
    DelinquencyTransition.objects.bulk_create(episodes)
    return [c.pk for c in made]
