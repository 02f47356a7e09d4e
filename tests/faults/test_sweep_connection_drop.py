"""The database connection drops in the middle of a nightly sweep range (the server terminates
the backend while the range is catching up day by day): nothing of the range is kept, and the
re-run completes and leaves exactly what an uninterrupted sweep of the same portfolio leaves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection
from django.db.utils import InterfaceError

from audit.models import AuditEvent
from contracts import ledger_store as store
from contracts.models import ChargeEntry, Contract, DelinquencyTransition, Installment, SweepRun
from contracts.services import delinquency_sweep_range, payment_post
from contracts.services import sweep as sweep_module
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract

START = dt.date(2026, 1, 1)
NIGHT = dt.date(2026, 4, 15)  # a range 104 days behind: caught up day by day in one transaction


def _portfolio(tag: str) -> list[Contract]:
    """Ten contracts, the same in every portfolio: some paid in part, some not at all."""
    made = []
    for n in range(10):
        contract = make_contract(
            customer=make_customer(),
            principal=Decimal(1000 + 250 * n),
            term=6,
            start_date=START,
            penalty_daily_rate=Decimal("0.0005"),
        )
        if n % 3:
            payment_post(
                actor=None,
                contract_id=contract.pk,
                channel="bank_transfer",
                external_reference=f"{tag}-{n}",
                amount=Decimal(100 * n),
                received_at=dt.datetime(2026, 2, 5, 4, tzinfo=dt.UTC),
            )
        made.append(contract)
    return made


def _image(contract: Contract) -> dict[str, Any]:
    contract.refresh_from_db()
    rows = {r.pk: r.seq for r in Installment.objects.filter(contract=contract)}
    return {
        "contract": {
            name: getattr(contract, name)
            for name in [*store.CONTRACT_LEDGER_FIELDS, "status", "days_past_due", "bucket", "delinquency_episode"]
        },
        "installments": {
            r.seq: {name: getattr(r, name) for name in store.INSTALLMENT_FIELDS}
            for r in Installment.objects.filter(contract=contract)
        },
        "charges": Counter(
            (rows[c.installment_id], c.kind, c.from_date, c.to_date, c.days, c.base_amount, c.amount)
            for c in ChargeEntry.objects.filter(contract=contract)
        ),
        "transitions": list(
            DelinquencyTransition.objects.filter(contract=contract)
            .order_by("on_date", "pk")
            .values_list("on_date", "event", "days_past_due")
        ),
    }


def _terminate(pid: int) -> None:
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"], autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
@pytest.mark.owner_only  # terminates a server backend, as a database administrator would
@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_range_rolls_back_and_the_rerun_equals_an_uninterrupted_sweep(monkeypatch):
    uninterrupted, interrupted = _portfolio("a"), _portfolio("b")
    a_first, a_last = uninterrupted[0].pk, uninterrupted[-1].pk
    b_first, b_last = interrupted[0].pk, interrupted[-1].pk
    before = {c.pk: _image(c) for c in interrupted}

    assert delinquency_sweep_range(business_date=NIGHT, first_id=a_first, last_id=a_last) is not None

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    close_day = sweep_module.sweep_sql.close_day
    days: list[dt.date] = []

    def dropped_on_the_tenth_day(*, first_id: int, last_id: int, day: dt.date) -> int:
        days.append(day)
        if len(days) == 10:
            _terminate(pid)  # the server ends this session in the middle of the range
        return close_day(first_id=first_id, last_id=last_id, day=day)

    monkeypatch.setattr(sweep_module.sweep_sql, "close_day", dropped_on_the_tenth_day)
    with pytest.raises((OperationalError, InterfaceError)):
        delinquency_sweep_range(business_date=NIGHT, first_id=b_first, last_id=b_last)
    monkeypatch.undo()
    connection.close()  # the next query opens a new session, as the next task would
    assert len(days) == 10  # it died on the tenth day of the catch-up
    assert {c.pk: _image(c) for c in interrupted} == before  # nothing of the range was kept
    assert not SweepRun.objects.filter(first_contract_id=b_first).exists()

    assert delinquency_sweep_range(business_date=NIGHT, first_id=b_first, last_id=b_last) is not None
    for a, b in zip(uninterrupted, interrupted, strict=True):
        assert _image(b) == _image(a), f"contract {b.number} differs from its uninterrupted twin {a.number}"
    assert SweepRun.objects.filter(first_contract_id=b_first, business_date=NIGHT).count() == 1
    done = AuditEvent.objects.filter(action="sweep.range_done", data__first_id=b_first)
    assert done.count() == 1
    # A second re-run of the night changes nothing.
    assert delinquency_sweep_range(business_date=NIGHT, first_id=b_first, last_id=b_last) is None
    assert any(_image(c)["contract"]["status"] != "current" for c in interrupted)  # the nights did something
