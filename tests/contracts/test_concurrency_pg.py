"""Races against a real PostgreSQL: row locks and unique constraints must make them safe.

Each worker thread has its own database connection (closed when it ends), and all of them
are released at once by a barrier so the calls really overlap.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from audit.models import AuditEvent
from contracts.models import AllocationLine, Payment, PromiseStatus, PromiseToPay
from contracts.services import delinquency_sweep_range, payment_post, promise_record
from tests.contracts.factories import make_contract, make_product
from tests.contracts.ledger_helpers import assert_same, at, ledger_snapshot, pay, sweep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
START = dt.date(2026, 1, 1)
THREADS = 20


def race(count, work):
    """Run ``work(n)`` in ``count`` threads at once; returns the results in order, or raises."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def worker(n):
        try:
            barrier.wait(timeout=30)
            results[n] = work(n)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if errors:
        raise errors[0]
    return results


def twins():
    product = make_product()
    return make_contract(product=product, start_date=START), make_contract(product=product, start_date=START)


def test_same_reference_posted_by_many_threads_makes_one_payment():
    contract, control = twins()
    for c in (contract, control):
        sweep(c, dt.date(2026, 2, 20))
    received = at(dt.date(2026, 2, 21))

    results = race(
        THREADS,
        lambda n: payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank",
            external_reference="RACE-0001",
            amount="500.00",
            received_at=received,
        ),
    )

    ids = {payment.pk for payment, _created in results}
    assert len(ids) == 1
    assert sum(1 for _payment, created in results if created) == 1
    (payment_id,) = ids
    assert Payment.objects.filter(channel="bank", external_reference="RACE-0001").count() == 1
    assert AuditEvent.objects.filter(action="payment.posted").count() == 1
    assert AuditEvent.objects.get(action="payment.posted").object_id == str(payment_id)
    allocated = AllocationLine.objects.filter(payment_id=payment_id).aggregate(total=Sum("amount"))["total"]
    assert allocated == D("500.00")
    pay(control, "500.00", dt.date(2026, 2, 21))
    assert_same(ledger_snapshot(contract), ledger_snapshot(control))


def test_different_references_posted_at_once_are_all_allocated_once():
    contract, control = twins()
    for c in (contract, control):
        sweep(c, dt.date(2026, 2, 20))

    race(
        10,
        lambda n: payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank",
            external_reference=f"PAR-{n:04d}",
            amount="100.00",
            received_at=at(dt.date(2026, 2, 21)),
        ),
    )

    assert Payment.objects.filter(contract=contract).count() == 10
    assert AuditEvent.objects.filter(action="payment.posted").count() == 10
    allocated = AllocationLine.objects.filter(contract=contract).aggregate(total=Sum("amount"))["total"]
    assert allocated == D("1000.00")
    pay(control, "1000.00", dt.date(2026, 2, 21))
    contract_view, control_view = ledger_snapshot(contract), ledger_snapshot(control)
    assert_same(contract_view["installments"], control_view["installments"])
    assert_same(contract_view["contract"], control_view["contract"])


def test_two_concurrent_sweeps_of_the_same_date_accrue_once():
    contract, control = twins()
    for c in (contract, control):
        sweep(c, dt.date(2026, 2, 10))
        promise_record(
            actor=None, contract_id=c.pk, amount="100.00", promised_date=dt.date(2026, 2, 12), on=dt.date(2026, 2, 11)
        )
    business_date = dt.date(2026, 3, 20)

    race(
        2,
        lambda n: delinquency_sweep_range(business_date=business_date, first_id=contract.pk, last_id=contract.pk),
    )
    sweep(control, business_date)

    assert_same(ledger_snapshot(contract), ledger_snapshot(control))
    penalty = contract.charges.filter(kind="penalty").aggregate(total=Sum("amount"))["total"]
    assert penalty == control.charges.filter(kind="penalty").aggregate(total=Sum("amount"))["total"]
    assert penalty > 0
    promise = PromiseToPay.objects.get(contract=contract)
    assert promise.status == PromiseStatus.BROKEN
    assert AuditEvent.objects.filter(action="promise.broken", object_id=str(promise.pk)).count() == 1
