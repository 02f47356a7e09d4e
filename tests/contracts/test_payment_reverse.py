"""Reversal ends exactly where a history without the payment ends; back-dating is exact too.

Each test builds twin contracts (same product, same dates) and drives them through the
same business days; one of them gets an extra payment that is later reversed (or a payment
posted late), the other never sees it. The ledgers must then be identical.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from contracts.models import AllocationLine, ContractStatus, PaymentStatus
from contracts.services import payment_reverse
from tests.contracts.factories import make_contract, make_product
from tests.contracts.ledger_helpers import (
    ZERO,
    assert_same,
    database_snapshot,
    ledger_snapshot,
    pay,
    sweep,
    transitions_view,
)

pytestmark = pytest.mark.django_db

D = Decimal
START = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def twins(**product_overrides):
    product = make_product(**product_overrides)
    return make_contract(product=product, start_date=START), make_contract(product=product, start_date=START)


def ledger_fields(contract):
    """The ledger as it stands. Status history is not rewritten by a reversal or a late post: the
    transitions that happened stay recorded, and with them the episode count and the date the
    current episode was recorded to start."""
    snap = ledger_snapshot(contract)
    del snap["transitions"]
    del snap["contract"]["delinquency_episode"]
    del snap["contract"]["delinquent_since"]
    return snap


def test_reversal_equals_the_history_without_the_payment():
    a, b = twins()
    for contract in (a, b):
        sweep(contract, day(40))  # instalment 1 (due 02-01) overdue, penalty and late fee charged
        pay(contract, "400.00", day(41), minute=1)
    p2 = pay(a, "950.00", day(45))  # clears instalment 1 and leaves credit on A only
    for contract in (a, b):
        sweep(contract, day(70))  # instalment 2 falls due 03-01: A's credit pays part of it
        pay(contract, "600.00", day(71), minute=3)
        sweep(contract, day(100))
    assert AllocationLine.objects.filter(payment=p2, from_credit=True).exists()
    assert ledger_fields(a) != ledger_fields(b)

    reversed_payment = payment_reverse(actor=None, payment_id=p2.pk, reason="bounced")

    assert reversed_payment.status == PaymentStatus.REVERSED
    assert not AllocationLine.objects.filter(payment=p2).exists()
    assert_same(ledger_fields(a), ledger_fields(b))
    a.refresh_from_db()
    assert a.status == ContractStatus.DELINQUENT
    # A's ledger moves on exactly like B's afterwards.
    for contract in (a, b):
        pay(contract, "300.00", day(101), minute=5)
        sweep(contract, day(130))
    assert_same(ledger_fields(a), ledger_fields(b))
    (event,) = AuditEvent.objects.filter(action="payment.reversed", object_id=str(p2.pk))
    assert event.data["reason"] == "bounced"


def test_reversing_twice_changes_nothing_more():
    contract = make_contract(start_date=START)
    sweep(contract, day(40))
    payment = pay(contract, "500.00", day(41))
    payment_reverse(actor=None, payment_id=payment.pk, reason="bounced")
    before = database_snapshot()
    again = payment_reverse(actor=None, payment_id=payment.pk, reason="bounced again")
    assert again.status == PaymentStatus.REVERSED
    assert database_snapshot() == before


def test_backdated_payment_gives_the_same_ledger_as_posting_it_on_time():
    on_time, late = twins()
    sweep(on_time, day(49))
    pay(on_time, "700.00", day(50))
    for contract in (on_time, late):
        sweep(contract, day(75))
    # Received on day 50 but only reported after the day-75 sweep.
    late_payment = pay(late, "700.00", day(50))
    assert_same(ledger_snapshot(late), ledger_snapshot(on_time))
    (event,) = AuditEvent.objects.filter(action="payment.posted", object_id=str(late_payment.pk))
    assert event.data["backdated"] is True


def test_backdated_payment_on_the_start_date():
    on_time, late = twins()
    pay(on_time, "2000.00", START)
    for contract in (on_time, late):
        sweep(contract, day(60))
    pay(late, "2000.00", START)
    assert_same(ledger_fields(late), ledger_fields(on_time))
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.credit_balance == late.credit_balance == D("166.40")  # what is left after instalments 1 and 2
    assert on_time.status == late.status == ContractStatus.CURRENT
    # Until the payment was reported, the late contract was overdue: that history stays recorded.
    assert [t[3] for t in transitions_view(late)] == ["became_delinquent", "cured"]
    assert transitions_view(late)[-1][0] == day(60)
    assert transitions_view(on_time) == []


def test_reversing_a_payoff_reopens_the_contract_as_if_never_paid():
    a, b = twins()
    for contract in (a, b):
        sweep(contract, day(50))  # overdue since 02-02
    a.refresh_from_db()
    payoff = a.principal_outstanding + sum(
        (i.interest_due + i.penalty_accrued + i.fee_charged for i in a.installments.filter(due_date__lte=day(51))),
        ZERO,
    )
    payoff_payment = pay(a, payoff, day(51))
    a.refresh_from_db()
    assert a.status == ContractStatus.PAID_OFF
    payment_reverse(actor=None, payment_id=payoff_payment.pk, reason="bounced")
    a.refresh_from_db()
    assert a.status == ContractStatus.DELINQUENT
    assert a.delinquent_since == dt.date(2026, 2, 2)  # consistent with the days past due
    assert a.days_past_due == (a.accrued_through - dt.date(2026, 2, 1)).days
    last = a.transitions.order_by("-id").first()
    assert (last.from_status, last.to_status, last.event) == ("paid_off", "delinquent", "became_delinquent")
    for contract in (a, b):
        sweep(contract, day(51))
    assert_same(ledger_fields(a), ledger_fields(b))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.delinquent_since == b.delinquent_since
    for contract in (a, b):
        sweep(contract, day(80))
    assert_same(ledger_fields(a), ledger_fields(b))


def test_reversal_after_charge_off_keeps_charges_stopped_at_charge_off():
    a, b = twins(charge_off_dpd=60)
    for contract in (a, b):
        sweep(contract, day(35))
    p2 = pay(a, "20.00", day(36))  # too little to change the days past due
    for contract in (a, b):
        sweep(contract, day(120))  # charged off 60 days after 02-01
    for contract in (a, b):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.CHARGED_OFF
    payment_reverse(actor=None, payment_id=p2.pk, reason="bounced")
    assert_same(ledger_fields(a), ledger_fields(b))
    a.refresh_from_db()
    assert a.status == ContractStatus.CHARGED_OFF
    assert not a.charges.filter(to_date__gt=dt.date(2026, 4, 2)).exists()  # nothing after the charge-off day
    # A payment after charge-off is applied the same way on both.
    for contract in (a, b):
        pay(contract, "900.00", day(121), minute=7)
    assert_same(ledger_fields(a), ledger_fields(b))


# --- random histories --------------------------------------------------------------------------
payment_st = st.fixed_dictionaries(
    {
        "day": st.integers(1, 150),
        "amount": st.integers(100, 150_000).map(lambda c: D(c).scaleb(-2)),  # 1.00 .. 1,500.00
        "late_by": st.sampled_from([0, 0, 0, 3, 20]),  # posted on time, or reported after later sweeps
    }
)


# All examples share the test's transaction (the db fixture is function-scoped); each example
# makes its own contracts and customers, so earlier examples never get in the way.
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payments=st.lists(payment_st, min_size=2, max_size=4),
    sweeps=st.lists(st.integers(1, 160), max_size=4),
    data=st.data(),
)
def test_random_reversal_equals_the_history_without_the_payment(payments, sweeps, data):
    reversed_index = data.draw(st.integers(0, len(payments) - 1), label="reversed payment")
    a, b = twins()  # fresh contracts (and customers) for every example
    actions = []
    for n, p in enumerate(payments):
        actions.append((p["day"] + p["late_by"], 0, n))
    for s in sweeps:
        actions.append((s, 1, s))
    actions.append((170, 1, 170))
    to_reverse = None
    for _when, kind, what in sorted(actions):
        if kind == 1:
            sweep(a, day(what))
            sweep(b, day(what))
            continue
        p = payments[what]
        posted = pay(a, p["amount"], day(p["day"]), minute=what)
        if what == reversed_index:
            to_reverse = posted
        else:
            pay(b, p["amount"], day(p["day"]), minute=what)

    payment_reverse(actor=None, payment_id=to_reverse.pk, reason="bounced")

    assert_same(ledger_fields(a), ledger_fields(b))
