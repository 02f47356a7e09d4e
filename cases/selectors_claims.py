"""Reads of the guarantee-claim pages (第三方保障): claims by status, one claim with what may be
done next and its history, and a contract's guarantees with their claims."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import audit_events_for_object
from contracts.models import Contract, ContractStatus
from contracts.selectors import Balance, contract_balance
from core.errors import NotFoundError

from .codes import CasesError
from .models import CLAIM_TRANSITIONS, ClaimStatus, Guarantee, GuaranteeClaim

OPEN_CLAIM_STATUSES = (ClaimStatus.PREPARED, ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED)
CLAIMS_PAGE_SIZE = 50


def claims_list(*, status: str = "") -> QuerySet[GuaranteeClaim]:
    """Claims, newest first, of one status (empty: every status). One query a page."""
    claims = GuaranteeClaim.objects.select_related("guarantee", "contract").order_by("-prepared_at", "-id")
    if status in ClaimStatus.values:
        claims = claims.filter(status=status)
    return claims


def claim_status_counts() -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the workflow's order. One query."""
    counts = dict(GuaranteeClaim.objects.order_by().values_list("status").annotate(n=Count("id")))
    return [(value, str(label), counts.get(value, 0)) for value, label in ClaimStatus.choices]


def claim_actions(claim: GuaranteeClaim) -> list[str]:
    """What may be done to the claim now, from the workflow's transitions table."""
    allowed = CLAIM_TRANSITIONS[claim.status]
    actions = []
    if ClaimStatus.SUBMITTED in allowed:
        actions.append("submit")
    if ClaimStatus.ACCEPTED in allowed:
        actions.append("decide")
    if ClaimStatus.PAID in allowed:
        actions.append("payout")
    if ClaimStatus.WITHDRAWN in allowed:
        actions.append("withdraw")
    return actions


@dataclass(frozen=True)
class ClaimPage:
    claim: GuaranteeClaim
    balance: Balance
    actions: list[str]
    history: list[AuditEvent]


def claim_page(*, pk: int) -> ClaimPage:
    claim = (
        GuaranteeClaim.objects.select_related("guarantee", "contract", "prepared_by", "payment").filter(pk=pk).first()
    )
    if claim is None:
        raise NotFoundError(code=CasesError.CLAIM_NOT_FOUND, message=_("Claim not found."))
    history = list(
        audit_events_for_object(object_type=GuaranteeClaim._meta.label_lower, object_id=claim.pk)
        .filter(action__startswith="guarantee_claim.")
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
    return ClaimPage(
        claim=claim, balance=contract_balance(contract=claim.contract), actions=claim_actions(claim), history=history
    )


@dataclass(frozen=True)
class GuaranteesPage:
    contract: Contract
    guarantees: list[Guarantee]
    charged_off: bool
    open_claims: dict[int, GuaranteeClaim]


def guarantees_page(*, contract: Contract) -> GuaranteesPage:
    """A contract's guarantees with their claims (newest first). Two queries."""
    claims: Any = GuaranteeClaim.objects.order_by("-prepared_at", "-id")
    guarantees = list(
        Guarantee.objects.filter(contract=contract).prefetch_related(Prefetch("claims", queryset=claims)).order_by("id")
    )
    open_claims = {g.pk: claim for g in guarantees for claim in g.claims.all() if claim.status in OPEN_CLAIM_STATUSES}
    return GuaranteesPage(
        contract=contract,
        guarantees=guarantees,
        charged_off=contract.status == ContractStatus.CHARGED_OFF,
        open_claims=open_claims,
    )


def guarantee_contract_id(*, guarantee_id: int) -> int:
    contract_id = Guarantee.objects.filter(pk=guarantee_id).values_list("contract_id", flat=True).first()
    if contract_id is None:
        raise NotFoundError(code=CasesError.CLAIM_NOT_FOUND, message=_("Guarantee not found."))
    return contract_id
