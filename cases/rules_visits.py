"""When a field visit (上门走访) is lawful: the preconditions of the account and the slot.

One answer for the request, the supervisor's approval and the staff pages. The preconditions
(CBA 2026 collection guideline; GB/T 45251-2025): the account is far enough behind
(``FIELD_VISIT_MIN_DAYS_PAST_DUE``), remote contact was tried and failed at least
``FIELD_VISIT_MIN_FAILED_CONTACTS`` times, nothing the customer raised is open (a dispute or a
hardship request), collection is not on hold and the address is verified. The slot lies in the
allowed local hours of the customer, not on a public holiday of the working calendar, far
enough ahead for the customer to be told and to ask for a call instead."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.calendar import calendar_get
from appeals.models import OPEN_STATUSES, Case, CaseKind
from contracts.models import CollectionHold, Contract

from .models import AddressVerification, CallLog, CallOutcome

# Remote contact that did not reach an arrangement with the customer.
FAILED_CALL_OUTCOMES = (
    CallOutcome.NO_ANSWER,
    CallOutcome.VOICEMAIL,
    CallOutcome.WRONG_NUMBER,
    CallOutcome.NOT_IN_SERVICE,
    CallOutcome.REFUSED,
)


@dataclass(frozen=True)
class Precondition:
    code: str
    ok: bool
    message: str


def failed_remote_contacts(contract: Contract) -> int:
    return CallLog.objects.filter(contract=contract, outcome__in=FAILED_CALL_OUTCOMES).count()


def visit_preconditions(*, contract: Contract, address_verification: str) -> list[Precondition]:
    """Every precondition with whether it holds now (the page lists them; services refuse on
    the first that fails)."""
    min_dpd = settings.FIELD_VISIT_MIN_DAYS_PAST_DUE
    min_failed = settings.FIELD_VISIT_MIN_FAILED_CONTACTS
    failed = failed_remote_contacts(contract)
    open_case = (
        Case.objects.filter(kind__in=[CaseKind.DISPUTE, CaseKind.HARDSHIP], status__in=OPEN_STATUSES)
        .filter(Q(contract=contract) | Q(contract__isnull=True, customer_id=contract.customer_id))
        .exists()
    )
    held = CollectionHold.objects.filter(contract=contract, released_on__isnull=True).exists()
    return [
        Precondition(
            "days_past_due",
            contract.days_past_due >= min_dpd,
            _("At least %(days)s days past due (now %(now)s).") % {"days": min_dpd, "now": contract.days_past_due},
        ),
        Precondition(
            "failed_contacts",
            failed >= min_failed,
            _("At least %(count)s failed remote contact attempts (now %(now)s).")
            % {"count": min_failed, "now": failed},
        ),
        Precondition(
            "no_open_case",
            not open_case,
            _("No open dispute or hardship request."),
        ),
        Precondition("no_hold", not held, _("Collection is not on hold.")),
        Precondition(
            "address_verified",
            address_verification in AddressVerification.values,
            _("The address is verified."),
        ),
    ]


def _hours() -> tuple[dt.time, dt.time]:
    start, end = settings.FIELD_VISIT_HOURS.split("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def visit_slot_problem(*, at: dt.datetime, customer_timezone: str, now: dt.datetime | None = None) -> str | None:
    """Why a visit may not take place at ``at`` (translated), or None when the slot is lawful."""
    now = now or timezone.now()
    local = at.astimezone(zoneinfo.ZoneInfo(customer_timezone))
    start, end = _hours()
    finish = local + dt.timedelta(minutes=settings.FIELD_VISIT_MINUTES)
    if local.time() < start or finish.date() != local.date() or finish.time() > end:
        return _("A visit must take place between %(start)s and %(end)s in the customer's local time.") % {
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
        }
    row = calendar_get().days.get(local.date())
    if row is not None and row[0] == "holiday":
        return _("%(date)s is a public holiday: no visits.") % {"date": local.date().isoformat()}
    if at < now + dt.timedelta(hours=settings.FIELD_VISIT_NOTICE_HOURS):
        return _("The customer must be told at least %(hours)s hours before the visit.") % {
            "hours": settings.FIELD_VISIT_NOTICE_HOURS
        }
    return None
