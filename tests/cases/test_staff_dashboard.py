"""The staff dashboard lists the work: open cases by deadline, new disputes, SLA breaches,
holds in force, today's promises — scoped to the role, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from appeals.services import case_file
from contracts.services import delinquency_sweep_range, promise_record
from core.dates import business_today
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login_verified_staff
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


def _disputed_customer(*, filed_days_ago: int = 0, promise_today: bool = True):
    profile = make_customer()
    today = business_today()
    contract = make_contract(customer=profile, start_date=today - dt.timedelta(days=70))
    delinquency_sweep_range(business_date=today - dt.timedelta(days=1), first_id=contract.pk, last_id=contract.pk)
    case = case_file(
        actor=profile.user,
        customer=profile,
        kind="dispute",
        category="charge_challenged",
        description="违约金不应收取",
        filed_via="portal",
        contract_id=contract.pk,
        now=timezone.now() - dt.timedelta(days=filed_days_ago),
    )
    if promise_today:
        promise_record(actor=None, contract_id=contract.pk, amount="100.00", promised_date=today, on=today)
    return contract, case


def _client(role: Role) -> Client:
    client = Client()
    login_verified_staff(client, make_staff(role))
    return client


def test_the_dashboard_lists_the_work_with_counts_and_links():
    fresh_contract, fresh = _disputed_customer()
    old_contract, old = _disputed_customer(filed_days_ago=40, promise_today=False)
    body = _client(Role.SUPERVISOR).get("/staff/").content.decode()
    open_cases = _section(body, "work-open-cases")
    assert f"/staff/appeals/{old.pk}/" in open_cases and f"/staff/appeals/{fresh.pk}/" in open_cases
    assert open_cases.index(old.reference) < open_cases.index(fresh.reference)  # soonest deadline first
    assert _count(open_cases) == 2
    assert _count(_section(body, "work-new-disputes")) == 2
    breaches = _section(body, "work-breaches")
    assert old.reference in breaches and fresh.reference not in breaches and _count(breaches) == 1
    holds = _section(body, "work-holds")
    assert fresh_contract.number in holds and old_contract.number in holds and _count(holds) == 2
    promises = _section(body, "work-promises")
    assert fresh_contract.number in promises and old_contract.number not in promises and _count(promises) == 1
    # The heartbeat and nightly panels stay.
    assert 'id="beat-status"' in body and 'id="nightly-batch"' in body


def test_roles_see_only_their_work():
    contract, case = _disputed_customer()
    field = _client(Role.FIELD_OFFICER).get("/staff/").content.decode()
    assert "work-open-cases" not in field and case.reference not in field  # no case handling
    assert contract.number in _section(field, "work-holds")
    agency = _client(Role.AGENCY).get("/staff/").content.decode()
    assert case.reference not in agency and contract.number not in agency  # nothing placed with it
    assert _count(_section(agency, "work-holds")) == 0 and _count(_section(agency, "work-promises")) == 0


def test_the_dashboard_costs_the_same_queries_whatever_the_number_of_rows():
    client = _client(Role.SUPERVISOR)
    _disputed_customer()
    client.get("/staff/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staff/").status_code == 200
    for n in range(7):
        _disputed_customer(filed_days_ago=40 if n % 2 else 0)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/staff/").content.decode()
    assert _count(_section(body, "work-open-cases")) == 8
    assert len(many.captured_queries) <= len(few.captured_queries) + 5  # only the counts of panels past 5 rows
    assert len(many.captured_queries) <= 24


def _section(body: str, element_id: str) -> str:
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</div>", start)]


def _count(section: str) -> int:
    marker = 'work-count">'
    start = section.index(marker) + len(marker)
    return int(section[start : section.index("<", start)])
