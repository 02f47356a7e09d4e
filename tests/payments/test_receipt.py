"""A receipt says what is left to pay and carries our reference, never the provider's."""

from __future__ import annotations

import html

import pytest
from django.utils import timezone

from contracts.selectors import contract_balance
from core.money import format_money
from payments.models import CheckoutSession
from tests.payments.test_payments import overdue_contract
from tests.portal.test_customer_pages import customer_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sandbox_provider(settings):
    settings.PAYMENT_PROVIDER = "sandbox"


def test_the_receipt_shows_the_balance_left_and_a_customer_facing_receipt_number():
    contract = overdue_contract()
    client = customer_client(contract.customer)
    client.post("/pay/start/", {"contract": contract.pk, "choice": "custom", "amount": "100.00"})
    session = CheckoutSession.objects.get()
    client.post(f"/pay/sandbox/{session.token}/", {"outcome": "pay"})
    session.refresh_from_db()
    left = contract_balance(contract=contract).payoff
    assert session.balance_after == left
    body = html.unescape(client.get(f"/pay/receipt/{session.token}/").content.decode())
    after = body.split('id="receipt-balance-after"', 1)[1].split("</dd>", 1)[0]
    assert format_money(left, contract.currency) in after
    number = body.split('id="receipt-number"', 1)[1].split("</dd>", 1)[0]
    day = timezone.localdate(session.payment.received_at)
    assert f"R{day:%Y%m%d}-{session.token.hex[:8].upper()}" in number
    assert session.provider_trade_no not in body and "sandbox:" not in body
    pdf = client.get(f"/pay/receipt/{session.token}.pdf")
    assert pdf.status_code == 200 and session.provider_trade_no.encode() not in pdf.content
