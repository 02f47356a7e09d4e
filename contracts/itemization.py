"""The itemization of a debt for a US validation notice (12 CFR 1006.34(c)(2)(vi)-(viii)):
what was owed on the itemization date and, since then, interest, fees, and payments and
credits, up to the amount owed now. Reads only; figures come from replaying the ledger.

The amount owed on a day is what settles the contract that day (the portal's "to settle
everything", ``Balance.payoff``): all principal outstanding, interest of the installments
already due, penalty interest and fees, less credit. Interest that falls due after the
itemization date counts as interest charged since, together with penalty interest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import ledger
from . import ledger_store as store
from .choices import ItemizationBasis, PaymentStatus
from .models import Contract, DelinquencyTransition, Installment, Payment

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Itemization:
    basis: str  # the ItemizationBasis actually used
    itemization_date: dt.date
    as_of: dt.date
    owed_at_itemization: Decimal
    interest_since: Decimal
    fees_since: Decimal
    payments_credits_since: Decimal
    owed_now: Decimal

    @property
    def reconciles(self) -> bool:
        return (
            self.owed_at_itemization + self.interest_since + self.fees_since - self.payments_credits_since
            == self.owed_now
        )


def itemization_date_for(contract: Contract, basis: str, as_of: dt.date) -> tuple[str, dt.date]:
    """The itemization date under the product's basis, and the basis used: a contract never
    charged off is itemized at its last statement, one without payments at its transaction
    date (the reference date must exist, and a debt keeps the one first used)."""
    if basis == ItemizationBasis.CHARGE_OFF:
        charged_off = (
            DelinquencyTransition.objects.filter(contract=contract, event="charged_off", on_date__lte=as_of)
            .order_by("on_date")
            .values_list("on_date", flat=True)
            .first()
        )
        if charged_off is not None:
            return ItemizationBasis.CHARGE_OFF, charged_off
        basis = ItemizationBasis.LAST_STATEMENT
    if basis == ItemizationBasis.LAST_PAYMENT:
        paid = (
            Payment.objects.filter(contract=contract, status=PaymentStatus.POSTED, business_date__lte=as_of)
            .order_by("-business_date")
            .values_list("business_date", flat=True)
            .first()
        )
        if paid is not None:
            return ItemizationBasis.LAST_PAYMENT, paid
        basis = ItemizationBasis.TRANSACTION
    if basis == ItemizationBasis.LAST_STATEMENT:
        statement = (
            Installment.objects.filter(contract=contract, plan__isnull=True, due_date__lte=as_of)
            .order_by("-due_date")
            .values_list("due_date", flat=True)
            .first()
        )
        if statement is not None:
            return ItemizationBasis.LAST_STATEMENT, statement
    return ItemizationBasis.TRANSACTION, contract.start_date


def _owed(state: ledger.State, on: dt.date) -> Decimal:
    total = ZERO
    for inst in state.active_installments():
        total += inst.outstanding("principal") + inst.outstanding("penalty") + inst.outstanding("fee")
        if inst.due_date <= on:
            total += inst.outstanding("interest")
    return max(total - state.credit_balance, ZERO)


def debt_itemization(*, contract: Contract, basis: str, as_of: dt.date) -> Itemization:
    """The validation notice's figures for ``contract`` on ``as_of``."""
    used, day = itemization_date_for(contract, basis, as_of)
    day = min(day, as_of)
    then, _ = store.state_on(contract, day)
    now, _ = store.state_on(contract, as_of)
    owed_then, owed_now = _owed(then, day), _owed(now, as_of)
    interest_due = sum((i.interest_due for i in now.active_installments() if day < i.due_date <= as_of), ZERO)
    penalty = sum((i.penalty_accrued for i in now.installments), ZERO) - sum(
        (i.penalty_accrued for i in then.installments), ZERO
    )
    fees = sum((i.fee_charged for i in now.installments), ZERO) - sum((i.fee_charged for i in then.installments), ZERO)
    interest = interest_due + penalty
    # Whatever else moved the debt were payments and credits applied to it (payments less
    # refunds, waivers, write-downs); computed so the notice's lines always add up.
    payments = owed_then + interest + fees - owed_now
    return Itemization(
        basis=used,
        itemization_date=day,
        as_of=as_of,
        owed_at_itemization=owed_then,
        interest_since=interest,
        fees_since=fees,
        payments_credits_since=payments,
        owed_now=owed_now,
    )
