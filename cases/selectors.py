from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import CustomerProfile, User
from accounts.roles import CASE_HANDLE, WORK_ACCOUNTS
from accounts.selectors import customer_profiles_for_staff
from appeals.models import OPEN_STATUSES, CaseKind, CaseStatus
from appeals.selectors import case_queue_for_staff
from contracts.models import CollectionHold, PromiseStatus, PromiseToPay

from .models import FieldVisit, VisitStatus

# How many rows each panel of the staff dashboard lists (its count covers them all).
DASHBOARD_ROWS = 5


def visits_for_customer(*, profile: CustomerProfile) -> QuerySet[FieldVisit]:
    """Upcoming visits with the officers' names and badge numbers (shown to the customer)."""
    officers = User.objects.select_related("staff_profile")
    return (
        FieldVisit.objects.filter(customer=profile, scheduled_for__gte=timezone.now() - dt.timedelta(days=1))
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("contract")
        .prefetch_related(Prefetch("officers", queryset=officers))
        .order_by("scheduled_for")
    )


@dataclass(frozen=True)
class WorkPanel:
    """One list of the staff dashboard: how many there are, and the first few."""

    count: int = 0
    rows: list[Any] = field(default_factory=list)
    visible: bool = True  # False: the role may not see this kind of work


def _panel(qs: QuerySet[Any]) -> WorkPanel:
    rows = list(qs[: DASHBOARD_ROWS + 1])
    if len(rows) <= DASHBOARD_ROWS:
        return WorkPanel(count=len(rows), rows=rows)
    return WorkPanel(count=qs.count(), rows=rows[:DASHBOARD_ROWS])


@dataclass(frozen=True)
class StaffWork:
    open_cases: WorkPanel
    new_disputes: WorkPanel
    breaches: WorkPanel
    holds: WorkPanel
    promises_today: WorkPanel
    my_accounts: WorkPanel = field(default_factory=lambda: WorkPanel(visible=False))
    queue_counts: Any = None  # cases.selectors_queue.QueueCounts for those who work accounts


def staff_work(*, user: User, today: dt.date, now: dt.datetime | None = None) -> StaffWork:
    """The work waiting for a staff member, as far as their role may see it: open cases by the
    deadline that runs now, disputes not yet acknowledged, SLA breaches (marked by the hourly
    check or past their deadline), collection holds in force and promises to pay falling due
    today; the accounts assigned to the user and how many each scope of the queue holds. Cases
    need ``appeals.handle_case`` (the queue's permission); holds and promises cover the customers
    the user may see (an agency: only accounts placed with it). At most two queries per panel
    whatever the number of rows."""
    now = now or timezone.now()
    hidden = WorkPanel(visible=False)
    if user.has_perm(CASE_HANDLE):
        queue = case_queue_for_staff(user=user)
        open_cases = _panel(queue)
        new_disputes = _panel(queue.filter(kind=CaseKind.DISPUTE, status=CaseStatus.SUBMITTED))
        breaches = _panel(
            case_queue_for_staff(user=user, filters={"status": "all"}).filter(
                Q(breached_at__isnull=False, status__in=OPEN_STATUSES) | Q(status__in=OPEN_STATUSES, due_at__lt=now)
            )
        )
    else:
        open_cases = new_disputes = breaches = hidden
    customers = customer_profiles_for_staff(user=user).values("pk")
    holds = _panel(
        CollectionHold.objects.filter(released_on__isnull=True, contract__customer__in=customers)
        .select_related("contract__customer")
        .order_by("placed_on", "id")
    )
    promises = _panel(
        PromiseToPay.objects.filter(status=PromiseStatus.OPEN, promised_date=today, contract__customer__in=customers)
        .select_related("contract__customer")
        .order_by("contract__number", "id")
    )
    my_accounts, counts = hidden, None
    if user.has_perm(WORK_ACCOUNTS):
        from .selectors_queue import QueueFilters, queue_counts, work_queue

        counts = queue_counts(user=user)
        mine = list(work_queue(user=user, filters=QueueFilters(scope="mine"), today=today, now=now)[:DASHBOARD_ROWS])
        my_accounts = WorkPanel(count=counts.mine, rows=mine)
    return StaffWork(
        open_cases=open_cases,
        new_disputes=new_disputes,
        breaches=breaches,
        holds=holds,
        promises_today=promises,
        my_accounts=my_accounts,
        queue_counts=counts,
    )
