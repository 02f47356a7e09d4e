"""Reads for the validation-notice rule of the compliance engine (12 CFR 1006.34(a)(1)): per
customer, the US debts whose validation notice is owed and not yet sent, and those of them a
collection communication has already been made on. One query each for any number of
customers (the ladder, delivery and ``contact_judge`` share it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import ContactChannel, Jurisdiction
from contracts.models import Contract, ContractStatus

from .models import COLLECTION_PURPOSES, ContactAttempt

# Outbound collection contacts that are communications: messages sent, calls and visits answered.
_SPOKEN = (ContactChannel.CALL, ContactChannel.VISIT)
COMMUNICATION = (~Q(channel__in=_SPOKEN) & Q(outcome__in=["", "delivered"])) | Q(
    channel__in=_SPOKEN, outcome__in=["conversation", "delivered"]
)


@dataclass(frozen=True)
class ValidationStanding:
    pending: frozenset[str] = frozenset()
    communicated: frozenset[str] = frozenset()


NONE = ValidationStanding()


def validation_standing_load(customer_ids: Iterable[int]) -> dict[int, ValidationStanding]:
    """The customers' debts in collection (an episode has begun, not paid off) whose notice
    is not sent; customers outside Regulation F never have any."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    pending: defaultdict[int, dict[int, str]] = defaultdict(dict)
    for contract_id, number, customer_id in (
        Contract.objects.filter(
            customer_id__in=ids, customer__jurisdiction=Jurisdiction.US_REGF, delinquency_episode__gt=0
        )
        .exclude(status=ContractStatus.PAID_OFF)
        .exclude(validation_notice__sent_at__isnull=False)
        .values_list("pk", "number", "customer_id")
    ):
        pending[customer_id][contract_id] = number
    if not pending:
        return {}
    contract_ids = [cid for numbers in pending.values() for cid in numbers]
    communicated: defaultdict[int, set[str]] = defaultdict(set)
    for contract_id, customer_id in (
        ContactAttempt.objects.filter(
            COMMUNICATION,
            contract_id__in=contract_ids,
            verdict="allowed",
            direction="outbound",
            to="debtor",
            purpose__in=[*COLLECTION_PURPOSES, "collection"],
        )
        .values_list("contract_id", "customer_id")
        .distinct()
    ):
        communicated[customer_id].add(pending[customer_id][contract_id])
    return {
        customer_id: ValidationStanding(frozenset(numbers.values()), frozenset(communicated[customer_id]))
        for customer_id, numbers in pending.items()
    }
