"""A plan request says why; an empty one is refused field by field and creates nothing."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.accounts.factories import make_customer
from tests.portal.test_customer_pages import _overdue, customer_client

pytestmark = pytest.mark.django_db


def _post(client, contract, data):
    response = client.post(reverse("portal:plan_request", kwargs={"pk": contract.pk}), data)
    return response, html.unescape(response.content.decode())


def test_a_plan_request_with_nothing_filled_in_is_refused_with_field_errors():
    me = make_customer()
    contract = _overdue(me)
    client = customer_client(me)
    response, body = _post(client, contract, {})
    assert response.status_code == 200
    assert "请选择月数。" in body  # months
    assert 'id="reason-error"' in body
    response, body = _post(client, contract, {"months": "6", "reason": "   "})
    assert response.status_code == 200 and 'id="reason-error"' in body
    assert "请简要说明您需要还款计划的原因" in body
    assert not contract.plans.exists()
    assert not AuditEvent.objects.filter(action="plan.proposed").exists()


def test_the_schedule_preview_needs_only_the_months():
    me = make_customer()
    contract = _overdue(me)
    client = customer_client(me)
    response = client.get(reverse("portal:plan_request", kwargs={"pk": contract.pk}), {"months": "6"})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and 'id="plan-schedule"' in body
    assert 'id="reason-error"' not in body


def test_a_plan_request_with_a_reason_is_sent():
    me = make_customer()
    contract = _overdue(me)
    response, _body = _post(customer_client(me), contract, {"months": "6", "reason": "收入暂时下降"})
    assert response.status_code == 302
    assert contract.plans.get().reason == "收入暂时下降"
