"""The benchmark portfolio (bench/portfolio.py) is a ledger the product could have written:
stored figures equal what the ledger helpers compute from the installments, allocations add
up to the paid columns, and a replay of each contract's inputs gives the same ledger."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from accounts.models import ContactPreference, CustomerProfile
from contracts import ledger
from contracts import ledger_store as store
from contracts.models import (
    AllocationLine,
    ChargeEntry,
    CollectionHold,
    Contract,
    ContractStatus,
    Installment,
    Payment,
    PromiseToPay,
    RepaymentPlan,
)
from notices.models import Notice, ValidationNotice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = dt.date(2026, 11, 25)
EVE = D - dt.timedelta(days=1)
N = 400
ZERO = Decimal("0.00")
PAID = {"principal": "principal_paid", "interest": "interest_paid", "penalty": "penalty_paid", "fee": "fee_paid"}


def _portfolio_module():
    path = Path(__file__).resolve().parents[2] / "bench" / "portfolio.py"
    spec = importlib.util.spec_from_file_location("bench_portfolio", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def portfolio():
    return _portfolio_module().generate(
        contracts=N, business_date=D, jobs=2, vacuum=False, check=True, log=lambda _line: None
    )


def _ledger_rows(contract_ids):
    installments = {
        r["id"]: r
        for r in Installment.objects.filter(contract_id__in=contract_ids).values().order_by("contract_id", "id")
    }
    allocations = sorted(
        AllocationLine.objects.filter(contract_id__in=contract_ids).values_list(
            "contract_id", "payment_id", "installment_id", "component", "amount", "applied_on", "from_credit"
        )
    )
    charges = sorted(
        ChargeEntry.objects.filter(contract_id__in=contract_ids).values_list(
            "contract_id",
            "installment_id",
            "kind",
            "from_date",
            "to_date",
            "days",
            "base_amount",
            "rate",
            "amount",
            "capped",
        )
    )
    contracts = {
        c["id"]: c for c in Contract.objects.filter(pk__in=contract_ids).values(*store.CONTRACT_LEDGER_FIELDS, "id")
    }
    return installments, allocations, charges, contracts


def test_stored_ledger_state_matches_the_installments(portfolio):
    contracts = list(Contract.objects.order_by("pk"))
    assert len(contracts) == N == portfolio["counts"]["contracts_contract"]
    loaded = store.load(contracts)
    overdue = 0
    charged = ZERO
    for contract in contracts:
        state = loaded[contract.pk].state
        active = [i for i in state.installments if i.active]
        assert contract.accrued_through == EVE
        assert contract.credit_balance == ZERO
        assert contract.principal_outstanding == sum((i.outstanding("principal") for i in active), ZERO)
        assert contract.principal_outstanding == state.principal_outstanding
        assert contract.next_due_date == ledger.next_due(state)
        dpd = ledger.days_past_due(state, EVE)
        assert contract.days_past_due == dpd, contract.number
        assert contract.bucket == store.bucket_for(dpd)
        assert contract.status == (ContractStatus.DELINQUENT if dpd > 0 else ContractStatus.CURRENT)
        if dpd > 0:
            overdue += 1
            assert contract.delinquency_episode == 1
            assert contract.delinquent_since == EVE - dt.timedelta(days=dpd - 1)
            # overdue installments past their grace period carry a late fee and penalty interest
            late = [
                i
                for i in active
                if i.total_outstanding > ZERO and i.due_date + dt.timedelta(days=contract.grace_days) < EVE
            ]
            assert all(i.late_fee_assessed for i in late)
            charged += sum((i.penalty_accrued + i.fee_charged for i in late), ZERO)
        else:
            assert contract.delinquent_since is None
        assert contract.principal_days > ZERO
        assert all(i.outstanding(c) >= ZERO for i in state.installments for c in ledger.COMPONENTS)
    assert charged > ZERO
    # every 5th contract overdue; one in 180 of them falls due the day before D (0 days past due yet)
    assert 0.17 <= overdue / N <= 0.23
    dpds = set(Contract.objects.filter(days_past_due__gt=0).values_list("days_past_due", flat=True))
    assert {0, 2, 6, 14, 29, 59} & {d - 1 for d in dpds}, "ladder days are reached on D"


def test_allocations_add_up_to_payments_and_paid_columns(portfolio):
    paid: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for installment_id, component, amount in AllocationLine.objects.values_list(
        "installment_id", "component", "amount"
    ):
        assert installment_id is not None, "no credit balances in the bench portfolio"
        paid[(installment_id, component)] += amount
    for row in Installment.objects.values("id", *PAID.values()):
        for component, column in PAID.items():
            assert row[column] == paid[(row["id"], component)]
    by_payment = dict(AllocationLine.objects.values_list("payment_id").annotate(total=Sum("amount")))
    payments = list(Payment.objects.values_list("id", "amount", "contract_id"))
    assert payments
    for payment_id, amount, _contract_id in payments:
        assert by_payment[payment_id] == amount
    assert Payment.objects.values("channel", "external_reference").distinct().count() == len(payments)


def test_the_engine_replays_the_same_ledger(portfolio):
    """store.rebuild replays each contract from its inputs (schedule, payments, plans): the
    generator's figures, charges and allocation lines must come out unchanged."""
    plan_contracts = list(RepaymentPlan.objects.values_list("contract_id", flat=True)[:2])
    overdue = list(Contract.objects.filter(days_past_due__gt=30).values_list("pk", flat=True)[:6])
    current = list(Contract.objects.filter(days_past_due=0).values_list("pk", flat=True)[:4])
    sample = [*plan_contracts, *overdue, *current]
    assert plan_contracts and overdue and current
    before = _ledger_rows(sample)
    for contract in Contract.objects.filter(pk__in=sample):
        store.rebuild(contract)
    after = _ledger_rows(sample)
    installments_before, allocations_before, charges_before, contracts_before = before
    installments_after, allocations_after, charges_after, contracts_after = after
    assert installments_after == installments_before
    assert allocations_after == allocations_before
    assert charges_after == charges_before
    assert contracts_after == contracts_before


def test_the_rest_of_the_portfolio(portfolio):
    assert CustomerProfile.objects.count() == N
    assert not CustomerProfile.objects.filter(language="").exists()
    assert CustomerProfile.objects.filter(jurisdiction="US-REGF", language="en").exclude(timezone="Asia/Shanghai")
    # shares of a hash of the contract's number: about 3%, 2% and 1% of the portfolio
    assert 0.01 * N <= ContactPreference.objects.count() <= 0.06 * N
    assert 0.005 * N <= CollectionHold.objects.filter(released_on__isnull=True).count() <= 0.04 * N
    assert 1 <= PromiseToPay.objects.filter(status="open").count() <= 0.03 * N
    assert not CollectionHold.objects.exclude(contract__status=ContractStatus.DELINQUENT).exclude(
        contract__days_past_due=0
    )
    plan = RepaymentPlan.objects.get(status="active", contract__number="BN000000005")
    assert plan.installments.count() == 6
    assert not Installment.objects.filter(contract=plan.contract, plan__isnull=True, superseded_on__isnull=True)
    # ladder notices of past nights whose catch-up window is still open (idempotency keys)
    for notice in Notice.objects.select_related("contract"):
        assert notice.idempotency_key.startswith(f"c{notice.contract_id}:e1:")
        assert notice.contract.status == ContractStatus.DELINQUENT
        assert notice.created_at.date() < D
    # every US debt that entered collection before tonight had its validation notice issued then
    in_collection = Contract.objects.filter(customer__jurisdiction="US-REGF", delinquency_episode__gt=0)
    assert in_collection.exists()
    assert not in_collection.filter(validation_notice__isnull=True).exists()
    assert ValidationNotice.objects.count() == in_collection.count()
    assert not ValidationNotice.objects.filter(sent_at__date__gte=D).exists()
