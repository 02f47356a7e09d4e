"""Reads of the customer case page: the customer's accounts as the staff member may see them,
each with its balance, holds, plan, placement and the actions allowed now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import CustomerProfile, User
from accounts.roles import PLACE_WITH_AGENCY
from contracts.models import CollectionHold, Contract, Installment, PromiseStatus, PromiseToPay, RepaymentPlan
from contracts.selectors import Balance, balance_from_rows, contracts_for_staff

from .models import Agency, AgencyPlacement, PlacementStatus
from .rules import ActionState, account_actions_for

OPEN_PLAN_STATUSES = ("proposed", "active")


@dataclass
class AccountView:
    contract: Contract
    balance: Balance
    holds: list[CollectionHold]
    plans: list[RepaymentPlan]
    promises: list[PromiseToPay]
    placement: AgencyPlacement | None
    actions: list[ActionState] = field(default_factory=list)
    waivable: list[tuple[int, str]] = field(default_factory=list)
    forms: dict[str, Any] = field(default_factory=dict)
    open_action: str = ""

    @property
    def action_map(self) -> dict[str, ActionState]:
        return {a.name: a for a in self.actions}

    @property
    def open_promise(self) -> PromiseToPay | None:
        return next((p for p in self.promises if p.status == PromiseStatus.OPEN), None)


def case_accounts(*, user: User, profile: CustomerProfile, by: str, judge: bool = True) -> list[AccountView]:
    """The customer's contracts the user may see (an agency: those placed with it now), with
    their rows in a fixed number of queries; ``judge`` adds the actions allowed now."""
    today = timezone.localdate()
    contracts = list(
        contracts_for_staff(user=user)
        .filter(customer=profile)
        .select_related("product", "customer", "assignment__agent", "assignment__team")
        .prefetch_related(
            Prefetch("installments", queryset=Installment.objects.order_by("due_date", "seq"), to_attr="rows"),
            Prefetch("holds", queryset=CollectionHold.objects.filter(released_on__isnull=True), to_attr="open_holds"),
            Prefetch("plans", queryset=RepaymentPlan.objects.order_by("-created_at"), to_attr="plan_rows"),
            Prefetch("promises", queryset=PromiseToPay.objects.order_by("-promised_date"), to_attr="promise_rows"),
            Prefetch(
                "agency_placements",
                queryset=AgencyPlacement.objects.filter(status=PlacementStatus.ACTIVE).select_related("agency"),
                to_attr="active_placements",
            ),
        )
        .order_by("-days_past_due", "id")
    )
    views = []
    for c in contracts:
        rows = c.rows  # type: ignore[attr-defined]
        plans = c.plan_rows  # type: ignore[attr-defined]
        placements = c.active_placements  # type: ignore[attr-defined]
        view = AccountView(
            contract=c,
            balance=balance_from_rows(rows=rows, credit=c.credit_balance, as_of=today),
            holds=c.open_holds,  # type: ignore[attr-defined]
            plans=plans,
            promises=c.promise_rows,  # type: ignore[attr-defined]
            placement=placements[0] if placements else None,
            waivable=[
                (r.pk, f"#{r.seq} · {r.due_date.isoformat()}")
                for r in rows
                if r.fee_charged > 0 or r.penalty_accrued - r.penalty_paid - r.penalty_waived > 0
            ],
        )
        if judge:
            view.actions = account_actions_for(
                user=user,
                contract=c,
                by=by,
                has_open_plan=any(p.status in OPEN_PLAN_STATUSES for p in plans),
                on_hold=bool(view.holds),
                placement=view.placement,
            )
        views.append(view)
    return views


def placement_agencies(*, user: User) -> list[tuple[int, str]]:
    """Agencies an account may be placed with now (licensed today), for a user who may place."""
    if not user.has_perm(PLACE_WITH_AGENCY):
        return []
    today = timezone.localdate()
    return [
        (a.pk, f"{a.name} ({a.licence_number})")
        for a in Agency.objects.filter(is_active=True, licence_valid_until__gte=today).order_by("name")
    ]
