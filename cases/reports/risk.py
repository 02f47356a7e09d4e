"""The early-warning score as it stands: contracts per risk band and method, and the model
versions trained with their held-out AUC next to the rule score's."""

from __future__ import annotations

from django.db.models import Count

from contracts.models import ContractRiskScore, RiskBand, RiskModelVersion
from contracts.selectors_risk import risk_watchlist


def scores_by_band() -> dict[str, dict[str, int]]:
    """Band → method → contracts scored. One query."""
    table: dict[str, dict[str, int]] = {band: {} for band in RiskBand.values}
    for band, method, n in (
        ContractRiskScore.objects.values("band", "method")
        .annotate(n=Count("pk"))
        .values_list("band", "method", "n")
        .order_by()
    ):
        table.setdefault(band, {})[method] = n
    return table


def watchlist(limit: int = 20) -> list[ContractRiskScore]:
    return list(risk_watchlist(limit=limit))


def model_versions(limit: int = 10) -> list[RiskModelVersion]:
    return list(RiskModelVersion.objects.order_by("-version")[:limit])
