"""Checkout starts are limited per account and per client IP; a clear 429, audited once."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from core import throttle
from payments.models import CheckoutSession
from tests.accounts.factories import make_customer
from tests.conftest import login
from tests.payments.test_payments import overdue_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sandbox_and_fixed_window(settings, monkeypatch):
    settings.PAYMENT_PROVIDER = "sandbox"
    monkeypatch.setattr(throttle, "_now", lambda: 4_000_000.0)


def client_for(profile, ip: str = "192.0.2.20") -> Client:
    client = Client(REMOTE_ADDR=ip)
    login(client, profile.user)
    return client


def test_checkout_starts_are_limited_per_account(settings):
    settings.RATE_LIMIT_CHECKOUT_PER_ACCOUNT = 2
    contract = overdue_contract()
    statuses = []
    for n in range(4):
        client = client_for(contract.customer, ip=f"192.0.2.{30 + n}")
        statuses.append(client.post("/pay/start/", {"contract": contract.pk, "choice": "overdue"}).status_code)
    assert statuses == [302, 302, 429, 429]
    assert CheckoutSession.objects.filter(contract=contract).count() == 2
    events = AuditEvent.objects.filter(action="payment.checkout_rate_limited")
    assert events.count() == 1 and events.get().subject_user_id == contract.customer.user_id


def test_checkout_starts_are_limited_per_ip(settings):
    settings.RATE_LIMIT_CHECKOUT_PER_IP = 1
    first, second = overdue_contract(), overdue_contract(make_customer())
    assert (
        client_for(first.customer).post("/pay/start/", {"contract": first.pk, "choice": "overdue"}).status_code == 302
    )
    response = client_for(second.customer).post("/pay/start/", {"contract": second.pk, "choice": "overdue"})
    assert response.status_code == 429 and 'id="rate-limited"' in response.content.decode()
    assert not CheckoutSession.objects.filter(contract=second).exists()
    # Looking at the page is not limited.
    assert client_for(second.customer).get(f"/pay/start/?contract={second.pk}").status_code == 200
