"""The work queue: ordered by one priority, filtered, saved, assigned by supervisors (one or
many), the "next account" button, counts on the dashboard, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import Assignment, SavedView, Team
from cases.selectors_queue import QueueFilters, next_account, work_queue
from cases.services import accounts_assign, call_log, saved_view_save
from contracts.services import hold_place, promise_record
from core.dates import business_today
from core.errors import ApplicationError
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    login_verified_staff(client, user)
    return client


def _queue(user, **filters):
    return list(work_queue(user=user, filters=QueueFilters(**filters), today=business_today(), now=timezone.now()))


def test_priority_puts_longer_overdue_first_promises_today_up_and_holds_last():
    agent = make_staff(Role.AGENT)
    young = overdue_contract(started_days_ago=40)
    old = overdue_contract(started_days_ago=100)
    held = overdue_contract(started_days_ago=130)
    hold_place(actor=None, contract_id=held.pk, reason="hardship")
    assert [c.pk for c in _queue(agent)] == [old.pk, young.pk, held.pk]
    promise_record(actor=agent, contract_id=young.pk, amount="100.00", promised_date=business_today())
    ordered = _queue(agent)
    assert [c.pk for c in ordered] == [young.pk, old.pk, held.pk]
    assert ordered[0].promise_today and ordered[-1].on_hold and ordered[1].overdue_amount > 0
    assert [c.pk for c in _queue(agent, hide_held=True)] == [young.pk, old.pk]
    assert [c.pk for c in _queue(agent, promise_today=True)] == [young.pk]


def test_supervisors_assign_one_or_many_accounts_and_agents_cannot():
    supervisor = make_staff(Role.SUPERVISOR)
    agent, other = make_staff(Role.AGENT), make_staff(Role.AGENT)
    team = Team.objects.create(name="华东一组")
    team.members.add(agent)
    a, b, c = overdue_contract(), overdue_contract(), overdue_contract()
    assert accounts_assign(actor=supervisor, contract_ids=[a.pk, b.pk], agent_id=agent.pk, team_id=team.pk) == 2
    assert {x.pk for x in _queue(agent, scope="mine")} == {a.pk, b.pk}
    assert {x.pk for x in _queue(agent, scope="team")} == {a.pk, b.pk}
    assert {x.pk for x in _queue(supervisor, scope="unassigned")} == {c.pk}
    accounts_assign(actor=supervisor, contract_ids=[b.pk], agent_id=other.pk)
    assert Assignment.objects.get(contract=b).agent == other
    event = AuditEvent.objects.filter(action="assignment.set", object_id=str(Assignment.objects.get(contract=b).pk))
    assert event.latest("id").data["before"] == {"agent": agent.pk, "team": team.pk}
    with pytest.raises(ApplicationError):
        accounts_assign(actor=agent, contract_ids=[c.pk], agent_id=agent.pk)
    with pytest.raises(ApplicationError) as excinfo:
        accounts_assign(actor=supervisor, contract_ids=[c.pk], agent_id=other.pk, team_id=team.pk)
    assert excinfo.value.code == "assignee_invalid"
    assert not Assignment.objects.filter(contract=c).exists()


def test_bulk_assignment_from_the_queue_page():
    supervisor = make_staff(Role.SUPERVISOR)
    agent = make_staff(Role.AGENT)
    a, b = overdue_contract(), overdue_contract()
    client = _client(supervisor)
    response = client.post(
        reverse("staff:queue_assign"), {"contracts": [a.pk, b.pk], "agent": agent.pk, "team": "", "back": "scope=all"}
    )
    assert response.status_code == 302
    assert set(Assignment.objects.filter(agent=agent).values_list("contract_id", flat=True)) == {a.pk, b.pk}


def test_next_account_skips_held_accounts_and_those_already_called_today():
    agent = make_staff(Role.AGENT)
    first = overdue_contract(started_days_ago=100)
    second = overdue_contract(started_days_ago=70)
    held = overdue_contract(started_days_ago=130)
    hold_place(actor=None, contract_id=held.pk, reason="hardship")
    filters = QueueFilters()
    now = timezone.now()
    assert next_account(user=agent, filters=filters, today=business_today(), now=now) == first
    ten = dt.datetime.combine(business_today(), dt.time(10), tzinfo=timezone.get_current_timezone())
    call_log(actor=agent, contract_id=first.pk, outcome="no_answer", at=ten)
    assert next_account(user=agent, filters=filters, today=business_today(), now=now) == second
    assert next_account(user=agent, filters=filters, today=business_today(), now=now, skip=second.pk) is None


def test_queue_page_next_button_and_saved_views(django_assert_max_num_queries):
    agent = make_staff(Role.AGENT)
    contracts = [overdue_contract(started_days_ago=40 + 10 * n) for n in range(4)]
    client = _client(agent)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("staff:queue"))
    body = page.content.decode()
    assert page.status_code == 200 and all(c.number in body for c in contracts)
    assert body.index(contracts[-1].number) < body.index(contracts[0].number)
    for _n in range(6):
        overdue_contract()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("staff:queue")).status_code == 200
    nxt = client.get(reverse("staff:queue_next"))
    assert nxt.status_code == 302 and f"/staff/customers/{contracts[-1].customer_id}/" in nxt["Location"]
    saved = client.post(reverse("staff:saved_view_save"), {"name": "M2 以上", "dpd_min": "31", "scope": "all"})
    assert saved.status_code == 302
    view = SavedView.objects.get(owner=agent)
    assert view.filters == {"scope": "all", "dpd_min": "31"}
    assert "M2 以上" in client.get(reverse("staff:queue")).content.decode()
    with pytest.raises(ApplicationError):
        saved_view_save(actor=agent, name="", filters={})


def test_dashboard_counts_the_agents_accounts():
    supervisor = make_staff(Role.SUPERVISOR)
    agent = make_staff(Role.AGENT)
    a, _b = overdue_contract(), overdue_contract()
    accounts_assign(actor=supervisor, contract_ids=[a.pk], agent_id=agent.pk)
    body = _client(agent).get(reverse("staff:home")).content.decode()
    assert 'id="work-my-accounts"' in body and a.number in body
    body = _client(supervisor).get(reverse("staff:home")).content.decode()
    assert 'id="count-unassigned">1<' in body


def test_the_early_warning_score_raises_an_account_in_the_queue():
    from decimal import Decimal

    from contracts.models import ContractRiskScore

    agent = make_staff(Role.AGENT)
    a = overdue_contract(started_days_ago=70)
    b = overdue_contract(started_days_ago=70)
    assert [c.pk for c in _queue(agent)] == [a.pk, b.pk]
    ContractRiskScore.objects.create(
        contract=b, probability=Decimal("0.9000"), band="high", method="rule", scored_on=business_today()
    )
    ordered = _queue(agent)
    assert [c.pk for c in ordered] == [b.pk, a.pk]
    assert ordered[0].priority - ordered[1].priority == Decimal("90")
