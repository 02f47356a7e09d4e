"""The pay page reads amounts by one rule and never guesses what a customer meant."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client

from audit.models import AuditEvent
from payments.models import CheckoutSession
from tests.conftest import login
from tests.payments.test_payments import overdue_contract

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sandbox_provider(settings):
    settings.PAYMENT_PROVIDER = "sandbox"


@pytest.fixture
def chinese_client():
    contract = overdue_contract()
    client = Client()
    login(client, contract.customer.user)
    return contract, client


def _start(client, contract, **data):
    response = client.post("/pay/start/", {"contract": contract.pk, **data})
    return response, html.unescape(response.content.decode())


def test_an_amount_typed_while_overdue_is_chosen_is_refused_not_ignored(chinese_client):
    contract, client = chinese_client
    response, body = _start(client, contract, choice="overdue", amount="5.00")
    assert response.status_code == 400
    assert "您输入了金额" in body and "其他金额" in body
    assert not CheckoutSession.objects.exists()
    assert not AuditEvent.objects.filter(action="payment.checkout_started").exists()


def test_the_typed_amount_is_paid_when_another_amount_is_chosen(chinese_client):
    contract, client = chinese_client
    response, _body = _start(client, contract, choice="custom", amount="5.00")
    assert response.status_code == 302
    assert CheckoutSession.objects.get().amount == Decimal("5.00")


def test_the_pay_page_selects_another_amount_when_one_is_typed(chinese_client):
    contract, client = chinese_client
    page = client.get(f"/pay/start/?contract={contract.pk}").content.decode()
    assert "js/pay.js" in page and 'id="choice-custom"' in page and 'id="id_amount"' in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1,50", "请输入金额，例如 1234.50。"),
        ("1_000", "请输入金额，例如 1234.50。"),
        ("٣", "请输入金额，例如 1234.50。"),
        ("1e3", "请输入金额，例如 1234.50。"),
        ("1e27", "请输入金额，例如 1234.50。"),
        ("9" * 29, "该金额超过了我们受理的单笔还款上限。"),
        ("1" * 40, None),
    ],
)
def test_malformed_amounts_are_refused_with_a_translated_error_and_no_500(chinese_client, amount, message):
    contract, client = chinese_client
    response, body = _start(client, contract, choice="custom", amount=amount)
    assert response.status_code == 400
    assert 'id="amount-error"' in body
    if message:
        assert message in body
    assert not CheckoutSession.objects.exists()


@pytest.mark.parametrize(("amount", "value"), [("１２.５０", "12.50"), ("1,000.00", "1000.00")])
def test_full_width_digits_and_grouped_thousands_are_read(chinese_client, amount, value):
    contract, client = chinese_client
    response, _body = _start(client, contract, choice="custom", amount=amount)
    assert response.status_code == 302
    assert CheckoutSession.objects.get().amount == Decimal(value)
