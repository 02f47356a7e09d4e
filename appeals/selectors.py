"""Reads of cases for the customer pages, the staff queue and case page, the API and reports.

Customers only ever reach their own cases and evidence; anyone else's answers not found.
Agencies see no cases (placements with agencies carry no complaint handling).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import F, Prefetch, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from contracts.models import CollectionHold
from core.errors import NotFoundError

from .calendar import unofficial_years_for
from .models import OPEN_STATUSES, Case, CaseEvent, CaseKind, CaseStatus, Evidence

# The status filter of the staff queue: "" is every case with a running clock.
QUEUE_ALL = "all"


def _due_at() -> CaseWhen:
    """The deadline that matters now: acknowledgement while submitted, resolution after."""
    return CaseWhen(When(status=CaseStatus.SUBMITTED, then=F("acknowledge_due_at")), default=F("resolve_due_at"))


def _staff_sees_cases(user: User) -> bool:
    return user.is_superuser or not user_has_role(user, Role.AGENCY)


# --- customer --------------------------------------------------------------------------------
def cases_for_customer(*, profile: CustomerProfile) -> QuerySet[Case]:
    return Case.objects.filter(customer=profile).select_related("contract").order_by("-submitted_at", "-id")


def case_get_for_customer(*, profile: CustomerProfile, pk: int) -> Case:
    """One of the customer's own cases with its visible timeline and evidence."""
    case = (
        Case.objects.filter(pk=pk, customer=profile)
        .select_related("contract", "customer")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(visible_to_customer=True).order_by("at", "id"),
                to_attr="visible_events",
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"), to_attr="evidence_items"),
        )
        .first()
    )
    if case is None:
        raise NotFoundError(code="case_not_found", message=_("Case not found."))
    return case


def evidence_get_for_customer(*, profile: CustomerProfile, pk: int) -> Evidence:
    evidence = Evidence.objects.filter(pk=pk, case__customer=profile).select_related("case__customer").first()
    if evidence is None:
        raise NotFoundError(code="evidence_not_found", message=_("File not found."))
    return evidence


# --- staff -----------------------------------------------------------------------------------
def case_queue_for_staff(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    """Cases by the deadline that runs now, soonest (or longest breached) first.

    Filters: ``kind``; ``status`` ("" = cases with a running clock, "all", or one status);
    ``breached`` (truthy: past the deadline or marked breached by the hourly check);
    ``mine`` (truthy: assigned to ``user``).
    """
    filters = filters or {}
    qs = Case.objects.select_related("customer", "contract", "assigned_to").annotate(due_at=_due_at())
    if not _staff_sees_cases(user):
        return qs.none()
    kind = filters.get("kind") or ""
    if kind in CaseKind.values:
        qs = qs.filter(kind=kind)
    status = filters.get("status") or ""
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    elif status != QUEUE_ALL:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.get("breached"):
        now = timezone.now()
        qs = qs.filter(Q(breached_at__isnull=False) | Q(status__in=OPEN_STATUSES, due_at__lt=now))
    if filters.get("mine"):
        qs = qs.filter(assigned_to=user)
    return qs.order_by("due_at", "id")


def case_get_for_staff(*, user: User, pk: int) -> Case:
    """One case with the whole timeline (internal events included) and its evidence."""
    case = None
    if _staff_sees_cases(user):
        case = (
            Case.objects.filter(pk=pk)
            .annotate(due_at=_due_at())
            .select_related(
                "customer",
                "contract__product",
                "related_case",
                "assigned_to",
                "first_reviewer",
                "second_approver",
                "appeal_reviewer",
                "escalated_to",
                "filed_by",
            )
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=CaseEvent.objects.select_related("actor").order_by("at", "id"),
                    to_attr="timeline",
                ),
                Prefetch(
                    "evidence",
                    queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "id"),
                    to_attr="evidence_items",
                ),
                # Collection holds in force on the case's contract (this case's or another's).
                Prefetch(
                    "contract__holds",
                    queryset=CollectionHold.objects.filter(released_on__isnull=True)
                    .select_related("placed_by")
                    .order_by("placed_on", "id"),
                    to_attr="open_holds",
                ),
            )
            .first()
        )
    if case is None:
        raise NotFoundError(code="case_not_found", message=_("Case not found."))
    return case


def evidence_get_for_staff(*, user: User, pk: int) -> Evidence:
    evidence = None
    if _staff_sees_cases(user):
        evidence = Evidence.objects.filter(pk=pk).select_related("case__customer").first()
    if evidence is None:
        raise NotFoundError(code="evidence_not_found", message=_("File not found."))
    return evidence


# --- reports ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlaReportRow:
    kind: str
    label: str
    filed: int
    open: int
    breached: int
    resolved: int
    resolved_on_time: int
    median_days_to_resolve: float | None

    @property
    def on_time_share(self) -> float | None:
        return self.resolved_on_time / self.resolved if self.resolved else None


def sla_report(*, since: dt.datetime) -> list[SlaReportRow]:
    """Per kind, for cases filed since ``since``: still open, breached (an acknowledgement or
    resolution deadline missed), resolved within the resolution deadline, and the median
    number of days from filing to resolution. One query."""
    rows = Case.objects.filter(submitted_at__gte=since).values_list(
        "kind", "status", "submitted_at", "resolved_at", "resolve_due_at", "breached_at"
    )
    stats: dict[str, dict[str, Any]] = {
        kind: {"filed": 0, "open": 0, "breached": 0, "resolved": 0, "on_time": 0, "days": []}
        for kind in CaseKind.values
    }
    for kind, status, submitted_at, resolved_at, resolve_due_at, breached_at in rows:
        item = stats.setdefault(kind, {"filed": 0, "open": 0, "breached": 0, "resolved": 0, "on_time": 0, "days": []})
        item["filed"] += 1
        if status in OPEN_STATUSES:
            item["open"] += 1
        if breached_at is not None:
            item["breached"] += 1
        if resolved_at is not None:
            item["resolved"] += 1
            if resolved_at <= resolve_due_at:
                item["on_time"] += 1
            item["days"].append((resolved_at - submitted_at).total_seconds() / 86400)
    return [
        SlaReportRow(
            kind=kind,
            label=str(CaseKind(kind).label) if kind in CaseKind.values else kind,
            filed=item["filed"],
            open=item["open"],
            breached=item["breached"],
            resolved=item["resolved"],
            resolved_on_time=item["on_time"],
            median_days_to_resolve=round(statistics.median(item["days"]), 1) if item["days"] else None,
        )
        for kind, item in stats.items()
    ]


def sla_calendar_unofficial_years(*, cases: Iterable[Case]) -> list[int]:
    """The years without an official holiday arrangement that the open CN cases' SLA counting
    runs through (from filing to the later deadline): their deadlines are provisional."""
    spans = [
        (
            timezone.localdate(case.submitted_at),
            timezone.localdate(max(case.acknowledge_due_at, case.resolve_due_at)),
        )
        for case in cases
        if case.is_open and case.customer.jurisdiction == "CN"
    ]
    return unofficial_years_for(spans)


def calendar_unofficial_years_ahead(*, today: dt.date | None = None) -> list[int]:
    """This year and next, where either has no official holiday arrangement yet."""
    today = today or timezone.localdate()
    return unofficial_years_for([(today, today.replace(month=12, day=31) + dt.timedelta(days=1))])
