"""Overdue accounts, agencies and placements for the workbench tests, made through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from cases.models import Agency, AgencyPlacement
from cases.services import placement_create
from contracts.models import Contract
from contracts.services import delinquency_sweep_range
from core.dates import business_today
from tests.accounts.factories import make_staff
from tests.contracts.factories import make_contract

_n = itertools.count(1)


def overdue_contract(
    *, customer: CustomerProfile | None = None, started_days_ago: int = 70, **kwargs: object
) -> Contract:
    """A contract whose first installments are past due, swept up to yesterday."""
    today = business_today()
    contract = make_contract(customer=customer, start_date=today - dt.timedelta(days=started_days_ago), **kwargs)  # type: ignore[arg-type]
    delinquency_sweep_range(business_date=today - dt.timedelta(days=1), first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    return contract


def make_agency(*, rate: str = "0.1500", licence_days: int = 365) -> Agency:
    n = next(_n)
    return Agency.objects.create(
        name=f"代理催收{n}",
        licence_number=f"LIC-{n:04d}",
        licence_valid_until=business_today() + dt.timedelta(days=licence_days),
        commission_rate=Decimal(rate),
    )


def agency_user(agency: Agency) -> User:
    user = make_staff(Role.AGENCY)
    agency.members.add(user)
    return user


def place(contract: Contract, agency: Agency, *, days: int = 90, by: User | None = None) -> AgencyPlacement:
    supervisor = by or make_staff(Role.SUPERVISOR)
    return placement_create(
        actor=supervisor,
        contract_id=contract.pk,
        agency_id=agency.pk,
        ends_on=business_today() + dt.timedelta(days=days),
    )
