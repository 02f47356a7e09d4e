"""contracts.services.payment_post: allocation, credit, payoff, validation and idempotency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import AuditEvent
from contracts.models import AllocationLine, ContractStatus, DelinquencyTransition, Installment, Payment, Refund
from contracts.services import credit_refund, payment_post, payment_reverse, plan_activate, plan_propose
from core.errors import ApplicationError
from tests.contracts.factories import make_contract
from tests.contracts.ledger_helpers import at, database_snapshot, pay, sweep

pytestmark = pytest.mark.django_db

D = Decimal
ZERO = D("0.00")
START = dt.date(2026, 1, 1)  # first due 2026-02-01, 12 monthly annuity instalments of 10,000.00 at 18 %


def installments(contract):
    return list(Installment.objects.filter(contract=contract, plan__isnull=True).order_by("seq"))


def lines_of(payment):
    return [
        (line.installment.seq if line.installment else None, line.component, line.amount, line.from_credit)
        for line in AllocationLine.objects.filter(payment=payment).select_related("installment").order_by("id")
    ]


def posted_events(payment):
    return AuditEvent.objects.filter(action="payment.posted", object_id=str(payment.pk))


def test_payment_pays_fees_then_penalty_then_interest_then_principal_oldest_first():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 3, 10))  # instalments 1 and 2 overdue, both past grace
    first, second = installments(contract)[:2]
    # Each late fee is cut to its installment's cost cap on the day it was charged (4 days overdue).
    assert ZERO < first.fee_charged < D("50.00") and ZERO < second.fee_charged < D("50.00")
    assert first.penalty_accrued > ZERO and second.penalty_accrued > ZERO
    first_total = first.fee_charged + first.penalty_accrued + first.interest_due + first.principal_due
    amount = first_total + second.fee_charged + second.penalty_accrued + D("10.00")

    payment = pay(contract, amount, dt.date(2026, 3, 11))

    assert lines_of(payment) == [
        (1, "fee", first.fee_charged, False),
        (1, "penalty", first.penalty_accrued, False),
        (1, "interest", first.interest_due, False),
        (1, "principal", first.principal_due, False),
        (2, "fee", second.fee_charged, False),
        (2, "penalty", second.penalty_accrued, False),
        (2, "interest", D("10.00"), False),
    ]
    first, second = installments(contract)[:2]
    assert first.settled_on == dt.date(2026, 3, 11)
    assert (second.interest_paid, second.principal_paid, second.settled_on) == (D("10.00"), ZERO, None)
    contract.refresh_from_db()
    assert contract.credit_balance == ZERO
    assert contract.days_past_due == 10  # instalment 2 (due 03-01) still open
    assert contract.status == ContractStatus.DELINQUENT


def test_payment_never_pays_an_installment_not_yet_due_except_through_credit():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 1, 31))
    first, second = installments(contract)[:2]
    extra = D("100.00")

    payment = pay(contract, first.interest_due + first.principal_due + extra, dt.date(2026, 2, 1))

    assert lines_of(payment) == [
        (1, "interest", first.interest_due, False),
        (1, "principal", first.principal_due, False),
        (None, "credit", extra, False),
    ]
    contract.refresh_from_db()
    assert contract.credit_balance == extra
    assert installments(contract)[1].interest_paid == ZERO

    # The credit waits for the next due date, then pays it (interest first).
    sweep(contract, dt.date(2026, 2, 28))
    assert installments(contract)[1].interest_paid == ZERO
    sweep(contract, dt.date(2026, 3, 2))
    second = installments(contract)[1]
    assert second.interest_paid == extra
    assert lines_of(payment)[-1] == (2, "interest", extra, True)
    applied = AllocationLine.objects.get(payment=payment, from_credit=True)
    assert applied.applied_on == second.due_date == dt.date(2026, 3, 1)
    contract.refresh_from_db()
    assert contract.credit_balance == ZERO
    # The rest of instalment 2 is overdue as normal.
    assert contract.days_past_due == 1


def test_payoff_settles_the_contract_and_waives_interest_not_yet_due():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 1, 31))
    rows = installments(contract)
    payoff = sum((r.principal_due for r in rows), ZERO) + rows[0].interest_due  # only instalment 1's interest is due

    with pytest.raises(ApplicationError) as excinfo:
        pay(contract, payoff + D("0.01"), dt.date(2026, 2, 1))
    assert excinfo.value.code == "amount_exceeds_payoff"
    assert D(excinfo.value.extra["limit"]) == payoff

    pay(contract, payoff, dt.date(2026, 2, 1))

    contract.refresh_from_db()
    assert contract.status == ContractStatus.PAID_OFF
    assert (contract.credit_balance, contract.principal_outstanding, contract.next_due_date) == (ZERO, ZERO, None)
    rows = installments(contract)
    assert all(r.settled_on == dt.date(2026, 2, 1) for r in rows)
    assert all(r.principal_paid == r.principal_due for r in rows)
    assert rows[0].interest_paid == rows[0].interest_due and rows[0].interest_waived == ZERO
    assert all(r.interest_waived == r.interest_due and r.interest_paid == ZERO for r in rows[1:])
    assert list(DelinquencyTransition.objects.filter(contract=contract).values_list("event", "on_date")) == [
        ("paid_off", dt.date(2026, 2, 1))
    ]
    # Nothing more can be paid, and later sweeps change nothing.
    with pytest.raises(ApplicationError) as excinfo:
        pay(contract, "1.00", dt.date(2026, 2, 2))
    assert excinfo.value.code == "amount_exceeds_payoff"
    sweep(contract, dt.date(2026, 6, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PAID_OFF
    assert all(r.penalty_accrued == ZERO and r.fee_charged == ZERO for r in installments(contract))


def test_payoff_of_an_overdue_contract_includes_penalty_and_fees():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 20))
    rows = installments(contract)
    payoff = (
        sum((r.principal_due for r in rows), ZERO)
        + rows[0].interest_due
        + rows[0].penalty_accrued
        + rows[0].fee_charged
    )
    assert rows[0].penalty_accrued > ZERO
    with pytest.raises(ApplicationError):
        pay(contract, payoff + D("0.01"), dt.date(2026, 2, 21))
    pay(contract, payoff, dt.date(2026, 2, 21))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PAID_OFF
    assert contract.delinquent_since is None
    events = list(DelinquencyTransition.objects.filter(contract=contract).values_list("event", "on_date"))
    assert events == [("became_delinquent", dt.date(2026, 2, 2)), ("paid_off", dt.date(2026, 2, 21))]


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("12,3a", "invalid_amount"),
        ("abc", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("-5.00", "amount_not_positive"),
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("1.005", "amount_precision"),
        ("99999999999", "amount_too_large"),
        ("20000.00", "amount_exceeds_payoff"),
    ],
)
def test_bad_amounts_change_nothing(amount, code):
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 10))
    pay(contract, "100.00", dt.date(2026, 2, 10))
    before = database_snapshot()

    with pytest.raises(ApplicationError) as excinfo:
        payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank",
            external_reference="bad-1",
            amount=amount,
            received_at=at(dt.date(2026, 2, 11)),
        )

    assert excinfo.value.code == code
    assert str(excinfo.value.message)
    assert database_snapshot() == before


def test_naive_received_at_is_refused_and_changes_nothing():
    contract = make_contract(start_date=START)
    before = database_snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank",
            external_reference="naive-1",
            amount="100.00",
            received_at=dt.datetime(2026, 2, 1, 12, 0),
        )
    assert excinfo.value.code == "naive_datetime"
    assert database_snapshot() == before


def test_payment_before_the_start_date_is_refused():
    contract = make_contract(start_date=START)
    before = database_snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        pay(contract, "100.00", dt.date(2025, 12, 31))
    assert excinfo.value.code == "payment_before_start"
    assert database_snapshot() == before


def test_amount_with_thousands_separator_is_accepted():
    contract = make_contract(start_date=START)
    payment = pay(contract, "1,000.50", dt.date(2026, 2, 1))
    assert payment.amount == D("1000.50")


def test_repeated_reference_returns_the_same_payment_and_changes_nothing():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 9))
    first, created = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="BANK-0001",
        amount="300.00",
        received_at=at(dt.date(2026, 2, 10)),
    )
    assert created
    before = database_snapshot()

    again, created_again = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="BANK-0001",
        amount=D("300.00"),
        received_at=at(dt.date(2026, 2, 12)),
    )

    assert (again.pk, created_again) == (first.pk, False)
    assert database_snapshot() == before

    # The same reference on another channel is another payment.
    other, created_other = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="counter",
        external_reference="BANK-0001",
        amount="300.00",
        received_at=at(dt.date(2026, 2, 10)),
    )
    assert created_other and other.pk != first.pk


def test_same_reference_with_another_amount_or_contract_is_a_conflict():
    contract = make_contract(start_date=START)
    other_contract = make_contract(start_date=START)
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="BANK-0002",
        amount="300.00",
        received_at=at(dt.date(2026, 2, 10)),
    )
    before = database_snapshot()
    for contract_id, amount in [(contract.pk, "300.01"), (other_contract.pk, "300.00")]:
        with pytest.raises(ApplicationError) as excinfo:
            payment_post(
                actor=None,
                contract_id=contract_id,
                channel="bank",
                external_reference="BANK-0002",
                amount=amount,
                received_at=at(dt.date(2026, 2, 10)),
            )
        assert excinfo.value.code == "reference_conflict"
    assert database_snapshot() == before


def test_every_post_writes_exactly_one_audit_event():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 20))
    on_time = pay(contract, "200.00", dt.date(2026, 2, 21))
    backdated = pay(contract, "150.00", dt.date(2026, 2, 5))  # before accrued_through: replayed
    for payment in (on_time, backdated):
        payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank",
            external_reference=payment.external_reference,
            amount=payment.amount,
            received_at=payment.received_at,
        )
    assert Payment.objects.filter(contract=contract).count() == 2
    assert AuditEvent.objects.filter(action="payment.posted").count() == 2
    for payment, backdated_flag in ((on_time, False), (backdated, True)):
        (event,) = posted_events(payment)
        assert event.object_type == "contracts.payment"
        assert event.subject_user_id == contract.customer.user_id
        assert event.data["amount"] == str(payment.amount)
        assert event.data["reference"] == payment.external_reference
        assert event.data["backdated"] is backdated_flag


def test_payoff_of_a_contract_on_a_repayment_plan_settles_it():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 3, 10))
    plan = plan_propose(actor=None, contract_id=contract.pk, months=3, on=dt.date(2026, 3, 11))
    plan_activate(actor=None, plan_id=plan.pk, on=dt.date(2026, 3, 11))
    sweep(contract, dt.date(2026, 3, 20))
    with pytest.raises(ApplicationError) as excinfo:
        pay(contract, "99999.00", dt.date(2026, 3, 21))
    payoff = D(excinfo.value.extra["limit"])
    plan_rows = list(Installment.objects.filter(plan=plan))
    # Restructured penalty and fees are owed in full; the plan's interest is not yet due.
    assert payoff == sum((r.principal_due + r.penalty_accrued + r.fee_charged for r in plan_rows), ZERO)

    pay(contract, payoff, dt.date(2026, 3, 21))

    contract.refresh_from_db()
    assert contract.status == ContractStatus.PAID_OFF
    assert contract.credit_balance == ZERO
    plan_rows = list(Installment.objects.filter(plan=plan))
    assert all(r.settled_on == dt.date(2026, 3, 21) for r in plan_rows)
    assert all(r.penalty_paid == r.penalty_accrued and r.fee_paid == r.fee_charged for r in plan_rows)


def test_credit_refund_returns_credit_and_reversal_of_refunded_credit_is_refused():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 1, 31))
    first = installments(contract)[0]
    payment = pay(contract, first.interest_due + first.principal_due + D("100.00"), dt.date(2026, 2, 1))
    sweep(contract, dt.date(2026, 2, 1))
    with pytest.raises(ApplicationError) as excinfo:
        credit_refund(actor=None, contract_id=contract.pk, amount="100.01", reference="RF-1", on=dt.date(2026, 2, 2))
    assert excinfo.value.code == "refund_exceeds_credit"

    refund = credit_refund(
        actor=None, contract_id=contract.pk, amount="60.00", reference="RF-1", on=dt.date(2026, 2, 2)
    )

    contract.refresh_from_db()
    assert contract.credit_balance == D("40.00")
    assert AuditEvent.objects.filter(action="credit.refunded", object_id=str(refund.pk)).count() == 1
    # The payment that made the refunded credit bounces: the refund cannot be undone by a reversal.
    before = database_snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        payment_reverse(actor=None, payment_id=payment.pk, reason="bounced")
    assert excinfo.value.code == "credit_negative"
    assert database_snapshot() == before
    assert Refund.objects.filter(contract=contract).count() == 1


def test_repeating_a_payoff_after_the_contract_is_paid_off_returns_the_original():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 1, 31))
    rows = installments(contract)
    payoff = sum((r.principal_due for r in rows), ZERO) + rows[0].interest_due
    original = pay(contract, payoff, dt.date(2026, 2, 1), reference="PAYOFF-1")
    before = database_snapshot()

    again, created = payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="PAYOFF-1",
        amount=str(payoff),
        received_at=original.received_at,
    )

    assert (again.pk, created) == (original.pk, False)  # not "amount_exceeds_payoff"
    assert database_snapshot() == before
