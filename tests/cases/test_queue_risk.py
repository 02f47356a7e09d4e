"""The early-warning score orders the work queue: of two accounts alike in days past due and
amount, the one more likely to reach 30 days past due comes first, marked high risk."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from cases.selectors_queue import RISK_WEIGHT, QueueFilters, work_queue
from contracts.models import ContractRiskScore
from core.dates import business_today
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


def _score(contract, probability: str, band: str) -> None:
    ContractRiskScore.objects.create(
        contract=contract, probability=Decimal(probability), band=band, method="rule", scored_on=business_today()
    )


def _queue(user):
    return list(work_queue(user=user, filters=QueueFilters(), today=business_today(), now=timezone.now()))


def test_the_riskier_account_comes_first():
    agent = make_staff(Role.AGENT)
    calm, risky, unscored = (overdue_contract(started_days_ago=45) for _ in range(3))
    assert calm.days_past_due == risky.days_past_due == unscored.days_past_due > 0
    _score(calm, "0.0800", "low")
    _score(risky, "0.6200", "high")
    ordered = _queue(agent)
    assert [c.pk for c in ordered] == [risky.pk, calm.pk, unscored.pk]
    assert ordered[0].risk_probability == Decimal("0.6200") and ordered[0].risk_band == "high"
    assert ordered[0].priority - ordered[1].priority == (Decimal("0.62") - Decimal("0.08")) * RISK_WEIGHT
    assert ordered[2].risk_probability == 0 and ordered[2].risk_band is None
    # Longer overdue still weighs more than a small difference in risk.
    older = overdue_contract(started_days_ago=45 + 30)
    _score(older, "0.0500", "low")
    assert _queue(agent)[0].pk == older.pk


def test_the_queue_page_marks_high_risk_accounts():
    agent = make_staff(Role.AGENT)
    risky = overdue_contract(started_days_ago=45)
    _score(risky, "0.7000", "high")
    client = Client()
    login_verified_staff(client, agent)
    body = client.get("/staff/queue/").content.decode()
    assert "risk-high" in body and risky.number in body
