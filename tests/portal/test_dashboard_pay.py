"""The dashboard's first job for a customer in arrears: a way to pay."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from contracts.selectors import contract_balance
from core.dates import business_today
from core.money import format_money
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract
from tests.portal.test_customer_pages import _overdue, customer_client

pytestmark = pytest.mark.django_db


def _dashboard(client) -> str:
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_an_overdue_customer_gets_a_primary_pay_action_leading_to_the_prefilled_pay_page():
    me = make_customer()
    contract = _overdue(me)
    client = customer_client(me)
    body = _dashboard(client)
    match = re.search(r'<a class="btn btn-primary[^"]*" id="pay-overdue" href="([^"]+)"', body)
    assert match, "no primary pay action on the dashboard"
    pay_now = contract_balance(contract=contract).pay_now
    assert format_money(pay_now, contract.currency) in body.split('id="pay-overdue"', 1)[1].split("</a>", 1)[0]
    page = client.get(match.group(1))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert re.search(r'id="choice-overdue" value="overdue" checked', text)
    assert format_money(pay_now, contract.currency) in text


def test_each_overdue_contract_has_its_own_pay_button_and_the_main_action_opens_the_furthest_behind():
    me = make_customer()
    older = _overdue(me)
    current = make_contract(customer=me, start_date=business_today())  # nothing due yet: no pay button
    client = customer_client(me)
    second = _overdue(me)
    body = _dashboard(client)
    buttons = re.findall(r'class="btn btn-sm btn-primary pay-contract" href="([^"]+)"', body)
    start = reverse("payments:start")
    assert sorted(buttons) == sorted([f"{start}?contract={older.pk}", f"{start}?contract={second.pk}"])
    assert f"{start}?contract={current.pk}" not in body
    main = re.search(r'id="pay-overdue" href="([^"]+)"', body).group(1)
    assert main in (f"{start}?contract={older.pk}", f"{start}?contract={second.pk}")


def test_a_customer_with_nothing_due_sees_no_pay_action():
    me = make_customer()
    make_contract(customer=me, start_date=business_today())
    body = _dashboard(customer_client(me))
    assert 'id="pay-overdue"' not in body and "pay-contract" not in body
