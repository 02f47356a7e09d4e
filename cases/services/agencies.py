"""Placing accounts with licensed external agencies, recalling them, and the commission on
what was recovered during a placement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import PLACE_WITH_AGENCY
from audit.services import audit_record
from contracts.models import CollectionHold, Contract, ContractStatus, Payment, PaymentStatus
from core.errors import ApplicationError, NotFoundError
from core.money import quantize_money

from ..codes import CasesAction, CasesError
from ..models import Agency, AgencyPlacement, PlacementStatus
from ._common import require_perm

MAX_PLACEMENT_DAYS = 366
ZERO = Decimal("0.00")


def placement_recovered(placement: AgencyPlacement, *, through: dt.date) -> Decimal:
    """Payments posted to the account from the placement's first day to ``through`` (its last
    day, the recall or today), reversed ones excluded."""
    total = Payment.objects.filter(
        contract_id=placement.contract_id,
        status=PaymentStatus.POSTED,
        business_date__gte=placement.placed_on,
        business_date__lte=through,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@transaction.atomic
def placement_create(*, actor: User, contract_id: int, agency_id: int, ends_on: dt.date) -> AgencyPlacement:
    """Place an overdue account with an agency until ``ends_on``. The agency must be active and
    licensed for the whole period; an account is placed with one agency at a time and not
    while collection is on hold. From now on the agency's users see it (masked) and their
    calls count toward the same daily limits as the lender's."""
    require_perm(actor, PLACE_WITH_AGENCY)
    contract = Contract.objects.select_for_update().select_related("customer").filter(pk=contract_id).first()
    if contract is None:
        raise NotFoundError(code=CasesError.NOT_ALLOWED, message=_("Contract not found."))
    agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
    if agency is None:
        raise ApplicationError(code=CasesError.AGENCY_NOT_FOUND, message=_("Choose an active agency."), field="agency")
    today = timezone.localdate()
    if not (today <= ends_on <= today + dt.timedelta(days=MAX_PLACEMENT_DAYS)):
        raise ApplicationError(
            code=CasesError.PLACEMENT_PERIOD,
            message=_("A placement ends between today and %(days)s days from now.") % {"days": MAX_PLACEMENT_DAYS},
            field="ends_on",
        )
    if agency.licence_valid_until < ends_on:
        raise ApplicationError(
            code=CasesError.AGENCY_UNLICENSED,
            message=_("The agency's licence ends on %(date)s, before the placement would.")
            % {"date": agency.licence_valid_until.isoformat()},
            field="ends_on",
        )
    if contract.status not in (ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF):
        raise ApplicationError(code=CasesError.NOT_OVERDUE, message=_("This account is not overdue."))
    if CollectionHold.objects.filter(contract=contract, released_on__isnull=True).exists():
        raise ApplicationError(
            code=CasesError.NOT_ALLOWED, message=_("Collection is on hold: the account cannot be placed now.")
        )
    if AgencyPlacement.objects.filter(contract=contract, status=PlacementStatus.ACTIVE).exists():
        raise ApplicationError(code=CasesError.PLACEMENT_EXISTS, message=_("The account is already placed."))
    placement = AgencyPlacement.objects.create(
        contract=contract,
        agency=agency,
        placed_at=timezone.now(),
        placed_on=today,
        ends_on=ends_on,
        placed_by=actor,
        commission_rate=agency.commission_rate,
    )
    audit_record(
        action=CasesAction.PLACEMENT_CREATED,
        actor=actor,
        obj=placement,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "agency": agency.pk, "ends_on": ends_on, "rate": agency.commission_rate},
    )
    return placement


@transaction.atomic
def placement_recall(*, actor: User, placement_id: int, reason: str) -> AgencyPlacement:
    """Take an account back from the agency at once: its users no longer see it. What was
    recovered during the placement and the commission on it are fixed now."""
    require_perm(actor, PLACE_WITH_AGENCY)
    placement = (
        AgencyPlacement.objects.select_for_update().select_related("contract__customer").filter(pk=placement_id).first()
    )
    if placement is None:
        raise NotFoundError(code=CasesError.PLACEMENT_NOT_ACTIVE, message=_("Placement not found."))
    if not placement.can_recall():
        raise ApplicationError(code=CasesError.PLACEMENT_NOT_ACTIVE, message=_("The placement has already ended."))
    reason = reason.strip()
    if len(reason) < 5:
        raise ApplicationError(
            code=CasesError.REASON_MISSING, message=_("Please give the reason (at least 5 characters)."), field="reason"
        )
    through = min(timezone.localdate(), placement.ends_on)
    recovered = placement_recovered(placement, through=through)
    placement.status = PlacementStatus.RECALLED
    placement.recalled_at = timezone.now()
    placement.recalled_by = actor
    placement.recall_reason = reason[:300]
    placement.recovered = recovered
    placement.commission = quantize_money(recovered * placement.commission_rate)
    placement.save(update_fields=["status", "recalled_at", "recalled_by", "recall_reason", "recovered", "commission"])
    audit_record(
        action=CasesAction.PLACEMENT_RECALLED,
        actor=actor,
        obj=placement,
        subject_user_id=placement.contract.customer.user_id,
        data={
            "contract": placement.contract.number,
            "agency": placement.agency_id,
            "reason": placement.recall_reason,
            "recovered": recovered,
            "commission": placement.commission,
        },
    )
    return placement


@transaction.atomic
def agency_save(*, actor: User, agency: Agency, changed: list[str]) -> Agency:
    """Create or change an agency (admin): licence, commission rate, active; audited."""
    require_perm(actor, PLACE_WITH_AGENCY)
    created = agency.pk is None
    agency.full_clean()
    agency.save()
    audit_record(
        action=CasesAction.AGENCY_SAVED,
        actor=actor,
        obj=agency,
        data={
            "created": created,
            "changed": sorted(changed),
            "licence_number": agency.licence_number,
            "licence_valid_until": agency.licence_valid_until,
            "commission_rate": agency.commission_rate,
            "is_active": agency.is_active,
        },
    )
    return agency


@transaction.atomic
def members_recorded(*, actor: User, obj: Agency | Any) -> None:
    """Who belongs to an agency or a team now (after the admin saved the members): audited."""
    audit_record(
        action=CasesAction.MEMBERS_SET,
        actor=actor,
        obj=obj,
        data={"members": sorted(obj.members.values_list("pk", flat=True))},
    )
