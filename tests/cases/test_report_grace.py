"""Grace-period analysis on episodes computed by hand: the cure curve and what other grace
periods would have done to cures within them, late fees and complaints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from appeals.services import case_file
from cases.reports.grace import grace_analysis
from cases.reports.period import Period
from contracts.models import ChargeEntry, DelinquencyTransition, Installment
from tests.accounts.factories import make_staff
from tests.conftest import login_verified_staff
from tests.contracts.factories import make_contract, make_product

pytestmark = pytest.mark.django_db

D = dt.date
Q1 = Period(start=D(2026, 1, 1), end=D(2026, 3, 31))


def _episodes():
    """Grace period 3 days. Four episodes from 2026-01-02: cured after 2 days (no fee), after 4
    days (fee 50), after 10 days (fee 50, a complaint on 01-08) and never (fee 50)."""
    product = make_product(code="grace-loan", grace_days=3)
    cures = [D(2026, 1, 4), D(2026, 1, 6), D(2026, 1, 12), None]
    contracts = []
    for cured in cures:
        contract = make_contract(product=product, start_date=D(2025, 12, 1), first_due_date=D(2026, 1, 1), term=3)
        contracts.append(contract)
        DelinquencyTransition.objects.create(
            contract=contract,
            on_date=D(2026, 1, 2),
            from_status="current",
            to_status="delinquent",
            event="became_delinquent",
            days_past_due=1,
            episode=1,
        )
        if cured is not None:
            DelinquencyTransition.objects.create(
                contract=contract,
                on_date=cured,
                from_status="delinquent",
                to_status="current",
                event="cured",
                episode=1,
            )
        if cured is None or (cured - D(2026, 1, 2)).days > 3:
            ChargeEntry.objects.create(
                contract=contract,
                installment=Installment.objects.get(contract=contract, seq=1),
                kind="late_fee",
                from_date=D(2026, 1, 5),
                to_date=D(2026, 1, 5),
                base_amount=Decimal("900.00"),
                amount=Decimal("50.00"),
            )
    complained = contracts[2]
    case_file(
        actor=complained.customer.user,
        customer=complained.customer,
        kind="complaint",
        category="staff_conduct",
        description="催收电话态度恶劣",
        filed_via="portal",
        contract_id=complained.pk,
        now=timezone.make_aware(dt.datetime(2026, 1, 8, 10)),
    )
    return product


def test_cure_curve_and_other_grace_periods():
    product = _episodes()
    [analysis] = [a for a in grace_analysis(Q1) if a.product == product]
    assert analysis.episodes == 4
    curve = {day: (n, rate) for day, n, rate in analysis.curve}
    assert curve[0] == (4, 0.0) and curve[2] == (4, 0.25) and curve[4] == (4, 0.5) and curve[10] == (4, 0.75)
    assert analysis.fee_per_charged_episode == Decimal("50.00")
    assert analysis.complaints_per_charged_episode == pytest.approx(1 / 3)
    scenarios = {s.grace_days: s for s in analysis.scenarios}
    assert sorted(scenarios) == [1, 2, 3, 4, 5, 6, 8, 10]
    now = scenarios[3]
    assert now.is_current and now.fees == Decimal("150.00") and now.complaints == 1.0 and now.cured_within == 1
    assert (scenarios[1].cured_within, scenarios[1].fees, scenarios[1].complaints) == (0, Decimal("200.00"), 1.3)
    assert (scenarios[4].cured_within, scenarios[4].fees, scenarios[4].complaints) == (2, Decimal("100.00"), 0.7)
    assert (scenarios[10].cured_within, scenarios[10].fees, scenarios[10].complaints) == (3, Decimal("50.00"), 0.3)
    assert scenarios[10].cure_rate == pytest.approx(0.75)


def test_the_grace_page_shows_each_product_with_its_charts():
    product = _episodes()
    client = Client()
    login_verified_staff(client, make_staff(Role.COMPLIANCE_OFFICER))
    body = client.get("/staff/reports/grace/?from=2026-01-01&to=2026-03-31").content.decode()
    assert f'data-product="{product.code}"' in body
    assert f'id="chart-cure_curve_{product.code}"' in body and f'id="chart-grace_{product.code}"' in body
    csv = client.get(f"/staff/reports/grace/?from=2026-01-01&to=2026-03-31&csv=grace_{product.code}")
    lines = csv.content.decode().splitlines()
    assert lines[3] == "3,150.00,1.0"
