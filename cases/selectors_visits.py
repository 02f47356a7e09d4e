"""Reads of the field-visit pages: a request with its preconditions as they stand now, an
officer's own visits (a fixed number of queries however many), and the visit's sheet."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffProfile, User
from accounts.roles import VISIT_APPROVE
from contracts.models import Contract
from contracts.selectors import contract_balance
from core.errors import NotFoundError

from .codes import CasesError
from .models import FieldVisit, RequestStatus, VisitReport, VisitRequest, VisitStatus
from .rules_visits import Precondition, visit_preconditions, visit_slot_problem

# Done, cancelled or called-off visits stay on the officer's list this long.
RECENT_VISIT_DAYS = 60


@dataclass(frozen=True)
class VisitRow:
    visit: FieldVisit
    local_time: dt.datetime
    partners: list[str]  # the other officers on the visit


def visits_for_officer(*, user: User, now: dt.datetime | None = None) -> tuple[list[VisitRow], list[VisitRow]]:
    """The visits ``user`` is one of the officers of, and only those: still to do (soonest first)
    and done or called off in the last ``RECENT_VISIT_DAYS`` (newest first). Two queries."""
    now = now or timezone.now()
    officers = User.objects.select_related("staff_profile").order_by("pk")
    visits = (
        FieldVisit.objects.filter(officers=user)
        .filter(Q(status=VisitStatus.SCHEDULED) | Q(scheduled_for__gte=now - dt.timedelta(days=RECENT_VISIT_DAYS)))
        .select_related("customer", "contract", "report")
        .prefetch_related(Prefetch("officers", queryset=officers))
        .order_by("scheduled_for", "pk")
    )
    upcoming: list[VisitRow] = []
    past: list[VisitRow] = []
    for visit in visits:
        row = VisitRow(
            visit=visit,
            local_time=timezone.localtime(visit.scheduled_for, zoneinfo.ZoneInfo(visit.customer.timezone)),
            partners=[str(o) for o in visit.officers.all() if o.pk != user.pk],
        )
        (upcoming if visit.status == VisitStatus.SCHEDULED else past).append(row)
    past.reverse()
    return upcoming, past


@dataclass(frozen=True)
class VisitSheet:
    """What the officers need at the door. Built only by ``visit_sheet_open`` (audited)."""

    visit: FieldVisit
    local_time: dt.datetime
    officers: list[tuple[str, str]]  # (name, badge number)
    report: VisitReport | None
    is_officer: bool
    overdue: Decimal
    currency: str


def _badge(user: User) -> str:
    try:
        return user.staff_profile.badge_number
    except StaffProfile.DoesNotExist:
        return ""


def visit_sheet(*, user: User, visit_id: int) -> VisitSheet:
    """A visit for one of its officers, or for a supervisor; anyone else gets not-found (an
    officer never sees another officer's visit)."""
    visit = (
        FieldVisit.objects.select_related("customer__user", "contract", "approved_by", "report")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise NotFoundError(code=CasesError.VISIT_NOT_FOUND, message=_("Visit not found."))
    officers = list(visit.officers.select_related("staff_profile").order_by("pk"))
    is_officer = any(o.pk == user.pk for o in officers)
    if not (is_officer or user.has_perm(VISIT_APPROVE)):
        raise NotFoundError(code=CasesError.VISIT_NOT_FOUND, message=_("Visit not found."))
    try:
        report: VisitReport | None = visit.report
    except VisitReport.DoesNotExist:
        report = None
    return VisitSheet(
        visit=visit,
        local_time=timezone.localtime(visit.scheduled_for, zoneinfo.ZoneInfo(visit.customer.timezone)),
        officers=[(o.full_name or str(o), _badge(o)) for o in officers],
        report=report,
        is_officer=is_officer,
        overdue=contract_balance(contract=visit.contract).overdue,
        currency=visit.contract.currency,
    )


@dataclass(frozen=True)
class RequestReview:
    request: VisitRequest
    local_time: dt.datetime
    timezone_name: str
    checks: list[Precondition]
    slot_problem: str | None

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks) and self.slot_problem is None


def visit_request_review(*, pk: int) -> RequestReview:
    """A visit request with every precondition judged now and the proposed slot's problem."""
    request = (
        VisitRequest.objects.select_related("contract__customer", "requested_by", "decided_by", "visit")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise NotFoundError(code=CasesError.REQUEST_NOT_OPEN, message=_("Request not found."))
    zone = request.contract.customer.timezone
    is_open = request.status == RequestStatus.REQUESTED
    return RequestReview(
        request=request,
        local_time=timezone.localtime(request.proposed_for, zoneinfo.ZoneInfo(zone)),
        timezone_name=zone,
        checks=visit_preconditions(contract=request.contract, address_verification=request.address_verification)
        if is_open
        else [],
        slot_problem=visit_slot_problem(at=request.proposed_for, customer_timezone=zone) if is_open else None,
    )


@dataclass(frozen=True)
class RequestStart:
    """The request page of one account: the preconditions now (the address one waits for the
    form's answer), and the request already open, if any."""

    contract: Contract
    checks: list[Precondition]
    open_request: VisitRequest | None
    min_days_past_due: int
    min_failed_contacts: int


def visit_request_start(*, contract: Contract, address_verification: str = "") -> RequestStart:
    return RequestStart(
        contract=contract,
        checks=visit_preconditions(contract=contract, address_verification=address_verification),
        open_request=VisitRequest.objects.filter(contract=contract, status=RequestStatus.REQUESTED).first(),
        min_days_past_due=settings.FIELD_VISIT_MIN_DAYS_PAST_DUE,
        min_failed_contacts=settings.FIELD_VISIT_MIN_FAILED_CONTACTS,
    )
