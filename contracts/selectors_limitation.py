"""Reads of limitation periods (12 CFR 1006.26(b)): the table in force, each contract's facts
and its time-barred position, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min, Q

from .limitation import Limitation, LimitationFacts, Period, limitation_of, period_in_force
from .models import (
    Contract,
    DebtType,
    Installment,
    LimitationPeriod,
    Payment,
    PaymentStatus,
    UsState,
)


def limitation_periods() -> list[Period]:
    """The whole limitation table as plain values (one query; a few dozen rows)."""
    return [
        Period(
            jurisdiction=row.jurisdiction,
            debt_type=row.debt_type,
            years=row.years,
            revived_by_payment=row.revived_by_payment,
            citation=row.citation,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
        )
        for row in LimitationPeriod.objects.order_by("jurisdiction", "debt_type", "effective_from", "pk")
    ]


def limitation_facts(*, contracts: list[Contract], on_date: dt.date) -> dict[int, LimitationFacts]:
    """What the limitation rules need about each contract with a governing state or the manual
    flag (the others have none): two aggregate queries for any number of contracts, none when no
    contract needs them. The oldest due date still unpaid on ``on_date`` and the last posted
    payment on or before it."""
    relevant = [c for c in contracts if c.governing_state or c.time_barred_flag]
    if not relevant:
        return {}
    ids = [c.pk for c in relevant]
    first_unpaid = dict(
        Installment.objects.filter(contract_id__in=ids, due_date__lte=on_date)
        .filter(Q(settled_on__isnull=True) | Q(settled_on__gt=on_date))
        .filter(Q(superseded_on__isnull=True) | Q(superseded_on__gt=on_date))
        .order_by()
        .values("contract_id")
        .annotate(first=Min("due_date"))
        .values_list("contract_id", "first")
    )
    last_payment = dict(
        Payment.objects.filter(contract_id__in=ids, status=PaymentStatus.POSTED, business_date__lte=on_date)
        .order_by()
        .values("contract_id")
        .annotate(last=Max("business_date"))
        .values_list("contract_id", "last")
    )
    return {
        c.pk: LimitationFacts(
            governing_state=c.governing_state or None,
            debt_type=c.limitation_debt_type,
            first_unpaid_due=first_unpaid.get(c.pk),
            last_payment=last_payment.get(c.pk),
            flagged=c.time_barred_flag,
        )
        for c in relevant
    }


def contracts_limitation(
    *, contracts: list[Contract], on_date: dt.date, periods: list[Period] | None = None
) -> dict[int, Limitation]:
    """The limitation position of every contract that has one (a governing state or the flag),
    in at most three queries whatever the number of contracts."""
    facts = limitation_facts(contracts=contracts, on_date=on_date)
    if not facts:
        return {}
    if periods is None and any(f.governing_state for f in facts.values()):
        periods = limitation_periods()
    return {pk: limitation_of(f, periods or [], on_date) for pk, f in facts.items()}


def contract_limitation(*, contract: Contract, on_date: dt.date) -> Limitation:
    """One contract's limitation period, accrual date, time-barred date and flag on ``on_date``."""
    found = contracts_limitation(contracts=[contract], on_date=on_date).get(contract.pk)
    if found is not None:
        return found
    facts = LimitationFacts(governing_state=None, debt_type=contract.limitation_debt_type, first_unpaid_due=None)
    return limitation_of(facts, [], on_date)


def time_barred_contract_numbers(*, contracts: list[Contract], on_date: dt.date) -> frozenset[str]:
    """The numbers of the contracts that are time-barred on ``on_date`` (the engine's input)."""
    by_pk = {c.pk: c for c in contracts}
    return frozenset(
        by_pk[pk].number
        for pk, limitation in contracts_limitation(contracts=contracts, on_date=on_date).items()
        if limitation.is_time_barred
    )


def limitation_jurisdictions_missing(
    *, on_date: dt.date, debt_type: str = DebtType.WRITTEN_CONTRACT, periods: list[Period] | None = None
) -> list[str]:
    """The jurisdictions (50 states and DC) without a period in force on ``on_date`` for the debt
    type: a contract governed by one counts as time-barred only when staff flag it."""
    periods = limitation_periods() if periods is None else periods
    return [
        state
        for state in UsState.values
        if period_in_force(periods, jurisdiction=state, debt_type=debt_type, on_date=on_date) is None
    ]
