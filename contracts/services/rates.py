"""The dated rate tables of the cost cap (``contracts.cost_cap``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from audit.services import audit_record

from ..codes import ContractsAction
from ..lpr_history import ONE_YEAR_LPR
from ..models import LoanPrimeRate


@transaction.atomic
def lpr_seed(*, actor: User | None) -> int:
    """Add the published one-year LPR changes still missing; never overwrites a row compliance
    entered or corrected. Returns how many rows were added (one audit event each)."""
    existing = set(
        LoanPrimeRate.objects.filter(tenor=LoanPrimeRate.Tenor.ONE_YEAR).values_list("effective_from", flat=True)
    )
    added = 0
    for published, rate in ONE_YEAR_LPR:
        day = dt.date.fromisoformat(published)
        if day in existing:
            continue
        row = LoanPrimeRate.objects.create(
            tenor=LoanPrimeRate.Tenor.ONE_YEAR, rate=Decimal(rate), published_on=day, effective_from=day
        )
        audit_record(action=ContractsAction.LPR_RECORDED, actor=actor, obj=row, data={"rate": rate, "from": published})
        added += 1
    return added
