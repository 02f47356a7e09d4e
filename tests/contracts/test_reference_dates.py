"""References carry the business date (Asia/Shanghai), the date the pages show, not the UTC one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from appeals.services import case_file
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

# 01:30 on 2 December in Shanghai is still 1 December in UTC.
EARLY_MORNING = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.UTC)


def test_a_contract_made_early_in_the_morning_is_numbered_with_the_shanghai_date(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: EARLY_MORNING)
    contract = make_contract(start_date=dt.date(2026, 12, 2))
    assert contract.number.startswith("FD20261202"), contract.number


def test_a_dispute_filed_early_in_the_morning_has_the_shanghai_date_in_its_reference():
    me = make_customer()
    contract = make_contract(customer=me, start_date=dt.date(2026, 11, 1))
    case = case_file(
        actor=me.user,
        customer=me,
        kind="dispute",
        category="amount_wrong",
        description="wrong",
        filed_via="portal",
        contract_id=contract.pk,
        now=EARLY_MORNING,
    )
    assert case.reference.startswith("D20261202-"), case.reference


def test_a_receipt_number_has_the_business_date_of_the_payment():
    from payments.models import CheckoutSession

    contract = make_contract(start_date=dt.date(2026, 11, 1))
    from contracts.services import payment_post

    payment, _created = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="sandbox",
        external_reference="SBX-early",
        amount="10.00",
        received_at=EARLY_MORNING,
    )
    session = CheckoutSession.objects.create(
        contract=contract,
        customer=contract.customer,
        amount=payment.amount,
        currency="CNY",
        choice="custom",
        provider="sandbox",
        status="succeeded",
        payment=payment,
    )
    assert session.receipt_number.startswith("R20261202-")
