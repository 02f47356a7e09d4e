"""The report metrics on a small portfolio computed by hand (tests/cases/report_portfolio.py):
buckets at each month end, roll rates, cure rate, promise-kept and plan-kept rates and the
money recovered by channel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases.reports.collection import plan_kept_rates, promise_kept_rates, recovered_by_channel
from cases.reports.period import Period, period_parse
from cases.reports.portfolio import CHARGED_OFF, CLOSED, portfolio_history
from tests.cases import report_portfolio

pytestmark = pytest.mark.django_db

Q1 = Period(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))


def test_buckets_at_each_month_end() -> None:
    report_portfolio.build()
    history = portfolio_history(Q1)
    assert history.days == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    zero = {"M0": 0, "M1": 0, "M2": 0, "M3": 0, "M4": 0, "M5+": 0, CHARGED_OFF: 0}
    assert history.buckets_on(0) == {**zero, "M0": 2, "M1": 3}
    assert history.buckets_on(1) == {**zero, "M0": 2, "M1": 1, "M2": 2}
    assert history.buckets_on(2) == {**zero, "M1": 1, "M2": 1, "M3": 1, CHARGED_OFF: 1}


def test_roll_rates_and_cure_rate() -> None:
    report_portfolio.build()
    history = portfolio_history(Q1)
    february = history.roll_matrix(1)
    assert february["M0"]["M0"] == 1 and february["M0"]["M1"] == 1  # A stays, D rolls
    assert february["M1"]["M0"] == 1 and february["M1"]["M2"] == 2  # B cures; C, E roll
    march = history.roll_matrix(2)
    assert march["M0"][CLOSED] == 1 and march["M0"]["M1"] == 1  # A paid off, B overdue again
    assert march["M1"]["M2"] == 1  # D
    assert march["M2"]["M3"] == 1 and march["M2"][CHARGED_OFF] == 1  # C, E
    rates = history.roll_forward_rates()
    assert rates[0]["M0"] == pytest.approx(1 / 2) and rates[0]["M1"] == pytest.approx(2 / 3)
    assert rates[0]["M2"] is None  # nobody was in M2 at the end of January
    assert rates[1]["M0"] == pytest.approx(1 / 2)
    assert rates[1]["M1"] == pytest.approx(1.0) and rates[1]["M2"] == pytest.approx(1 / 2)
    assert history.cure_rates() == [(3, 1, pytest.approx(1 / 3)), (3, 0, 0.0)]


def test_promise_and_plan_kept_rates() -> None:
    contracts = report_portfolio.build()
    report_portfolio.promises_and_plans(contracts)
    promises = promise_kept_rates(Q1)
    assert [(r.month, r.kept, r.broken) for r in promises] == [("2026-01", 3, 1), ("2026-03", 0, 1), ("", 3, 2)]
    assert promises[0].rate == pytest.approx(0.75) and promises[-1].rate == pytest.approx(0.6)
    plans = plan_kept_rates(Q1)
    assert [(r.month, r.kept, r.broken) for r in plans] == [("2026-02", 1, 1), ("", 1, 1)]
    assert plans[-1].rate == pytest.approx(0.5)


def test_recovered_by_channel_reconciles_with_posted_payments() -> None:
    contracts = report_portfolio.build()
    report_portfolio.payments(contracts)
    months, by_channel, totals = recovered_by_channel(Q1)
    assert months == ["2026-01", "2026-02", "2026-03"]
    assert by_channel["bank"] == {"2026-01": Decimal("1250.50"), "2026-02": Decimal("0.00"), "2026-03": Decimal("0.00")}
    assert by_channel["alipay"]["2026-02"] == Decimal("300.00")
    assert [(t.key, t.payments, t.amount) for t in totals] == [
        ("bank", 2, Decimal("1250.50")),
        ("alipay", 1, Decimal("300.00")),
    ]


def test_period_filter_refuses_bad_ranges() -> None:
    today = dt.date(2026, 6, 15)
    period, error = period_parse("2026-03-01", "2026-02-01", today=today)
    assert error and period == Period(start=dt.date(2025, 6, 1), end=dt.date(2026, 6, 14))
    assert period_parse("yesterday", "", today=today)[1]
    assert period_parse("2020-01-01", "2026-01-01", today=today)[1]
    assert period_parse("2026-01-01", "2026-01-31", today=today) == (
        Period(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31)),
        "",
    )


def test_the_reconstruction_agrees_with_the_ledger_on_the_last_closed_day() -> None:
    from django.db.models import Sum

    from cases.reports.portfolio import delinquent_on, ledger_buckets, open_count_on
    from contracts.models import Contract, ContractStatus, Installment
    from tests.contracts.factories import make_contract
    from tests.contracts.ledger_helpers import pay, sweep_days

    start, day = dt.date(2026, 1, 1), dt.date(2026, 3, 10)
    on_time, partial, never = (make_contract(start_date=start, term=6) for _ in range(3))
    for contract in (on_time, partial, never):
        sweep_days(contract, start, dt.date(2026, 1, 31))
    first = Installment.objects.get(contract=on_time, seq=1)
    pay(on_time, first.principal_due + first.interest_due, dt.date(2026, 2, 1))
    pay(partial, "100.00", dt.date(2026, 2, 1))
    for contract in (on_time, partial, never):
        sweep_days(contract, dt.date(2026, 2, 1), day)
    second = Installment.objects.get(contract=on_time, seq=2)
    assert second.settled_on is None  # due 2026-03-01, unpaid: overdue again

    stored = {c.pk: c.days_past_due for c in Contract.objects.all() if c.days_past_due > 0}
    assert delinquent_on(day) == stored
    assert open_count_on(day) == Contract.objects.exclude(status=ContractStatus.PAID_OFF).count() == 3
    rows = ledger_buckets()
    total = Contract.objects.exclude(status=ContractStatus.PAID_OFF).aggregate(s=Sum("principal_outstanding"))["s"]
    assert sum((r.principal for r in rows), Decimal("0.00")) == total
    assert sum(r.contracts for r in rows) == 3


def test_agency_performance_counts_placements_contacts_and_recoveries_while_placed() -> None:
    from django.utils import timezone

    from cases.models_agencies import AgencyPlacement
    from cases.reports.conduct import agency_performance
    from contracts.models import Payment
    from notices.models import ContactAttempt
    from tests.cases.factories import agency_user, make_agency

    contracts = report_portfolio.build()
    agency = make_agency(rate="0.1000")
    member = agency_user(agency)
    AgencyPlacement.objects.create(
        contract=contracts["C"],
        agency=agency,
        placed_at=timezone.now(),
        placed_on=dt.date(2026, 2, 1),
        ends_on=dt.date(2026, 2, 28),
        commission_rate=Decimal("0.1000"),
    )
    for day, amount in (
        (dt.date(2026, 1, 20), "50.00"),
        (dt.date(2026, 2, 10), "300.00"),
        (dt.date(2026, 3, 5), "70.00"),
    ):
        Payment.objects.create(
            contract=contracts["C"],
            channel="bank",
            external_reference=f"agency-{day}",
            amount=Decimal(amount),
            received_at=timezone.make_aware(dt.datetime.combine(day, dt.time(11))),
            business_date=day,
        )
    for verdict, outcome in (("allowed", "conversation"), ("allowed", "no_answer"), ("blocked", "")):
        ContactAttempt.objects.create(
            customer=contracts["C"].customer,
            contract=contracts["C"],
            channel="call",
            by="agency",
            at=timezone.make_aware(dt.datetime(2026, 2, 5, 10)),
            verdict=verdict,
            outcome=outcome,
            made_by=member,
            reason_codes=["TIME_WINDOW"] if verdict == "blocked" else [],
        )
    [row] = agency_performance(Q1)
    assert (row.agency, row.placements, row.contacts, row.blocked, row.connected) == (agency.name, 1, 3, 1, 1)
    # Only the payment of 2026-02-10 fell inside the placement.
    assert (row.payments, row.recovered, row.commission) == (1, Decimal("300.00"), Decimal("30.00"))
