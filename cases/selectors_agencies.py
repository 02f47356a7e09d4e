"""Reads of the supervisors' pages: agencies with their placements (what was recovered and the
commission so far), and the requests waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS, VISIT_CARRY_OUT
from contracts.models import Payment, PaymentStatus
from core.money import quantize_money

from .models import Agency, AgencyPlacement, PlacementStatus, RequestStatus, VisitRequest, WaiverRequest

MONEY: Any = DecimalField(max_digits=20, decimal_places=2)


@dataclass(frozen=True)
class PlacementRow:
    placement: AgencyPlacement
    recovered: Decimal
    commission: Decimal
    period_over: bool = False  # still active but past its last day: the agency no longer sees it


def agencies_overview() -> list[tuple[Agency, list[PlacementRow]]]:
    """Every agency with its placements (newest first). For an active placement, what was
    recovered so far (payments posted from its first day to today, or its last day) and the
    commission on it; for a recalled one, the figures fixed at the recall. Three queries."""
    today = timezone.localdate()
    paid = (
        Payment.objects.filter(
            contract_id=OuterRef("contract_id"),
            status=PaymentStatus.POSTED,
            business_date__gte=OuterRef("placed_on"),
            business_date__lte=OuterRef("ends_on"),
        )
        .filter(business_date__lte=today)
        .order_by()
        .values("contract_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    placements = (
        AgencyPlacement.objects.select_related("contract__customer")
        .annotate(recovered_now=Coalesce(Subquery(paid, output_field=MONEY), Decimal("0.00"), output_field=MONEY))
        .order_by("-placed_at", "-id")
    )
    result = []
    for agency in Agency.objects.prefetch_related(Prefetch("placements", queryset=placements)).order_by("name"):
        rows = []
        for p in agency.placements.all():
            if p.status == PlacementStatus.ACTIVE:
                recovered = p.recovered_now  # type: ignore[attr-defined]
                rows.append(
                    PlacementRow(p, recovered, quantize_money(recovered * p.commission_rate), p.ends_on < today)
                )
            else:
                rows.append(PlacementRow(p, p.recovered, p.commission))
        result.append((agency, rows))
    return result


def waiver_requests_open() -> list[WaiverRequest]:
    return list(
        WaiverRequest.objects.filter(status=RequestStatus.REQUESTED)
        .select_related("contract__customer", "installment", "requested_by")
        .order_by("requested_at", "id")
    )


def visit_requests_open() -> list[VisitRequest]:
    return list(
        VisitRequest.objects.filter(status=RequestStatus.REQUESTED)
        .select_related("contract__customer", "requested_by")
        .order_by("proposed_for", "id")
    )


def visit_officer_choices() -> list[tuple[int, str]]:
    """Staff who may go on a visit (the roles with ``cases.carry_out_visit``) and have a badge
    number: an officer shows it to the customer, and the authorisation letter names it."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if VISIT_CARRY_OUT in perms]
    users = (
        User.objects.filter(is_active=True, is_staff=True, groups__name__in=roles)
        .exclude(staff_profile__badge_number="")
        .filter(staff_profile__isnull=False)
        .select_related("staff_profile")
        .distinct()
        .order_by("full_name", "email")
    )
    return [(u.pk, f"{u} #{u.staff_profile.badge_number}") for u in users]
