"""Two staff decide the same dispute at the same moment (two requests, two database sessions on
PostgreSQL): one decision is recorded, once; the other person is told who decided first and
that theirs was not recorded, and sees the case as it now stands."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from appeals.models import Case, CaseEvent, CaseStatus
from appeals.services import case_acknowledge
from audit.models import AuditEvent
from tests.accounts.factories import make_staff
from tests.appeals.test_appeal_views import file_dispute, overdue
from tests.conftest import login_verified_staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_resolving_one_dispute_at_once_one_wins_the_other_gets_a_clear_conflict():
    contract = overdue()
    case = file_dispute(contract, evidence=False)
    first, second = make_staff(Role.SUPERVISOR), make_staff(Role.SUPERVISOR)
    case_acknowledge(actor=first, case_id=case.pk)
    clients = []
    for user in (first, second):
        client = Client()
        login_verified_staff(client, user)
        clients.append(client)
    url = reverse("staff:appeal_case", kwargs={"pk": case.pk})
    decisions = [
        {"action": "resolve", "outcome": "upheld", "reasons": "The fee was charged in error."},
        {"action": "resolve", "outcome": "rejected", "reasons": "The fee was due under the terms."},
    ]
    for client in clients:  # both have the case open, with the decision form
        assert 'id="resolve-form"' in client.get(url).content.decode()

    start = threading.Barrier(2)
    answers: list[tuple[int, int, str]] = []

    def decide(n: int) -> None:
        try:
            start.wait()
            response = clients[n].post(url, decisions[n])
            answers.append((n, response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(code for _n, code, _body in answers) == [302, 409]
    [(winner, _c, _b)] = [a for a in answers if a[1] == 302]
    [(_loser, _c, page)] = [a for a in answers if a[1] == 409]
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.outcome == decisions[winner]["outcome"] and case.reasons == decisions[winner]["reasons"]
    assert case.first_reviewer == (first, second)[winner]
    winner_name = (first, second)[winner].full_name
    assert winner_name in page and ("已经" in page or "already decided" in page)  # who decided, not a bare error
    assert decisions[winner]["reasons"] in page  # the loser sees the decision that stands
    assert 'id="resolve-form"' not in page
    assert AuditEvent.objects.filter(action="case.resolved", object_id=str(case.pk)).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="resolved").count() == 1
    assert Case.objects.filter(pk=case.pk, status=CaseStatus.RESOLVED).count() == 1
