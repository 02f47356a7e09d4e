"""Checkout: a customer starts paying a contract; the provider's verified callback completes it.

The ledger write is ``contracts.services.payment_post`` (channel = provider, external reference =
the provider's trade number), run in the same transaction as the session's status change, so a
session is marked paid exactly when its payment is posted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from contracts.models import Contract
from contracts.selectors import contract_balance, contract_get_for_user
from contracts.services import payment_post
from core.errors import ApplicationError, NotFoundError
from core.money import format_money as money
from core.money import parse_amount
from core.throttle import pending_add, pending_take, window_hit
from payments.codes import PaymentsAction, PaymentsError
from payments.models import CheckoutChoice, CheckoutProvider, CheckoutSession, CheckoutStatus

from .providers import CallbackResult, InvalidSignature, get_provider
from .selectors import checkout_minimum

ZERO = Decimal("0.00")
logger = logging.getLogger(__name__)


@transaction.atomic
def checkout_start(*, actor: User, user: User, contract_id: int, choice: str, amount: Any = None) -> CheckoutSession:
    """Open a checkout for one of the customer's own contracts.

    ``overdue`` pays what brings the contract up to date today (overdue + due now − credit) and is
    refused when nothing is overdue or due; ``payoff`` settles the contract; ``custom`` takes any
    amount from 1.00 (or the whole amount due now, if smaller) up to the payoff, so a customer can
    never overpay through the portal. Another customer's contract answers not found.
    """
    contract = contract_get_for_user(user=user, pk=contract_id)
    balance = contract_balance(contract=contract)
    payoff = balance.payoff
    if payoff <= ZERO:
        raise ApplicationError(code=PaymentsError.NOTHING_TO_PAY, message=_("Nothing is owed on this contract."))
    if choice == CheckoutChoice.OVERDUE:
        value = balance.pay_now
        if value <= ZERO:
            raise ApplicationError(
                code=PaymentsError.NOTHING_DUE, message=_("Nothing is overdue or due today on this contract.")
            )
    elif choice == CheckoutChoice.PAYOFF:
        value = payoff
    elif choice == CheckoutChoice.CUSTOM:
        value = parse_amount("" if amount is None else amount)
        minimum = checkout_minimum(balance=balance, currency=contract.currency)
        if value < minimum:
            raise ApplicationError(
                code=PaymentsError.AMOUNT_BELOW_MINIMUM,
                message=_("The smallest amount you can pay is %(minimum)s.")
                % {"minimum": money(minimum, contract.currency)},
                field="amount",
                extra={"minimum": str(minimum)},
            )
        if value > payoff:
            raise ApplicationError(
                code=PaymentsError.AMOUNT_ABOVE_PAYOFF,
                message=_("The most you can pay on this contract is %(payoff)s, which settles it in full.")
                % {"payoff": money(payoff, contract.currency)},
                field="amount",
                extra={"maximum": str(payoff)},
            )
    else:
        raise ApplicationError(code=PaymentsError.INVALID_CHOICE, message=_("Choose what you want to pay."))
    provider = settings.PAYMENT_PROVIDER
    if provider not in CheckoutProvider.values:
        raise ApplicationError(
            code=PaymentsError.PROVIDER_UNAVAILABLE, message=_("Online payment is not available right now.")
        )
    session = CheckoutSession.objects.create(
        contract=contract,
        customer=contract.customer,
        amount=value,
        currency=contract.currency,
        choice=choice,
        provider=provider,
    )
    audit_record(
        action=PaymentsAction.PAYMENT_CHECKOUT_STARTED,
        actor=actor,
        obj=session,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "amount": value, "choice": choice, "provider": provider},
    )
    return session


@transaction.atomic
def checkout_rate_limited_record(*, actor: User, scope: str, per_window: int, window_seconds: int) -> None:
    """A customer (or their address) went over the checkout-start limit: once per window."""
    audit_record(
        action=PaymentsAction.PAYMENT_CHECKOUT_RATE_LIMITED,
        actor=actor,
        subject_user_id=actor.pk,
        data={"limit": scope, "per_window": per_window, "window_seconds": window_seconds},
        system="payments",
    )


def _refuse(session: CheckoutSession, result: CallbackResult, *, code: str, message: str) -> ApplicationError:
    audit_record(
        action=PaymentsAction.PAYMENT_CALLBACK_REFUSED,
        actor=None,
        obj=session,
        subject_user_id=session.customer.user_id,
        data={
            "code": code,
            "provider": result.provider,
            "trade_no": result.trade_no,
            "amount": result.amount,
            "expected_amount": session.amount,
            "status": result.status,
        },
        system=f"payments:{result.provider or session.provider}",
    )
    return ApplicationError(code=code, message=message)


def checkout_complete(*, result: CallbackResult) -> CheckoutSession:
    """Apply a verified provider callback to its session; safe to call any number of times.

    The session row is locked first, so duplicate and concurrent deliveries queue behind each
    other: the first posts the payment, the rest find the session succeeded and change nothing
    (``payment_post`` is idempotent per provider and trade number as a second guard). A callback
    whose amount differs from the session's, or from another provider, is refused and audited and
    changes nothing else.
    """
    refusal: ApplicationError | None = None
    with transaction.atomic():
        session = (
            CheckoutSession.objects.select_for_update()
            .select_related("customer", "contract")
            .filter(token=result.token)
            .first()
        )
        if session is None:
            raise NotFoundError(code=PaymentsError.CHECKOUT_NOT_FOUND, message=_("Payment not found."))
        if result.provider and result.provider != session.provider:
            refusal = _refuse(
                session,
                result,
                code=PaymentsError.PROVIDER_MISMATCH,
                message=_("This payment belongs to another provider."),
            )
        elif session.status == CheckoutStatus.SUCCEEDED:
            if result.status == CheckoutStatus.FAILED:
                # e.g. the trade closed after a full refund: a refund is its own flow, never a status change
                audit_record(
                    action=PaymentsAction.PAYMENT_CALLBACK_IGNORED,
                    actor=None,
                    obj=session,
                    subject_user_id=session.customer.user_id,
                    data={"provider": session.provider, "trade_no": result.trade_no, "status": result.status},
                    system=f"payments:{session.provider}",
                )
            return session
        elif result.status == CheckoutStatus.SUCCEEDED:
            if result.amount != session.amount:
                refusal = _refuse(
                    session,
                    result,
                    code=PaymentsError.AMOUNT_MISMATCH,
                    message=_("The amount paid does not match the amount of this payment."),
                )
            elif not session.can_succeed():  # pragma: no cover - every non-final state may succeed
                return session
            else:
                return _succeed(session, result)
        elif result.status == CheckoutStatus.FAILED:
            if session.can_fail():
                _fail(session, result.reason or "declined by the provider", trade_no=result.trade_no)
            return session
        else:
            return session  # still waiting for the customer (e.g. WAIT_BUYER_PAY)
    # Raised only now, so that the refusal's audit event is committed rather than rolled back.
    assert refusal is not None
    raise refusal


def _succeed(session: CheckoutSession, result: CallbackResult) -> CheckoutSession:
    try:
        payment, created = payment_post(
            actor=None,
            contract_id=session.contract_id,
            channel=session.provider,
            external_reference=result.trade_no,
            amount=session.amount,
            received_at=timezone.now(),
        )
    except ApplicationError as exc:
        # The money has moved but the ledger refused it (e.g. the contract was settled meanwhile):
        # the session fails with the reason and the audit event, for staff to refund or post by hand.
        _fail(
            session,
            f"{exc.code}: {exc.message}"[:200],
            trade_no=result.trade_no,
            action=PaymentsAction.PAYMENT_POSTING_REFUSED,
        )
        return session
    session.status = CheckoutStatus.SUCCEEDED
    session.payment = payment
    session.provider_trade_no = result.trade_no
    session.completed_at = timezone.now()
    session.failure_reason = ""
    # Read inside the same transaction, right after the posting: what the receipt says is left.
    session.balance_after = contract_balance(contract=Contract.objects.get(pk=session.contract_id)).payoff
    session.save(
        update_fields=["status", "payment", "provider_trade_no", "completed_at", "failure_reason", "balance_after"]
    )
    audit_record(
        action=PaymentsAction.PAYMENT_CHECKOUT_SUCCEEDED,
        actor=None,
        obj=session,
        subject_user_id=session.customer.user_id,
        data={
            "contract": session.contract.number,
            "amount": session.amount,
            "provider": session.provider,
            "trade_no": result.trade_no,
            "payment": payment.pk,
            "payment_created": created,
        },
        system=f"payments:{session.provider}",
    )
    return session


def _fail(
    session: CheckoutSession, reason: str, *, trade_no: str, action: str = PaymentsAction.PAYMENT_CHECKOUT_FAILED
) -> None:
    session.status = CheckoutStatus.FAILED
    session.failure_reason = str(reason)[:200]
    session.completed_at = timezone.now()
    fields = ["status", "failure_reason", "completed_at"]
    if trade_no and not session.provider_trade_no:
        session.provider_trade_no = trade_no[:64]
        fields.append("provider_trade_no")
    session.save(update_fields=fields)
    audit_record(
        action=action,
        actor=None,
        obj=session,
        subject_user_id=session.customer.user_id,
        data={"provider": session.provider, "trade_no": trade_no, "reason": session.failure_reason},
        system=f"payments:{session.provider}",
    )


def checkout_callback(
    *, provider: str, source: HttpRequest | Mapping[str, Any], remote_ip: str | None
) -> CheckoutSession:
    """Verify a provider's callback and apply it. A callback that fails verification changes
    nothing and is re-raised; refusals are recorded in aggregate (``callback_rejection_note``)."""
    handler = get_provider(provider)
    try:
        result = handler.verify_callback(source)
    except InvalidSignature as exc:
        callback_rejection_note(provider=provider, remote_ip=remote_ip, reason=str(exc))
        raise
    return checkout_complete(result=result)


REJECTION_SCOPE = "payments.callback_rejected"


def callback_rejection_note(*, provider: str, remote_ip: str | None, reason: str) -> None:
    """Record a refused (unverifiable) callback without letting a flood of them fill the trail.

    Every refusal is counted in the cache; at most one ``payment.callback_rejected`` event is
    written per provider and remote address per window (``PAYMENT_CALLBACK_REJECT_WINDOW_SECONDS``),
    on the window's first refusal. Its ``count`` is the number of refusals from that provider and
    address since the previous such event, this one included, so none goes uncounted.
    """
    key = f"{provider}|{remote_ip or ''}"
    pending = pending_add(REJECTION_SCOPE, key)
    window = int(getattr(settings, "PAYMENT_CALLBACK_REJECT_WINDOW_SECONDS", 600))
    hit = window_hit(REJECTION_SCOPE, key, window_seconds=window)
    logger.warning("payment callback refused: provider=%s remote_ip=%s reason=%s", provider, remote_ip, reason)
    if not hit.first:
        return
    with transaction.atomic():
        audit_record(
            action=PaymentsAction.PAYMENT_CALLBACK_REJECTED,
            actor=None,
            object_type="payments.checkoutsession",
            data={
                "provider": provider,
                "remote_ip": remote_ip or "",
                "reason": reason,
                "count": pending,
                "window_seconds": window,
            },
            system=f"payments:{provider}",
        )
    pending_take(REJECTION_SCOPE, key, pending)


CHECKOUT_LIFETIME = dt.timedelta(minutes=30)


@transaction.atomic
def checkout_expire_stale(*, now: dt.datetime | None = None) -> int:
    """Pending checkouts older than their lifetime expire (a late but valid success
    notification still completes them: money that moved is always posted)."""
    now = now or timezone.now()
    stale = list(
        CheckoutSession.objects.select_for_update()
        .select_related("customer")
        .filter(status=CheckoutStatus.PENDING, created_at__lt=now - CHECKOUT_LIFETIME)
    )
    for session in stale:
        session.status = CheckoutStatus.EXPIRED
        session.completed_at = now
        session.save(update_fields=["status", "completed_at"])
        audit_record(
            action=PaymentsAction.PAYMENT_CHECKOUT_EXPIRED,
            actor=None,
            obj=session,
            subject_user_id=session.customer.user_id,
            system="payments",
            data={"amount": session.amount, "provider": session.provider},
        )
    return len(stale)
