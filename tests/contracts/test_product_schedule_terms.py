"""A product's schedule conventions are terms: copied into the terms version, applied when a
contract opens on it (unchanged by later edits of the product), and shown to the customer."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Installment
from contracts.selectors import contract_cost_of_credit
from contracts.services import contract_create, terms_publish
from core.errors import ApplicationError
from tests.accounts.factories import make_customer
from tests.contracts.factories import TERMS_TEXT_EN, TERMS_TEXT_ZH, make_contract, make_product
from tests.portal.test_customer_pages import customer_client

pytestmark = pytest.mark.django_db


def _schedule(contract) -> list[tuple[dt.date, Decimal, Decimal]]:
    rows = Installment.objects.filter(contract=contract).order_by("seq")
    return [(r.due_date, r.principal_due, r.interest_due) for r in rows]


def test_terms_version_records_the_conventions_and_the_contract_follows_them() -> None:
    product = make_product(
        annual_interest_rate=Decimal("0.12"),
        repayment_every=2,
        repayment_unit="week",
        day_count="actual/365",
        grace_principal_periods=1,
    )
    contract = make_contract(product=product, principal="1000.00", term=4, start_date=dt.date(2026, 1, 1))
    params = contract.terms.parameters
    assert (params["every"], params["unit"], params["day_count"], params["grace_principal"]) == (
        2,
        "week",
        "actual/365",
        1,
    )
    rows = _schedule(contract)
    # Every two weeks from the start; 14 days at 12 %/365 on 1000 = 4.60; no principal in period 1.
    assert [r[0] for r in rows] == [
        dt.date(2026, 1, 15),
        dt.date(2026, 1, 29),
        dt.date(2026, 2, 12),
        dt.date(2026, 2, 26),
    ]
    assert rows[0][1:] == (Decimal("0.00"), Decimal("4.60"))
    assert sum(r[1] for r in rows) == Decimal("1000.00")
    # The IRR rate of a bi-weekly schedule is annualised over 26 periods: 26 x 14 days at 12 %/365.
    rate = contract_cost_of_credit(contract=contract).annualised_rate
    assert rate is not None and abs(rate - Decimal("0.12") * 364 / 365) < Decimal("0.0005")

    # Editing the product later changes nothing in the accepted terms or the contract.
    product.repayment_unit = "month"
    product.save()
    contract.refresh_from_db()
    assert contract.terms.parameters["unit"] == "week"


def test_a_start_date_that_is_not_one_period_before_the_first_due_date_is_a_broken_period() -> None:
    product = make_product(annual_interest_rate=Decimal("0.12"))
    full = make_contract(product=product, principal="1200.00", term=3, start_date=dt.date(2026, 2, 1))
    broken = make_contract(
        product=product,
        principal="1200.00",
        term=3,
        start_date=dt.date(2026, 1, 15),
        first_due_date=dt.date(2026, 3, 1),
    )
    assert _schedule(full)[0][2] == Decimal("12.00")
    assert _schedule(broken)[0][2] == Decimal("18.58")  # 1200 x 1 % x (1 + 17/31)


def test_a_fixed_payment_sets_the_term_within_the_products_range() -> None:
    product = make_product(annual_interest_rate=Decimal("0.12"), max_term=6)
    terms = terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH, text_en=TERMS_TEXT_EN)
    contract = contract_create(
        actor=None,
        customer=make_customer(),
        terms=terms,
        principal=Decimal("1000.00"),
        term=None,
        start_date=dt.date(2026, 1, 1),
        fixed_payment=Decimal("300.00"),
    )
    assert contract.term == 4 and [r[1] + r[2] for r in _schedule(contract)][:3] == [Decimal("300.00")] * 3
    with pytest.raises(ApplicationError) as refused:
        contract_create(
            actor=None,
            customer=make_customer(),
            terms=terms,
            principal=Decimal("1000.00"),
            term=None,
            start_date=dt.date(2026, 1, 1),
            fixed_payment=Decimal("100.00"),
        )
    assert refused.value.code == "term_out_of_range"


def test_the_customer_sees_how_the_schedule_is_computed() -> None:
    customer = make_customer()
    make_product_kwargs = {"installment_multiple": Decimal("10"), "month_end_roll": True, "interest_free_periods": 2}
    contract = make_contract(customer=customer, **make_product_kwargs)
    response = customer_client(customer).get(reverse("portal:contract", kwargs={"pk": contract.pk}))
    body = html.unescape(response.content.decode())
    assert "您的还款计划如何计算" in body
    assert "每 1 月" in body and "30/360" in body and "免息期数" in body
    assert "按 10.00 取最接近的倍数" in body
