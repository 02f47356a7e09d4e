"""The contract page as a customer in arrears sees it: every charge explained with its amount,
the status that matters (suspension, charge-off), the terms exactly as accepted."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import ChargeKind
from contracts.selectors import contract_charges_explained
from tests.accounts.factories import make_customer
from tests.portal.test_customer_pages import _overdue, customer_client

pytestmark = pytest.mark.django_db


def _page(client, contract) -> str:
    response = client.get(reverse("portal:contract", kwargs={"pk": contract.pk}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_every_penalty_and_fee_is_explained_on_the_page_with_its_amount():
    me = make_customer()
    contract = _overdue(me)
    explained = contract_charges_explained(contract=contract)
    kinds = {item.kind for item in explained}
    assert {ChargeKind.PENALTY, ChargeKind.LATE_FEE} <= kinds, kinds
    body = _page(customer_client(me), contract)
    section = body.split('id="charges-explained"', 1)[1].split("</section>", 1)[0]
    with translation.override("zh-hans"):
        texts = [item.text for item in contract_charges_explained(contract=contract)]
    for text in texts:
        assert text in section
    assert "50.00" in section  # the fixed late fee, amount included
    assert "No penalty interest or fees have been charged." not in body
    assert "尚未产生罚息或费用。" not in body
