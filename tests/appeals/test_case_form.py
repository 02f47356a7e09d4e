"""The case form from the dashboard: a dispute names its contract and lists only its reasons."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from appeals.models import Case
from tests.accounts.factories import make_customer
from tests.portal.test_customer_pages import _overdue, customer_client

pytestmark = pytest.mark.django_db


def _options(body: str) -> list[str]:
    select = body.split('name="category"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([a-z_]+)"', select)


def test_the_dispute_form_from_the_dashboard_lists_only_dispute_reasons_and_needs_a_contract():
    me = make_customer()
    first = _overdue(me)
    second = _overdue(me)
    client = customer_client(me)
    body = html.unescape(client.get(reverse("portal:appeal_new"), {"kind": "dispute"}).content.decode())
    assert _options(body) == ["amount_wrong", "already_paid", "not_my_debt", "not_received", "charge_challenged"]
    assert "illness" not in _options(body)
    contract_select = body.split('name="contract"', 1)[1].split("</select>", 1)[0]
    assert "请选择合同" in contract_select and "不涉及具体合同" not in contract_select
    assert f'value="{first.pk}"' in contract_select and f'value="{second.pk}"' in contract_select
    assert 'id="kind-refresh"' in body and 'formmethod="get"' in body  # works without JavaScript

    response = client.post(
        reverse("portal:appeal_new"), {"kind": "dispute", "category": "amount_wrong", "description": "wrong fee"}
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "请选择所涉及的合同。" in text
    assert response.context["form"].errors["contract"]
    assert not Case.objects.exists()


def test_a_customer_with_one_contract_has_it_chosen_for_a_dispute():
    me = make_customer()
    only = _overdue(me)
    body = customer_client(me).get(reverse("portal:appeal_new"), {"kind": "dispute"}).content.decode()
    assert f'<option value="{only.pk}" selected>' in body


def test_a_reason_of_another_kind_is_refused_with_a_clear_error_and_the_right_reasons_shown():
    me = make_customer()
    contract = _overdue(me)
    client = customer_client(me)
    response = client.post(
        reverse("portal:appeal_new"),
        {"kind": "dispute", "category": "illness", "contract": contract.pk, "description": "ill"},
    )
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "这个原因与上面所选的事项不符" in text
    assert "illness" not in _options(text) and "amount_wrong" in _options(text)
    assert not Case.objects.exists()


def test_hardship_lists_hardship_reasons_and_a_complaint_needs_no_contract():
    me = make_customer()
    _overdue(me)
    client = customer_client(me)
    hardship = client.get(reverse("portal:appeal_new"), {"kind": "hardship"}).content.decode()
    assert _options(hardship) == ["income_loss", "illness", "other_hardship"]
    complaint = html.unescape(client.get(reverse("portal:appeal_new"), {"kind": "complaint"}).content.decode())
    assert "不涉及具体合同" in complaint.split('name="contract"', 1)[1].split("</select>", 1)[0]
    response = client.post(
        reverse("portal:appeal_new"), {"kind": "complaint", "category": "staff_conduct", "description": "rude call"}
    )
    assert response.status_code == 302 and Case.objects.get().contract is None
