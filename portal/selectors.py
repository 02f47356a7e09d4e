"""Reads for the customer pages that combine several apps' data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import CustomerProfile
from contracts.selectors import CustomerContractSummary, customer_overview

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DashboardTotals:
    """What the customer owes across their contracts, by component (overdue part)."""

    currency: str = "CNY"
    owed: Decimal = ZERO
    overdue: Decimal = ZERO
    principal: Decimal = ZERO
    interest: Decimal = ZERO
    penalty: Decimal = ZERO
    fee: Decimal = ZERO
    days_overdue: int = 0


@dataclass(frozen=True)
class CustomerDashboard:
    overview: list[CustomerContractSummary]
    totals: DashboardTotals
    next_item: CustomerContractSummary | None = field(default=None)
    # The contract the dashboard's main "pay" action opens: the one furthest behind.
    pay_first: CustomerContractSummary | None = field(default=None)
    payable_count: int = 0


def customer_dashboard(*, customer: CustomerProfile, as_of: dt.date) -> CustomerDashboard:
    """Every contract with its balance, the totals over them and the next installment due."""
    overview = customer_overview(customer=customer, as_of=as_of)

    def overdue_of(component: str) -> Decimal:
        return sum((item.balance.components[component].overdue for item in overview), ZERO)

    totals = DashboardTotals(
        currency=overview[0].contract.currency if overview else "CNY",
        owed=sum((item.balance.payoff for item in overview), ZERO),
        overdue=sum((item.balance.overdue for item in overview), ZERO),
        principal=overdue_of("principal"),
        interest=overdue_of("interest"),
        penalty=overdue_of("penalty"),
        fee=overdue_of("fee"),
        days_overdue=max((item.balance.days_past_due for item in overview), default=0),
    )
    upcoming = [item for item in overview if item.balance.next_due_date]
    next_item = min(upcoming, key=lambda item: (item.balance.next_due_date, item.contract.pk)) if upcoming else None
    payable = [item for item in overview if item.balance.pay_now > ZERO]
    pay_first = (
        max(payable, key=lambda item: (item.balance.days_past_due, item.balance.pay_now, -item.contract.pk))
        if payable
        else None
    )
    return CustomerDashboard(
        overview=overview, totals=totals, next_item=next_item, pay_first=pay_first, payable_count=len(payable)
    )
