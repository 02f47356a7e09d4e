"""Reads of the early-warning score: one contract's, and the contracts most at risk."""

from __future__ import annotations

from django.db.models import QuerySet

from .models_risk import ContractRiskScore
from .risk.features import TARGET_DPD


def contract_risk_score(*, contract_id: int) -> ContractRiskScore | None:
    return ContractRiskScore.objects.filter(contract_id=contract_id).first()


def risk_watchlist(*, limit: int = 20) -> QuerySet[ContractRiskScore]:
    """The contracts most likely to reach 30 days past due in the next cycle (those already
    there are left out: they are in the collection queue), highest probability first, with the
    contract and its customer loaded (one query)."""
    return (
        ContractRiskScore.objects.filter(contract__days_past_due__lt=TARGET_DPD)
        .select_related("contract__customer")
        .order_by("-probability", "contract_id")[:limit]
    )
