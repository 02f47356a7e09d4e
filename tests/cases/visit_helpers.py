"""An account ready for a field visit: far enough behind, remote contact tried and failed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from cases.models import CallLog, CallOutcome, VisitRequest
from cases.services import visit_request_create
from contracts.models import Contract
from core.dates import business_today
from notices.models import ContactAttempt
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def failed_calls(contract: Contract, count: int, *, by: User | None = None) -> None:
    """Calls made on earlier days that nobody answered (as ``call_log`` records them)."""
    agent = by or make_staff(Role.AGENT)
    for n in range(count):
        at = timezone.now() - dt.timedelta(days=n + 1)
        attempt = ContactAttempt.objects.create(
            customer=contract.customer,
            contract=contract,
            at=at,
            channel="call",
            endpoint=contract.customer.phone,
            verdict="allowed",
            outcome="no_answer",
            made_by=agent,
        )
        CallLog.objects.create(
            customer=contract.customer,
            contract=contract,
            attempt=attempt,
            at=at,
            outcome=CallOutcome.NO_ANSWER,
            made_by=agent,
        )


def visit_slot(days_ahead: int = 3, hour: int = 10, minute: int = 0) -> dt.datetime:
    day = business_today() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:  # keep clear of weekends (nothing forbids them; it keeps dates simple)
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


def visit_ready(*, failed: int = 3, **kwargs: object) -> Contract:
    contract = overdue_contract(started_days_ago=80, **kwargs)  # type: ignore[arg-type]
    assert contract.days_past_due >= 30
    failed_calls(contract, failed)
    return contract


def requested(
    contract: Contract, *, at: dt.datetime | None = None, verified: str = "customer_confirmed"
) -> VisitRequest:
    return visit_request_create(
        actor=make_staff(Role.AGENT),
        contract_id=contract.pk,
        proposed_for=at or visit_slot(),
        reason="多次电话联系未接通，需上门核实情况",
        address_verification=verified,
    )


def two_officers() -> list[User]:
    return [make_staff(Role.FIELD_OFFICER), make_staff(Role.FIELD_OFFICER)]
