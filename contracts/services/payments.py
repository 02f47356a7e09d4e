"""Payments: posting (idempotent per channel and reference), reversal, refunds of credit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.webhooks import WebhookEvent, webhook_events_emit
from audit.services import audit_record
from core.dates import business_date_of
from core.errors import ApplicationError, NotFoundError
from core.money import parse_amount

from .. import ledger
from .. import ledger_store as store
from ..codes import ContractsAction, ContractsError
from ..models import Contract, Payment, PaymentStatus, Refund
from ..selectors import payoff_amount
from ._common import ZERO, _bring_to, _finish, _lock
from .service_state import service_restore_if_cured


@transaction.atomic
def payment_post(
    *,
    actor: User | None,
    contract_id: int,
    channel: str,
    external_reference: str,
    amount: Decimal | str,
    received_at: dt.datetime,
) -> tuple[Payment, bool]:
    """Post a payment and allocate it (fees, penalty, interest, principal; oldest first).

    Idempotent per (channel, external reference): a repeat returns the original payment and
    changes nothing, also when two posts race (the contract row lock and the unique
    constraint serialise them). Returns (payment, created).
    """
    amount = parse_amount(amount)
    if timezone.is_naive(received_at):
        raise ApplicationError(
            code=ContractsError.NAIVE_DATETIME, message="received_at must be timezone-aware", field="received_at"
        )
    contract = _lock(contract_id)
    existing = Payment.objects.filter(channel=channel, external_reference=external_reference).first()
    if existing is not None:
        return _same_payment(existing, contract, amount), False
    day = business_date_of(received_at)
    if day < contract.start_date:
        raise ApplicationError(
            code=ContractsError.PAYMENT_BEFORE_START,
            message=_("A payment cannot be dated before the contract started."),
            field="received_at",
        )
    backdated = contract.accrued_through is not None and day <= contract.accrued_through
    if backdated:
        loaded = store.load([contract])[contract.pk]
    else:
        loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
    limit = payoff_amount(loaded, day)
    if amount > limit:
        raise ApplicationError(
            code=ContractsError.AMOUNT_EXCEEDS_PAYOFF,
            message=_("The most this contract can take today is %(limit)s.") % {"limit": limit},
            field="amount",
            extra={"limit": str(limit)},
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                contract=contract,
                channel=channel,
                external_reference=external_reference,
                amount=amount,
                currency=contract.currency,
                received_at=received_at,
                business_date=day,
                posted_by=actor,
            )
    except IntegrityError:
        existing = Payment.objects.get(channel=channel, external_reference=external_reference)
        return _same_payment(existing, contract, amount), False
    if backdated:
        loaded = store.rebuild(contract)
        _finish(loaded, store.Pending(), max(day, contract.accrued_through or day))
    else:
        result = ledger.DayResult()
        ledger.apply_event(loaded.state, loaded.terms, ledger.PaymentEvent(payment.pk, day, amount), result)
        store.record_day(loaded, result, pending)
        _finish(loaded, pending, day)
    service_restore_if_cured(contract_id=contract.pk, on=day)
    audit_record(
        action=ContractsAction.PAYMENT_POSTED,
        actor=actor,
        obj=payment,
        subject_user_id=contract.customer.user_id,
        data={
            "contract": contract.number,
            "amount": amount,
            "channel": channel,
            "reference": external_reference,
            "business_date": day,
            "backdated": backdated,
        },
    )
    webhook_events_emit([WebhookEvent("payment.posted", str(payment.pk), _payment_data(payment, contract))])
    return payment, True


def _payment_data(payment: Payment, contract: Contract) -> dict[str, object]:
    return {
        "payment": payment.pk,
        "contract": contract.number,
        "customer": contract.customer.customer_number,
        "amount": payment.amount,
        "currency": payment.currency,
        "channel": payment.channel,
        "reference": payment.external_reference,
        "received_at": payment.received_at,
        "business_date": payment.business_date,
        "status": payment.status,
    }


def _same_payment(existing: Payment, contract: Contract, amount: Decimal) -> Payment:
    if existing.contract_id != contract.pk or existing.amount != amount:
        raise ApplicationError(
            code=ContractsError.REFERENCE_CONFLICT,
            message=_("This payment reference was already used for a different payment."),
        )
    return existing


@transaction.atomic
def payment_reverse(*, actor: User | None, payment_id: int, reason: str) -> Payment:
    """A bounced or failed debit: the ledger ends exactly as if the payment never happened."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFoundError(code=ContractsError.PAYMENT_NOT_FOUND, message=_("Payment not found."))
    contract = _lock(payment.contract_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == PaymentStatus.REVERSED:
        return payment
    payment.status = PaymentStatus.REVERSED
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason[:200]
    payment.save(update_fields=["status", "reversed_at", "reversal_reason"])
    try:
        loaded = store.rebuild(contract)
    except ValueError as exc:  # the engine refuses a refund the remaining payments cannot fund
        raise ApplicationError(code=ContractsError.CREDIT_NEGATIVE, message="credit would go negative") from exc
    if loaded.state.credit_balance < ZERO:  # pragma: no cover - engine never lets credit go negative
        raise ApplicationError(code=ContractsError.CREDIT_NEGATIVE, message="credit would go negative")
    _finish(loaded, store.Pending(), contract.accrued_through or business_date_of(timezone.now()))
    audit_record(
        action=ContractsAction.PAYMENT_REVERSED,
        actor=actor,
        obj=payment,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "amount": payment.amount, "reason": reason},
    )
    webhook_events_emit(
        [
            WebhookEvent(
                "payment.reversed",
                str(payment.pk),
                {**_payment_data(payment, contract), "reason": payment.reversal_reason},
            )
        ]
    )
    return payment


@transaction.atomic
def credit_refund(
    *, actor: User | None, contract_id: int, amount: Decimal | str, reference: str, on: dt.date | None = None
) -> Refund:
    """Return (part of) a credit balance to the customer."""
    amount = parse_amount(amount)
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
    if amount > loaded.state.credit_balance:
        raise ApplicationError(
            code=ContractsError.REFUND_EXCEEDS_CREDIT,
            message=_("Only %(credit)s of credit is available to refund.") % {"credit": loaded.state.credit_balance},
            field="amount",
        )
    refund = Refund.objects.create(
        contract=contract, amount=amount, business_date=day, reference=reference, created_by=actor
    )
    result = ledger.DayResult()
    ledger.apply_event(loaded.state, loaded.terms, ledger.RefundEvent(refund.pk, day, amount), result)
    store.record_day(loaded, result, pending)
    _finish(loaded, pending, day)
    audit_record(
        action=ContractsAction.CREDIT_REFUNDED,
        actor=actor,
        obj=refund,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "amount": amount},
    )
    return refund
