"""The staff contract page shows the limitation position and takes the manual time-barred mark;
the customer's contract page tells a US customer in plain words that the debt cannot be sued on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from contracts.codes import ContractsAction
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login, login_verified_staff
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

D = dt.date


def us_contract(start: dt.date, state: str | None = "CA"):
    customer = make_customer(jurisdiction="US-REGF", timezone="America/Los_Angeles", phone="", national_id="")
    return make_contract(customer=customer, start_date=start, term=6, governing_state=state)


def staff_client(role: Role) -> Client:
    client = Client()
    login_verified_staff(client, make_staff(role))
    return client


def test_the_staff_page_shows_the_period_the_date_and_the_badge() -> None:
    contract = us_contract(D(2018, 1, 1))  # first due 2018-02-01: barred since 2022-02-02 (CA, 4 years)
    page = staff_client(Role.AGENT).get(reverse("staff:contract_detail", args=[contract.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="time-barred-badge"' in html
    assert "2022-02-02" in html and "Cal. Civ. Proc. Code § 337" in html
    assert 'name="flagged"' not in html  # agents cannot mark a debt


def test_the_staff_page_of_a_debt_in_period_has_no_badge_and_lists_a_missing_period() -> None:
    recent = us_contract(D(2025, 1, 1))
    client = staff_client(Role.SUPERVISOR)
    html = client.get(reverse("staff:contract_detail", args=[recent.pk])).content.decode()
    assert 'id="time-barred-badge"' not in html
    kentucky = us_contract(D(2010, 1, 1), state="KY")
    html = client.get(reverse("staff:contract_detail", args=[kentucky.pk])).content.decode()
    assert 'id="period-missing"' in html and 'id="time-barred-badge"' not in html


def test_a_supervisor_marks_a_debt_time_barred_and_a_missing_reason_changes_nothing() -> None:
    contract = us_contract(D(2010, 1, 1), state="KY")
    client = staff_client(Role.SUPERVISOR)
    url = reverse("staff:contract_detail", args=[contract.pk])
    refused = client.post(url, {"flagged": "on", "reason": ""})
    assert refused.status_code == 200
    contract.refresh_from_db()
    assert not contract.time_barred_flag
    saved = client.post(url, {"flagged": "on", "reason": "defaulted in 2010"})
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert contract.time_barred_flag and contract.time_barred_flag_reason == "defaulted in 2010"
    assert AuditEvent.objects.filter(action=ContractsAction.TIME_BARRED_FLAG_SET).count() == 1
    assert 'id="time-barred-badge"' in client.get(url).content.decode()


def test_an_agent_cannot_mark_a_debt() -> None:
    contract = us_contract(D(2010, 1, 1), state="KY")
    response = staff_client(Role.AGENT).post(
        reverse("staff:contract_detail", args=[contract.pk]), {"flagged": "on", "reason": "x"}
    )
    assert response.status_code == 403
    contract.refresh_from_db()
    assert not contract.time_barred_flag


@pytest.mark.parametrize(("language", "text"), [("en", "we cannot sue you for it"), ("zh-hans", "起诉")])
def test_the_customer_reads_that_the_lender_cannot_sue(language: str, text: str) -> None:
    contract = us_contract(D(2018, 1, 1))
    contract.customer.user.language = language
    contract.customer.user.save(update_fields=["language"])
    client = Client()
    login(client, contract.customer.user)
    html = client.get(reverse("portal:contract", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE=language)
    body = html.content.decode()
    assert 'id="time-barred-statement"' in body and text in body


def test_no_statement_for_a_debt_in_period_or_under_chinese_law() -> None:
    for contract in (us_contract(D(2025, 1, 1)), us_contract(D(2010, 1, 1), state=None)):
        client = Client()
        login(client, contract.customer.user)
        body = client.get(reverse("portal:contract", args=[contract.pk])).content.decode()
        assert 'id="time-barred-statement"' not in body
