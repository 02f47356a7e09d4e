"""What the workbench services share: permission checks and the account as the actor may see it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_agency
from contracts.models import Contract
from contracts.selectors import contract_get_for_staff
from core.errors import ForbiddenError

from ..codes import CasesError
from ..models import Agency, AgencyPlacement, PlacementStatus


def require_perm(actor: User, perm: str) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(perm)):
        raise ForbiddenError(code=CasesError.NOT_ALLOWED, message=_("Your role does not allow this."))


def account_for_actor(actor: User, contract_id: int, *, lock: bool = False) -> Contract:
    """The account if the actor may see it (an agency's user: placed with the agency now), else
    not found; locked for the caller's transaction when it changes the account."""
    contract = contract_get_for_staff(user=actor, pk=contract_id)
    if lock:
        contract = Contract.objects.select_for_update().select_related("customer", "product").get(pk=contract.pk)
    return contract


def actor_agency(actor: User, contract: Contract) -> Agency | None:
    """The agency on whose behalf an agency user acts on this account (None for the lender's staff)."""
    if not user_is_agency(actor):
        return None
    placement = (
        AgencyPlacement.objects.filter(contract=contract, status=PlacementStatus.ACTIVE, agency__members=actor)
        .select_related("agency")
        .first()
    )
    return placement.agency if placement else None
