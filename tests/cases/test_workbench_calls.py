"""Calls and promises logged on the workbench go through the compliance engine: the contact
hours in the customer's time, the daily limits shared by the lender and agencies, and the
promise that the customer then sees and the sweep decides."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import CallLog
from cases.services import call_log
from contracts.models import PromiseStatus, PromiseToPay
from contracts.services import delinquency_sweep_range, payment_post
from core.errors import ApplicationError
from notices.models import ContactAttempt
from tests.accounts.factories import make_staff
from tests.cases.factories import agency_user, make_agency, overdue_contract, place
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _today_at(hour: int, minute: int = 0) -> dt.datetime:
    from core.dates import business_today

    return dt.datetime.combine(business_today(), dt.time(hour, minute), tzinfo=SHANGHAI)


def test_a_call_at_half_past_nine_in_the_evening_china_time_is_refused_with_the_next_allowed_time():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    late = _today_at(21, 30)
    with pytest.raises(ApplicationError) as excinfo:
        call_log(actor=agent, contract_id=contract.pk, outcome="conversation", at=late)
    error = excinfo.value
    assert error.code == "contact_blocked"
    assert error.extra["reasons"] == ["TIME_WINDOW"]
    assert error.extra["next_allowed_at"] == _today_at(8) + dt.timedelta(days=1)
    assert "TIME_WINDOW" in str(error.message) and "08:00" in str(error.message)
    # The refusal is on record (the engine's verdict), and nothing else happened.
    attempt = ContactAttempt.objects.get(contract=contract)
    assert attempt.verdict == "blocked" and attempt.reason_codes == ["TIME_WINDOW"] and not attempt.outcome
    assert not CallLog.objects.exists()
    assert AuditEvent.objects.filter(action="contact.blocked", object_id=str(attempt.pk)).exists()


def test_the_case_page_refuses_a_late_call_and_shows_the_reason_and_next_time(client: Client):
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    with time_machine.travel(_today_at(21, 30), tick=False):
        login_verified_staff(client, agent)
        page = client.get(reverse("staff:customer_detail", args=[contract.customer_id]))
        body = page.content.decode()
        assert 'data-blocked="TIME_WINDOW"' in body
        response = client.post(
            reverse("staff:account_action", args=[contract.pk, "call"]), {f"call{contract.pk}-outcome": "no_answer"}
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert "TIME_WINDOW" in body and "08:00" in body
    assert not CallLog.objects.exists()


def test_connected_calls_of_the_lender_and_an_agency_count_together_toward_the_daily_limit():
    contract = overdue_contract()
    agency = make_agency()
    place(contract, agency)
    lender_agent = make_staff(Role.AGENT)
    collector = agency_user(agency)
    call_log(actor=lender_agent, contract_id=contract.pk, outcome="conversation", at=_today_at(9))
    call_log(actor=collector, contract_id=contract.pk, outcome="refused", at=_today_at(11))
    call_log(actor=lender_agent, contract_id=contract.pk, outcome="conversation", at=_today_at(14))
    assert list(ContactAttempt.objects.filter(contract=contract).values_list("by", flat=True).order_by("at")) == [
        "lender",
        "agency",
        "lender",
    ]
    with pytest.raises(ApplicationError) as excinfo:
        call_log(actor=collector, contract_id=contract.pk, outcome="conversation", at=_today_at(16))
    assert "DAILY_CONNECTED_CAP" in excinfo.value.extra["reasons"]
    assert excinfo.value.extra["next_allowed_at"] == _today_at(8) + dt.timedelta(days=1)
    # And the other way round: the lender's agent is blocked by the agency's calls too.
    with pytest.raises(ApplicationError) as again:
        call_log(actor=lender_agent, contract_id=contract.pk, outcome="conversation", at=_today_at(17))
    assert "DAILY_CONNECTED_CAP" in again.value.extra["reasons"]
    assert CallLog.objects.filter(contract=contract).count() == 3
    assert CallLog.objects.get(attempt__by="agency").agency == agency


def test_unanswered_calls_do_not_use_up_the_connected_limit():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    for hour in (9, 10, 11, 12):
        call_log(actor=agent, contract_id=contract.pk, outcome="no_answer", at=_today_at(hour))
    call = call_log(actor=agent, contract_id=contract.pk, outcome="voicemail", at=_today_at(13))
    assert call.attempt.outcome == "voicemail"


def test_a_promise_needs_an_amount_and_a_date_and_changes_nothing_without_them():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    with pytest.raises(ApplicationError) as excinfo:
        call_log(actor=agent, contract_id=contract.pk, outcome="promise", promise_amount="100.00", at=_today_at(10))
    assert excinfo.value.code == "promise_details_missing" and excinfo.value.field == "promise_date"
    assert not ContactAttempt.objects.exists() and not PromiseToPay.objects.exists()


def _promise_call(contract, agent, *, amount: str = "500.00", days: int = 3):
    today = _today_at(10)
    return call_log(
        actor=agent,
        contract_id=contract.pk,
        outcome="promise",
        promise_amount=amount,
        promise_date=today.date() + dt.timedelta(days=days),
        note="客户承诺发薪后还款",
        at=today,
    )


def test_a_promise_logged_by_an_agent_shows_on_the_customer_dashboard_and_the_sweep_marks_it_kept():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    call = _promise_call(contract, agent, amount="500.00", days=2)
    promise = call.promise
    assert promise is not None and promise.status == PromiseStatus.OPEN and promise.recorded_by == agent
    assert call.attempt.outcome == "conversation"
    customer = Client()
    login(customer, contract.customer.user)
    body = customer.get(reverse("portal:dashboard")).content.decode()
    assert f'id="promise-{promise.pk}"' in body and "¥500.00" in body

    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank_transfer",
        external_reference=f"ptp-{contract.pk}",
        amount="500.00",
        received_at=_today_at(12),
    )
    delinquency_sweep_range(
        business_date=promise.promised_date + dt.timedelta(days=1), first_id=contract.pk, last_id=contract.pk
    )
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT and promise.paid_towards == Decimal("500.00")
    body = customer.get(reverse("portal:dashboard")).content.decode()
    assert "promise-kept" in body


def test_a_promise_not_paid_is_marked_broken_by_the_sweep_and_the_customer_is_told():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    promise = _promise_call(contract, agent, amount="800.00", days=1).promise
    assert promise is not None
    delinquency_sweep_range(
        business_date=promise.promised_date + dt.timedelta(days=1), first_id=contract.pk, last_id=contract.pk
    )
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN
    customer = Client()
    login(customer, contract.customer.user)
    assert "promise-broken" in customer.get(reverse("portal:dashboard")).content.decode()


def test_a_second_open_promise_is_refused():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    _promise_call(contract, agent)
    with pytest.raises(ApplicationError) as excinfo:
        _promise_call(contract, agent)
    assert excinfo.value.code == "promise_already_open"
    assert PromiseToPay.objects.filter(contract=contract).count() == 1


def test_logging_a_call_from_the_case_page_records_the_promise(client: Client):
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    with time_machine.travel(_today_at(10), tick=False):
        login_verified_staff(client, agent)
        promised = (_today_at(10) + dt.timedelta(days=5)).date().isoformat()
        response = client.post(
            reverse("staff:account_action", args=[contract.pk, "call"]),
            {
                f"call{contract.pk}-outcome": "promise",
                f"call{contract.pk}-promise_amount": "300.00",
                f"call{contract.pk}-promise_date": promised,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        page = client.get(response["Location"]).content.decode()
    promise = PromiseToPay.objects.get(contract=contract)
    assert promise.amount == Decimal("300.00")
    assert f'id="open-promise-{contract.pk}"' in page
    assert AuditEvent.objects.filter(action="call.logged", actor_id=agent.pk).exists()
