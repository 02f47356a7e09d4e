"""The delinquency sweep: catch-up equals daily runs, re-runs change nothing, buckets, status
transitions, charge-off, promises, repayment plans and on-site service suspension."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role
from audit.models import AuditEvent
from contracts.models import (
    ChargeEntry,
    ContractStatus,
    DelinquencyTransition,
    Installment,
    PlanStatus,
    ProductKind,
    PromiseStatus,
    ServiceState,
)
from contracts.services import (
    adjustment_apply,
    delinquency_sweep,
    payment_reverse,
    plan_activate,
    plan_approve,
    plan_cancel,
    plan_propose,
    plan_reject,
    promise_record,
    service_notice_give,
    service_suspend,
)
from core.errors import ApplicationError
from tests.accounts.factories import make_staff
from tests.contracts.factories import UNCAPPED, make_contract, make_product
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
START = dt.date(2026, 1, 1)  # loans: 10,000.00 over 12 months at 18 %, first due 2026-02-01


def subscription_product(**overrides):
    values = {
        "kind": ProductKind.SERVICE_SUBSCRIPTION,
        "schedule_method": "subscription",
        "annual_interest_rate": D("0"),
        "suspension_notice_after_days": 3,
        "suspension_notice_days": 2,
    }
    values.update(overrides)
    return make_product(**values)


def installments(contract, *, plan=None):
    rows = Installment.objects.filter(contract=contract)
    rows = rows.filter(plan__isnull=True) if plan is None else rows.filter(plan=plan)
    return list(rows.order_by("seq"))


def outstanding(row):
    return (
        row.principal_due - row.principal_paid - row.principal_waived
        + row.interest_due - row.interest_paid - row.interest_waived
        + row.penalty_accrued - row.penalty_paid - row.penalty_waived
        + row.fee_charged - row.fee_paid - row.fee_waived
    )  # fmt: skip


def refreshed(contract):
    contract.refresh_from_db()
    return contract


# --- catch-up equals daily ----------------------------------------------------------------------------
CATCH_UP_FROM = dt.date(2026, 11, 20)
CATCH_UP_TO = dt.date(2026, 11, 25)


def run_business_days(contract, business, *, first, last, daily):
    """Each day: that day's business (payments, notices), then the sweep if it runs that night."""
    day = first
    while day <= last:
        for action in business.get(day, []):
            action(contract)
        if daily or day == last:
            sweep(contract, day)
        day += dt.timedelta(days=1)


def test_catch_up_sweep_equals_sweeping_every_day():
    loan = make_product()
    service = subscription_product()
    scenarios = [
        # Overdue since July; the November instalment falls due and passes its grace period.
        (
            {"product": loan, "start_date": dt.date(2026, 6, 20)},
            {
                dt.date(2026, 11, 22): [lambda c: pay(c, "1000.00", dt.date(2026, 11, 22), minute=1)],
                dt.date(2026, 11, 24): [lambda c: pay(c, "500.00", dt.date(2026, 11, 24), minute=2)],
            },
        ),
        # Current; paid early, the credit pays the first instalment when it falls due.
        (
            {"product": loan, "start_date": dt.date(2026, 10, 22)},
            {dt.date(2026, 11, 21): [lambda c: pay(c, "1200.00", dt.date(2026, 11, 21), minute=3)]},
        ),
        # On-site service: notice on the 21st takes effect on the 23rd; a part payment on the 24th.
        (
            {"product": service, "principal": "300.00", "start_date": dt.date(2026, 9, 1)},
            {
                dt.date(2026, 11, 21): [
                    lambda c: service_notice_give(actor=None, contract_id=c.pk, on=dt.date(2026, 11, 21))
                ],
                dt.date(2026, 11, 24): [lambda c: pay(c, "300.00", dt.date(2026, 11, 24), minute=4)],
            },
        ),
    ]
    caught_up = []
    for contract_kwargs, business in scenarios:
        catch_up, daily = make_contract(**contract_kwargs), make_contract(**contract_kwargs)
        caught_up.append(catch_up)
        for contract in (catch_up, daily):
            sweep(contract, CATCH_UP_FROM)
        first = CATCH_UP_FROM + dt.timedelta(days=1)
        run_business_days(catch_up, business, first=first, last=CATCH_UP_TO, daily=False)
        run_business_days(daily, business, first=first, last=CATCH_UP_TO, daily=True)

        assert_same(ledger_snapshot(catch_up), ledger_snapshot(daily))
        assert refreshed(catch_up).accrued_through == CATCH_UP_TO

    # The scenarios did exercise what they were meant to.
    overdue_loan, credit_loan, service_contract = (refreshed(c) for c in caught_up)
    assert overdue_loan.status == ContractStatus.DELINQUENT
    assert ChargeEntry.objects.filter(contract=overdue_loan, kind="late_fee", from_date=dt.date(2026, 11, 24)).exists()
    assert credit_loan.status == ContractStatus.CURRENT and credit_loan.credit_balance > ZERO
    assert service_contract.service_state == ServiceState.SUSPENDED
    assert service_contract.service_suspended_since == dt.date(2026, 11, 23)  # the date the notice named


@pytest.mark.parametrize(
    "sweep_dates",
    [
        [dt.date(2026, 4, 30)],
        [dt.date(2026, 2, 4), dt.date(2026, 2, 5), dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 30)],
    ],
    ids=["one-jump", "irregular"],
)
def test_any_sweep_schedule_gives_the_daily_ledger(sweep_dates):
    """Payments, a waiver of penalty and a reversal interleaved with sweeps on arbitrary nights."""
    product = make_product(**UNCAPPED)
    irregular, daily = (
        make_contract(product=product, start_date=START),
        make_contract(product=product, start_date=START),
    )
    to_reverse = {}

    def waive(contract):
        row = installments(contract)[0]
        adjustment_apply(
            actor=None,
            installment_id=row.pk,
            kind="waive_penalty",
            amount="2.00",
            reason="goodwill",
            on=dt.date(2026, 2, 20),
        )

    def bounce(contract):
        payment_reverse(actor=None, payment_id=to_reverse[contract.pk].pk, reason="bounced")

    def pay_and_remember(contract):
        to_reverse[contract.pk] = pay(contract, "250.00", dt.date(2026, 3, 3), minute=3)

    business = {
        dt.date(2026, 2, 3): [lambda c: pay(c, "100.00", dt.date(2026, 2, 3), minute=1)],
        dt.date(2026, 2, 20): [waive],
        dt.date(2026, 3, 3): [pay_and_remember],
        dt.date(2026, 3, 2): [lambda c: pay(c, "1500.00", dt.date(2026, 3, 2), minute=2)],
        dt.date(2026, 4, 10): [bounce],
    }
    day = START + dt.timedelta(days=1)
    while day <= dt.date(2026, 4, 30):
        for action in business.get(day, []):
            action(irregular)
            action(daily)
        sweep(daily, day)
        if day in sweep_dates:
            sweep(irregular, day)
        day += dt.timedelta(days=1)
    assert_same(ledger_snapshot(irregular), ledger_snapshot(daily))


# --- re-running a date ------------------------------------------------------------------------------------
def test_rerunning_a_sweep_changes_nothing():
    agent = make_staff(Role.AGENT)
    overdue = make_contract(start_date=START)
    make_contract(start_date=dt.date(2026, 2, 20))  # current: the set-based path
    planned = make_contract(start_date=START)
    service = make_contract(product=subscription_product(), principal="300.00", start_date=START)
    delinquency_sweep(dt.date(2026, 3, 10))
    day = dt.date(2026, 3, 11)
    promise = promise_record(
        actor=agent, contract_id=overdue.pk, amount="100.00", promised_date=dt.date(2026, 3, 12), on=day
    )
    pay(overdue, "100.00", day)
    pay(overdue, "3000.00", day, minute=5)  # leaves credit for the next due date
    plan = plan_propose(actor=agent, contract_id=planned.pk, months=3, on=day)
    plan_activate(actor=agent, plan_id=plan.pk, on=day)
    service_notice_give(actor=agent, contract_id=service.pk, on=day)  # takes effect on 03-13
    delinquency_sweep(dt.date(2026, 4, 2))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT
    assert refreshed(service).service_state == ServiceState.SUSPENDED
    assert ChargeEntry.objects.filter(to_date=dt.date(2026, 4, 2)).exists()

    before = database_snapshot(ignore_actions=("sweep.range_done",))
    delinquency_sweep(dt.date(2026, 4, 2))
    delinquency_sweep(dt.date(2026, 3, 30))  # an earlier date: already done as well
    assert database_snapshot(ignore_actions=("sweep.range_done",)) == before


# --- days past due, buckets and status ------------------------------------------------------------------------
def test_buckets_follow_days_past_due():
    contract = make_contract(start_date=START, charge_off_dpd=400)
    first_due = dt.date(2026, 2, 1)
    expected = [(0, "M0"), (1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"), (91, "M4"),
                (180, "M4"), (181, "M5+")]  # fmt: skip
    for days, bucket in expected:
        sweep(contract, first_due + dt.timedelta(days=days))
        contract.refresh_from_db()
        assert (contract.days_past_due, contract.bucket) == (days, bucket)
        assert contract.status == (ContractStatus.CURRENT if days == 0 else ContractStatus.DELINQUENT)


def test_status_goes_current_delinquent_cured_and_episodes_count():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 1))  # due today: not yet late
    assert refreshed(contract).status == ContractStatus.CURRENT
    assert transitions_view(contract) == []

    sweep(contract, dt.date(2026, 2, 2))
    contract = refreshed(contract)
    assert (contract.status, contract.delinquency_episode, contract.delinquent_since) == (
        ContractStatus.DELINQUENT,
        1,
        dt.date(2026, 2, 2),
    )

    sweep(contract, dt.date(2026, 2, 9))
    pay(contract, outstanding(installments(contract)[0]), dt.date(2026, 2, 10))
    contract = refreshed(contract)
    assert (contract.status, contract.days_past_due, contract.bucket, contract.delinquent_since) == (
        ContractStatus.CURRENT,
        0,
        "M0",
        None,
    )

    sweep(contract, dt.date(2026, 3, 2))  # instalment 2 (due 03-01) unpaid
    contract = refreshed(contract)
    assert (contract.status, contract.delinquency_episode, contract.delinquent_since) == (
        ContractStatus.DELINQUENT,
        2,
        dt.date(2026, 3, 2),
    )
    assert transitions_view(contract) == [
        (dt.date(2026, 2, 2), "current", "delinquent", "became_delinquent", 1, 1),
        (dt.date(2026, 2, 10), "delinquent", "current", "cured", 0, 1),
        (dt.date(2026, 3, 2), "current", "delinquent", "became_delinquent", 1, 2),
    ]


def test_charge_off_at_the_products_days_past_due_and_charges_stop():
    product = make_product(charge_off_dpd=90)
    jumped, stepped = make_contract(product=product, start_date=START), make_contract(product=product, start_date=START)
    for day in (dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)):
        sweep(stepped, day)
    assert refreshed(stepped).status == ContractStatus.DELINQUENT  # 89 days past due
    sweep(stepped, dt.date(2026, 5, 2))
    stepped = refreshed(stepped)
    assert stepped.status == ContractStatus.CHARGED_OFF
    penalty_at_charge_off = sum((r.penalty_accrued for r in installments(stepped)), ZERO)
    principal_days_at_charge_off = stepped.principal_days
    sweep(stepped, dt.date(2026, 6, 30))
    sweep(jumped, dt.date(2026, 6, 30))

    stepped = refreshed(stepped)
    assert stepped.status == ContractStatus.CHARGED_OFF
    assert sum((r.penalty_accrued for r in installments(stepped)), ZERO) == penalty_at_charge_off
    assert stepped.principal_days == principal_days_at_charge_off
    assert not ChargeEntry.objects.filter(contract=stepped, to_date__gt=dt.date(2026, 5, 2)).exists()
    assert transitions_view(stepped)[-1] == (dt.date(2026, 5, 2), "delinquent", "charged_off", "charged_off", 90, 1)
    assert_same(ledger_snapshot(jumped), ledger_snapshot(stepped))


# --- promises to pay -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payments", "status", "paid_towards"),
    [
        ([("300.00", 12), ("200.00", 15)], PromiseStatus.KEPT, D("500.00")),
        ([("300.00", 12), ("200.00", 16)], PromiseStatus.BROKEN, D("300.00")),  # the second came too late
        ([("300.00", 9)], PromiseStatus.BROKEN, ZERO),  # paid before the promise was made
    ],
)
def test_promise_kept_or_broken_by_the_payments_up_to_its_date(payments, status, paid_towards):
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 9))
    for amount, day_of_month in payments:
        if day_of_month < 10:
            pay(contract, amount, dt.date(2026, 2, day_of_month))
    promise = promise_record(
        actor=None,
        contract_id=contract.pk,
        amount="500.00",
        promised_date=dt.date(2026, 2, 15),
        on=dt.date(2026, 2, 10),
    )
    for amount, day_of_month in payments:
        if day_of_month >= 10:
            sweep(contract, dt.date(2026, 2, day_of_month - 1))
            pay(contract, amount, dt.date(2026, 2, day_of_month))

    sweep(contract, dt.date(2026, 2, 15))  # on the promised date itself the promise is still open
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.OPEN
    sweep(contract, dt.date(2026, 2, 17))

    promise.refresh_from_db()
    assert (promise.status, promise.paid_towards, promise.resolved_on) == (status, paid_towards, dt.date(2026, 2, 16))
    assert AuditEvent.objects.filter(action=f"promise.{status}", object_id=str(promise.pk)).count() == 1


def test_reversed_payment_does_not_keep_a_promise():
    contract = make_contract(start_date=START)
    sweep(contract, dt.date(2026, 2, 9))
    promise = promise_record(
        actor=None,
        contract_id=contract.pk,
        amount="500.00",
        promised_date=dt.date(2026, 2, 15),
        on=dt.date(2026, 2, 10),
    )
    payment = pay(contract, "500.00", dt.date(2026, 2, 12))
    payment_reverse(actor=None, payment_id=payment.pk, reason="bounced")
    sweep(contract, dt.date(2026, 2, 16))
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.BROKEN


def test_promise_cannot_be_dated_in_the_past():
    contract = make_contract(start_date=START)
    with pytest.raises(ApplicationError) as excinfo:
        promise_record(
            actor=None,
            contract_id=contract.pk,
            amount="100.00",
            promised_date=dt.date(2026, 2, 9),
            on=dt.date(2026, 2, 10),
        )
    assert excinfo.value.code == "promise_in_past"


# --- repayment plans --------------------------------------------------------------------------------------------------
PLAN_DAY = dt.date(2026, 3, 11)


def overdue_contract_with_plan(*, months=3, **propose):
    agent = make_staff(Role.AGENT)
    contract = make_contract(start_date=START, **UNCAPPED)
    sweep(contract, PLAN_DAY - dt.timedelta(days=1))
    plan = plan_propose(actor=agent, contract_id=contract.pk, months=months, on=PLAN_DAY, **propose)
    return agent, contract, plan


def test_plan_activation_moves_the_outstanding_into_plan_installments():
    agent, contract, plan = overdue_contract_with_plan()
    before = installments(contract)
    owed = {
        "principal": sum((r.principal_due for r in before), ZERO),
        "interest": sum((r.interest_due for r in before if r.due_date <= PLAN_DAY), ZERO),
        "penalty": sum((r.penalty_accrued for r in before), ZERO),
        "fee": sum((r.fee_charged for r in before), ZERO),
    }
    assert owed["penalty"] > ZERO and owed["fee"] == D("100.00")
    assert not plan.requires_approval

    plan_activate(actor=agent, plan_id=plan.pk, on=PLAN_DAY)

    plan.refresh_from_db()
    assert (plan.status, plan.activated_on, plan.first_due_date) == (PlanStatus.ACTIVE, PLAN_DAY, dt.date(2026, 4, 11))
    assert all(r.superseded_on == PLAN_DAY for r in installments(contract))
    rows = installments(contract, plan=plan)
    assert [r.due_date for r in rows] == [dt.date(2026, 4, 11), dt.date(2026, 5, 11), dt.date(2026, 6, 11)]
    assert sum((r.principal_due for r in rows), ZERO) == owed["principal"]
    assert sum((r.interest_due for r in rows), ZERO) == owed["interest"]
    assert sum((r.penalty_accrued for r in rows), ZERO) == owed["penalty"]
    assert sum((r.fee_charged for r in rows), ZERO) == owed["fee"]
    assert max(outstanding(r) for r in rows) - min(outstanding(r) for r in rows) <= D("0.03")
    contract = refreshed(contract)
    assert (contract.status, contract.days_past_due, contract.next_due_date) == (
        ContractStatus.CURRENT,
        0,
        dt.date(2026, 4, 11),
    )
    assert contract.principal_outstanding == owed["principal"]
    assert transitions_view(contract)[-1][:4] == (PLAN_DAY, "delinquent", "current", "cured")


def test_plan_broken_when_an_installment_is_late_beyond_plan_break_days():
    agent, contract, plan = overdue_contract_with_plan()
    plan_activate(actor=agent, plan_id=plan.pk, on=PLAN_DAY)
    assert contract.plan_break_days == 15
    sweep(contract, dt.date(2026, 4, 26))  # 15 days late
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    sweep(contract, dt.date(2026, 4, 27))  # 16 days late
    plan.refresh_from_db()
    assert (plan.status, plan.closed_on) == (PlanStatus.BROKEN, dt.date(2026, 4, 27))
    assert AuditEvent.objects.filter(action="plan.broken", object_id=str(plan.pk)).count() == 1
    assert refreshed(contract).status == ContractStatus.DELINQUENT


def test_plan_kept_when_every_plan_installment_is_paid():
    agent, contract, plan = overdue_contract_with_plan()
    plan_activate(actor=agent, plan_id=plan.pk, on=PLAN_DAY)
    for row in installments(contract, plan=plan):
        delinquency_sweep(row.due_date - dt.timedelta(days=1))  # the nightly sweep over every contract
        row.refresh_from_db()
        pay(contract, outstanding(row), row.due_date)
    assert refreshed(contract).status == ContractStatus.PAID_OFF
    delinquency_sweep(dt.date(2026, 6, 11))
    plan.refresh_from_db()
    assert (plan.status, plan.closed_on) == (PlanStatus.KEPT, dt.date(2026, 6, 11))
    assert AuditEvent.objects.filter(action="plan.kept", object_id=str(plan.pk)).count() == 1


def test_waiver_plan_needs_approval_by_another_supervisor():
    supervisor, other_supervisor = make_staff(Role.SUPERVISOR), make_staff(Role.SUPERVISOR)
    agent = make_staff(Role.AGENT)
    contract = make_contract(start_date=START, **UNCAPPED)
    sweep(contract, PLAN_DAY - dt.timedelta(days=1))
    before = installments(contract)
    penalty = sum((r.penalty_accrued for r in before), ZERO)
    plan = plan_propose(
        actor=supervisor, contract_id=contract.pk, months=3, waive_penalty=True, waive_fees=True, on=PLAN_DAY
    )
    assert plan.requires_approval
    assert plan.waiver_amount == penalty + D("100.00")

    with pytest.raises(ApplicationError) as excinfo:
        plan_activate(actor=supervisor, plan_id=plan.pk, on=PLAN_DAY)
    assert excinfo.value.code == "plan_cannot_activate"
    with pytest.raises(ApplicationError) as excinfo:
        plan_approve(actor=agent, plan_id=plan.pk)
    assert excinfo.value.code == "approval_not_allowed"
    with pytest.raises(ApplicationError) as excinfo:
        plan_approve(actor=supervisor, plan_id=plan.pk)
    assert excinfo.value.code == "approval_by_proposer"
    plan.refresh_from_db()
    assert plan.approved_by_id is None

    plan_approve(actor=other_supervisor, plan_id=plan.pk)
    plan_activate(actor=agent, plan_id=plan.pk, on=PLAN_DAY)

    plan.refresh_from_db()
    assert (plan.status, plan.approved_by_id) == (PlanStatus.ACTIVE, other_supervisor.pk)
    originals = installments(contract)
    assert sum((r.penalty_waived for r in originals), ZERO) == penalty
    assert sum((r.fee_waived for r in originals), ZERO) == D("100.00")
    rows = installments(contract, plan=plan)
    assert all(r.penalty_accrued == ZERO and r.fee_charged == ZERO for r in rows)
    assert sum((r.principal_due for r in rows), ZERO) == D("10000.00")
    assert AuditEvent.objects.filter(action="plan.approved", actor_id=other_supervisor.pk).count() == 1


def test_approval_permission_belongs_to_supervisors_and_admins():
    assert make_staff(Role.SUPERVISOR).has_perm("contracts.approve_waiver")
    assert make_staff(Role.ADMIN).has_perm("contracts.approve_waiver")
    for role in (Role.AGENT, Role.FIELD_OFFICER, Role.COMPLIANCE_OFFICER, Role.AGENCY):
        assert not make_staff(role).has_perm("contracts.approve_waiver")
    granted = {
        name: set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        for name in (Role.SUPERVISOR, Role.ADMIN)
    }
    assert "approve_waiver" in granted[Role.SUPERVISOR] and "import_contracts" not in granted[Role.SUPERVISOR]
    assert {"approve_waiver", "import_contracts"} <= granted[Role.ADMIN]


def test_rejected_or_cancelled_plan_leaves_the_ledger_alone_and_frees_the_contract():
    supervisor = make_staff(Role.SUPERVISOR)
    agent, contract, plan = overdue_contract_with_plan(waive_penalty=True)
    before = ledger_snapshot(contract)
    with pytest.raises(ApplicationError) as excinfo:
        plan_propose(actor=agent, contract_id=contract.pk, months=3, on=PLAN_DAY)
    assert excinfo.value.code == "plan_already_open"
    plan_reject(actor=supervisor, plan_id=plan.pk, reason="no evidence of hardship")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REJECTED
    second = plan_propose(actor=agent, contract_id=contract.pk, months=2, on=PLAN_DAY)
    plan_cancel(actor=agent, plan_id=second.pk, reason="customer changed their mind")
    second.refresh_from_db()
    assert second.status == PlanStatus.CANCELLED
    assert_same(ledger_snapshot(contract), before)


# --- on-site service --------------------------------------------------------------------------------
def service_contract(**overrides):
    contract = make_contract(product=subscription_product(**overrides), principal="300.00", start_date=START)
    assert contract.principal == D("3600.00")
    return contract


def test_notice_needs_onsite_service_and_enough_days_past_due():
    loan = make_contract(start_date=START)
    sweep(loan, dt.date(2026, 2, 10))
    with pytest.raises(ApplicationError) as excinfo:
        service_notice_give(actor=None, contract_id=loan.pk, on=dt.date(2026, 2, 11))
    assert excinfo.value.code == "no_onsite_service"
    contract = service_contract()
    sweep(contract, dt.date(2026, 2, 3))  # 2 days past due
    with pytest.raises(ApplicationError) as excinfo:
        service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 4))
    assert excinfo.value.code == "notice_too_early"
    assert refreshed(contract).service_state == ServiceState.ALLOWED


def test_suspension_takes_effect_on_the_notice_date_via_the_sweep():
    contract = service_contract()
    sweep(contract, dt.date(2026, 2, 4))  # 3 days past due
    service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 5))
    contract = refreshed(contract)
    assert (contract.service_state, contract.service_notice_date, contract.service_effective_date) == (
        ServiceState.NOTICE_GIVEN,
        dt.date(2026, 2, 5),
        dt.date(2026, 2, 7),
    )
    with pytest.raises(ApplicationError) as excinfo:
        service_suspend(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 6))
    assert excinfo.value.code == "notice_period_running"

    sweep(contract, dt.date(2026, 2, 6))
    assert refreshed(contract).service_state == ServiceState.NOTICE_GIVEN
    sweep(contract, dt.date(2026, 2, 7))
    contract = refreshed(contract)
    assert (contract.service_state, contract.service_suspended_since) == (ServiceState.SUSPENDED, dt.date(2026, 2, 7))
    assert AuditEvent.objects.filter(action="service.suspended", object_id=str(contract.pk)).count() == 1

    # Paid up (fee, late fee and penalty): the contract is cured and service comes back at once.
    pay(contract, outstanding(installments(contract)[0]), dt.date(2026, 2, 8))
    contract = refreshed(contract)
    assert contract.status == ContractStatus.CURRENT
    assert AuditEvent.objects.filter(action="service.restored", object_id=str(contract.pk)).count() == 1
    assert (contract.service_state, contract.service_suspended_since, contract.service_effective_date) == (
        ServiceState.RESTORED,
        None,
        None,
    )


def test_suspension_date_is_the_notice_date_even_when_the_sweep_catches_up():
    contract = service_contract()
    sweep(contract, dt.date(2026, 2, 4))
    service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 5))
    sweep(contract, dt.date(2026, 2, 10))  # the sweep did not run on 02-06 .. 02-09
    contract = refreshed(contract)
    assert (contract.service_state, contract.service_suspended_since) == (ServiceState.SUSPENDED, dt.date(2026, 2, 7))


def test_cured_before_the_notice_date_restores_service():
    contract = service_contract()
    sweep(contract, dt.date(2026, 2, 4))
    service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 5))
    sweep(contract, dt.date(2026, 2, 5))
    pay(contract, outstanding(installments(contract)[0]), dt.date(2026, 2, 6))
    assert refreshed(contract).status == ContractStatus.CURRENT
    sweep(contract, dt.date(2026, 2, 7))
    contract = refreshed(contract)
    assert (contract.service_state, contract.service_suspended_since, contract.service_effective_date) == (
        ServiceState.RESTORED,
        None,
        None,
    )
    assert AuditEvent.objects.filter(action="service.suspended").count() == 0


def test_active_plan_prevents_suspension():
    contract = service_contract()
    sweep(contract, dt.date(2026, 2, 4))
    service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 5))
    plan = plan_propose(actor=None, contract_id=contract.pk, months=2, on=dt.date(2026, 2, 6))
    plan_activate(actor=None, plan_id=plan.pk, on=dt.date(2026, 2, 6))
    sweep(contract, dt.date(2026, 2, 7))
    assert refreshed(contract).service_state == ServiceState.RESTORED
    assert DelinquencyTransition.objects.filter(contract=contract, event="cured").exists()
