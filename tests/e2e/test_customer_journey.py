"""A demo customer logs in, sees the overdue amount, pays it through the sandbox, sees the
contract become current, asks for a plan with a PDF, and switches to English and back."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from contracts.models import Contract, ContractStatus, RepaymentPlan
from portal.demo import DEMO_PASSWORD, load_demo_data
from tests.contracts.evidence_files import minimal_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_pays_overdue_amount_asks_for_a_plan_and_switches_language(live_server, page, shoot, tmp_path):
    load_demo_data(today=timezone.localdate())
    contract = Contract.objects.get(customer__user__phone="+8613800138002")
    assert contract.status == ContractStatus.DELINQUENT

    page.goto(live_server.url + "/accounts/login/")
    shoot(page, "01-login")
    page.fill("#id_username", "13800138002")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/me/$"))
    overdue = page.inner_text("#overdue-total")
    assert overdue.startswith("¥") and overdue != "¥0.00"
    shoot(page, "02-dashboard-overdue")

    page.goto(live_server.url + f"/me/contracts/{contract.pk}/")
    shoot(page, "03-contract")
    page.click("#pay-button")
    assert page.inner_text("#pay-overdue-amount") == overdue
    shoot(page, "04-pay-choice")
    page.click("#pay-submit")
    page.wait_for_selector("#sandbox-pay")
    shoot(page, "05-sandbox-checkout")
    page.click("#sandbox-pay")
    page.wait_for_load_state("networkidle")
    shoot(page, "06-payment-result")

    contract.refresh_from_db()
    assert contract.status == ContractStatus.CURRENT
    page.goto(live_server.url + f"/me/contracts/{contract.pk}/")
    assert page.inner_text("#contract-overdue") == "¥0.00"
    shoot(page, "07-contract-current")

    pdf = tmp_path / "wage-statement.pdf"
    pdf.write_bytes(minimal_pdf())
    page.goto(live_server.url + f"/me/contracts/{contract.pk}/plan/")
    page.select_option("#id_months", "3")
    page.wait_for_selector("#plan-schedule")
    page.fill("#id_reason", "工资下降，申请分期还款")
    page.set_input_files("#id_evidence", str(pdf))
    shoot(page, "08-plan-request")
    page.click("#plan-submit")
    page.wait_for_url(re.compile(rf"/me/contracts/{contract.pk}/$"))
    shoot(page, "09-plan-requested")
    plan = RepaymentPlan.objects.get(contract=contract)
    assert plan.months == 3 and plan.evidence.name.endswith(".pdf")

    page.click(".navbar-toggler")  # on a phone the language switch sits in the menu
    page.select_option("#language-select", "en")
    page.click("#language-submit")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Schedule" in page.content()
    shoot(page, "10-english")
    page.click(".navbar-toggler")
    page.select_option("#language-select", "zh-hans")
    page.click("#language-submit")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    shoot(page, "11-chinese-again")
