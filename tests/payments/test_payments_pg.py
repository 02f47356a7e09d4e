"""Concurrent deliveries of one provider callback post exactly one payment (real PostgreSQL row locks)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from contracts.models import Payment
from contracts.services import delinquency_sweep_range
from payments.models import CheckoutSession, CheckoutStatus
from payments.providers import SandboxProvider
from payments.services import checkout_start
from tests.contracts.factories import make_contract

THREADS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_callbacks_post_exactly_one_payment(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    today = timezone.localdate()
    contract = make_contract(start_date=today - dt.timedelta(days=120))
    delinquency_sweep_range(business_date=today - dt.timedelta(days=1), first_id=contract.pk, last_id=contract.pk)
    user = contract.customer.user
    session = checkout_start(actor=user, user=user, contract_id=contract.pk, choice="overdue")
    payload = SandboxProvider().callback_payload(session, paid=True)

    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, bytes]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = client.post("/pay/callback/sandbox/", payload)
            with lock:
                results.append((response.status_code, response.content))
        except BaseException as exc:  # reported below; a thread must not die silently
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert results == [(200, b"success")] * THREADS
    assert Payment.objects.filter(contract=contract).count() == 1
    session = CheckoutSession.objects.get(pk=session.pk)
    assert session.status == CheckoutStatus.SUCCEEDED
    assert session.payment == Payment.objects.get(contract=contract)
    assert session.payment.amount == session.amount
    assert AuditEvent.objects.filter(action="payment.checkout_succeeded", object_id=str(session.pk)).count() == 1
    assert AuditEvent.objects.filter(action="payment.posted", object_id=str(session.payment.pk)).count() == 1
