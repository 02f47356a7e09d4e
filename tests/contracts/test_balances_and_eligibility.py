from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from contracts.models import ChargeEntry, ProductKind, ServiceState
from contracts.selectors import (
    contract_balance,
    contract_charges_explained,
    contract_get_for_user,
    customer_overview,
    explain_charge,
    service_eligibility,
)
from contracts.services import (
    delinquency_sweep_range,
    payment_post,
    service_notice_give,
    service_restore,
)
from core.errors import ApplicationError, NotFoundError
from core.money import quantize_money
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


def sweep(contract, day):
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)


def noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_balance_splits_components_into_overdue_due_now_and_not_yet_due():
    contract = make_contract(start_date=dt.date(2026, 1, 1))  # first due 2026-02-01, 12 x annuity 18%
    sweep(contract, dt.date(2026, 3, 1))
    balance = contract_balance(contract=contract, as_of=dt.date(2026, 3, 1))
    first, second, third = contract.installments.order_by("seq")[:3]
    assert balance.components["principal"].overdue == first.principal_due
    assert balance.components["interest"].overdue == first.interest_due
    assert balance.components["principal"].due_now == second.principal_due
    assert balance.components["interest"].not_yet_due > 0
    # The late fee (02-05, 4 days overdue) is cut to installment 1's cost cap then:
    # 916.80 x 4 days x 24 % / 365 = 2.41. Penalty runs 02-05 .. 03-01 (25 days) on 766.80 at
    # 0.05 %, rounded once: 9.59, less the first day (0.38) that found no room left: 9.21.
    assert balance.components["penalty"].overdue == Decimal("9.21")
    assert balance.components["fee"].overdue == Decimal("2.41")
    assert balance.days_past_due == 28
    assert balance.next_due_date == second.due_date
    assert balance.payoff == balance.total - balance.components["interest"].not_yet_due
    assert third.due_date > dt.date(2026, 3, 1)


def test_charges_are_explained_in_plain_language():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    sweep(contract, dt.date(2026, 2, 16))
    with translation.override("en"):
        texts = [c.text for c in contract_charges_explained(contract=contract)]
    assert any("Late fee for installment 1" in t and "3-day grace" in t for t in texts)
    penalty = next(t for t in texts if t.startswith("Penalty interest"))
    assert "0.05%/day" in penalty and "766.80" in penalty and "for 12 days" in penalty
    # Every formula reproduces its amount: base x rate x days rounded once; where the cost cap
    # cut the charge, the text says so, gives what was charged and names the rule.
    for entry in ChargeEntry.objects.filter(contract=contract):
        with translation.override("en"):
            text = explain_charge(entry, contract, entry.installment.seq)
        if entry.kind == "penalty":
            formula = quantize_money(entry.base_amount * entry.rate * entry.days)
            assert f"766.80 × 0.05% × {entry.days} = {formula:,}" in text
        assert entry.capped  # the late fee took installment 1's room on 02-05
        assert f"of which {entry.amount:,} charged" in text
        assert "Limited by the cost cap (licensed lender: comprehensive annualised cost within 24%" in text
        assert "916.80 a day on average" in text


def test_an_uncapped_penalty_formula_is_exactly_its_amount():
    """708.96-style regression: 766.80 x 0.05 % x 12 = 4.6008 -> 4.60, not 12 x 0.38 = 4.56."""
    contract = make_contract(start_date=dt.date(2026, 1, 1), late_fee_kind="none", late_fee_value=Decimal("0"))
    sweep(contract, dt.date(2026, 2, 16))
    (entry,) = ChargeEntry.objects.filter(contract=contract)
    assert (entry.days, entry.capped, entry.amount) == (12, False, Decimal("4.60"))
    with translation.override("en"):
        text = explain_charge(entry, contract, 1)
    assert "766.80 × 0.05% × 12 = 4.60 (rounded once, to the cent)" in text
    with translation.override("zh-hans"):
        assert "766.80 × 0.05% × 12 = 4.60" in explain_charge(entry, contract, 1)


@pytest.mark.parametrize("installments", [3, 24])
def test_balance_queries_do_not_grow_with_installments(django_assert_num_queries, installments):
    contract = make_contract(term=installments, start_date=dt.date(2026, 1, 1))
    sweep(contract, dt.date(2026, 6, 1))
    with django_assert_num_queries(1):
        contract_balance(contract=contract, as_of=dt.date(2026, 6, 1))
    with django_assert_num_queries(1):
        contract_charges_explained(contract=contract)


@pytest.mark.parametrize("contracts", [1, 5])
def test_customer_overview_queries_are_fixed(django_assert_num_queries, contracts):
    customer = make_customer()
    for _ in range(contracts):
        make_contract(customer=customer, start_date=dt.date(2026, 1, 1))
    with django_assert_num_queries(4):
        overview = customer_overview(customer=customer, as_of=dt.date(2026, 3, 1))
    assert len(overview) == contracts
    assert all(item.balance.overdue > 0 for item in overview)


def test_another_customers_contract_is_not_found():
    contract = make_contract()
    stranger = make_customer()
    with pytest.raises(NotFoundError):
        contract_get_for_user(user=stranger.user, pk=contract.pk)
    assert contract_get_for_user(user=contract.customer.user, pk=contract.pk) == contract


def test_service_eligibility_follows_the_suspension_clause():
    contract = make_contract(
        kind=ProductKind.SERVICE_SUBSCRIPTION,
        schedule_method="subscription",
        annual_interest_rate=Decimal("0"),
        principal="199.00",
        term=12,
        penalty_daily_rate=Decimal("0"),
        late_fee_kind="none",
        start_date=dt.date(2026, 1, 1),
    )
    customer = contract.customer
    assert service_eligibility(customer=customer).state == ServiceState.ALLOWED
    sweep(contract, dt.date(2026, 2, 2))
    contract.refresh_from_db()
    with pytest.raises(ApplicationError) as excinfo:  # 1 day past due: the clause needs 3
        service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 2))
    assert excinfo.value.code == "notice_too_early"
    sweep(contract, dt.date(2026, 2, 5))
    service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 5))
    notice = service_eligibility(customer=customer)
    assert notice.state == ServiceState.NOTICE_GIVEN and notice.effective_date == dt.date(2026, 2, 12)
    assert notice.may_dispatch
    sweep(contract, dt.date(2026, 2, 12))
    suspended = service_eligibility(customer=customer)
    assert suspended.state == ServiceState.SUSPENDED and suspended.since == dt.date(2026, 2, 12)
    assert not suspended.may_dispatch
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="s-1",
        amount=contract_balance(contract=contract, as_of=dt.date(2026, 2, 13)).pay_now,
        received_at=noon(dt.date(2026, 2, 13)),
    )
    # Paying the overdue amount restores the service at once (no one has to remember to).
    restored = service_eligibility(contract=contract.__class__.objects.get(pk=contract.pk))
    assert restored.state == ServiceState.RESTORED and restored.may_dispatch
    with pytest.raises(ApplicationError):
        service_restore(actor=None, contract_id=contract.pk, reason="again", on=dt.date(2026, 2, 13))
