"""Stable codes of the payments app: errors its services raise and actions its audit events
record. Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class PaymentsError(StrEnum):
    AMOUNT_ABOVE_PAYOFF = "amount_above_payoff"
    AMOUNT_BELOW_MINIMUM = "amount_below_minimum"
    AMOUNT_MISMATCH = "amount_mismatch"
    CHECKOUT_NOT_FOUND = "checkout_not_found"
    CONTRACT_NOT_FOUND = "contract_not_found"
    INVALID_CHOICE = "invalid_choice"
    NOTHING_DUE = "nothing_due"
    NOTHING_TO_PAY = "nothing_to_pay"
    PROVIDER_MISMATCH = "provider_mismatch"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    RECEIPT_NOT_FOUND = "receipt_not_found"


class PaymentsAction(StrEnum):
    PAYMENT_CALLBACK_IGNORED = "payment.callback_ignored"
    PAYMENT_CALLBACK_REFUSED = "payment.callback_refused"
    PAYMENT_CALLBACK_REJECTED = "payment.callback_rejected"
    PAYMENT_CHECKOUT_EXPIRED = "payment.checkout_expired"
    PAYMENT_CHECKOUT_FAILED = "payment.checkout_failed"
    PAYMENT_CHECKOUT_RATE_LIMITED = "payment.checkout_rate_limited"
    PAYMENT_CHECKOUT_STARTED = "payment.checkout_started"
    PAYMENT_CHECKOUT_SUCCEEDED = "payment.checkout_succeeded"
    PAYMENT_POSTING_REFUSED = "payment.posting_refused"
