"""Reads for the payment pages: a customer sees only their own checkouts and receipts."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User
from contracts.models import AllocationLine, Component, Contract
from contracts.selectors import Balance, contract_balance, contract_get_for_user
from core.errors import NotFoundError
from core.money import format_money as money
from core.money import minimum_custom_payment
from payments.codes import PaymentsError
from payments.models import CheckoutSession, CheckoutStatus


def checkout_get_for_user(*, user: User, token: uuid.UUID) -> CheckoutSession:
    """The customer's own checkout; anyone else's answers not found (never forbidden)."""
    session = (
        CheckoutSession.objects.filter(token=token, customer__user=user)
        .select_related("contract", "customer", "payment")
        .first()
        if user.is_authenticated
        else None
    )
    if session is None:
        raise NotFoundError(code=PaymentsError.CHECKOUT_NOT_FOUND, message=_("Payment not found."))
    return session


@dataclass(frozen=True)
class CheckoutOptions:
    contract: Contract
    balance: Balance
    pay_now: str
    payoff: str
    minimum: str
    # The contract's own allocation order, as labels ("Fees, Penalty interest, …").
    allocation_order: list[str]


def checkout_minimum(*, balance: Balance, currency: str) -> Decimal:
    """The smallest custom amount: the currency's minimum, or all that is due if that is less."""
    due = balance.pay_now if balance.pay_now > 0 else balance.payoff
    return min(minimum_custom_payment(currency), due)


def checkout_options_for_user(*, user: User, contract_id: int) -> CheckoutOptions:
    contract = contract_get_for_user(user=user, pk=contract_id)
    balance = contract_balance(contract=contract)
    return CheckoutOptions(
        contract=contract,
        balance=balance,
        pay_now=money(balance.pay_now, contract.currency),
        payoff=money(balance.payoff, contract.currency),
        minimum=money(checkout_minimum(balance=balance, currency=contract.currency), contract.currency),
        allocation_order=[str(Component(c).label) for c in contract.allocation_order],
    )


@dataclass(frozen=True)
class ReceiptLine:
    installment_seq: int | None
    component: str
    amount: str


@dataclass(frozen=True)
class Receipt:
    session: CheckoutSession
    contract_number: str
    amount: str
    paid_at: dt.datetime
    business_date: dt.date
    reference: str  # the customer-facing receipt number (never the provider's own trade number)
    lines: list[ReceiptLine]
    balance_after: str = ""  # what was left to settle the contract right after the payment


def receipt_for_user(*, user: User, token: uuid.UUID) -> Receipt:
    """Receipt of a succeeded checkout: where the payment went (its allocation on the day it was
    received; later uses of a credit it left are shown on the credit's own receipts)."""
    session = checkout_get_for_user(user=user, token=token)
    payment = session.payment
    if session.status != CheckoutStatus.SUCCEEDED or payment is None:
        raise NotFoundError(
            code=PaymentsError.RECEIPT_NOT_FOUND, message=_("There is no receipt for this payment yet.")
        )
    rows = (
        AllocationLine.objects.filter(payment=payment, from_credit=False).select_related("installment").order_by("id")
    )
    lines = [
        ReceiptLine(
            installment_seq=row.installment.seq if row.installment else None,
            component=str(row.get_component_display()),
            amount=money(row.amount, payment.currency),
        )
        for row in rows
    ]
    return Receipt(
        session=session,
        contract_number=session.contract.number,
        amount=money(Decimal(payment.amount), payment.currency),
        paid_at=payment.received_at,
        business_date=payment.business_date,
        reference=session.receipt_number,
        lines=lines,
        balance_after=money(session.balance_after, payment.currency) if session.balance_after is not None else "",
    )
