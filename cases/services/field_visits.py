"""The field-visit workflow after the request: a supervisor's approval (preconditions, slot, two
officers with badges, the engine's verdict), the customer told in advance, the authorisation
letter, and the officers' report from a phone."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import StaffProfile, User
from accounts.roles import VISIT_APPROVE, VISIT_CARRY_OUT
from audit.services import audit_record
from contracts.services import promise_record
from core.errors import ApplicationError, ForbiddenError, NotFoundError
from notices.models import Purpose
from notices.pdf import render_document
from notices.services import contact_attempt_outcome, service_message_schedule

from ..codes import CasesAction, CasesError
from ..models import (
    OUTCOMES_WITHOUT_CUSTOMER,
    FieldVisit,
    MetWith,
    RequestStatus,
    VisitOutcome,
    VisitReport,
    VisitRequest,
    VisitStatus,
)
from ..rules_visits import visit_preconditions, visit_slot_problem
from ..selectors_visits import VisitSheet, visit_sheet
from .visits import _visit_schedule

# Words and figures that speak of a debt: a report of a visit that met a third party may hold
# none of them (nothing about the debt is disclosed to, or written about, anyone else).
_DEBT_WORDS = re.compile(
    r"[¥￥$]|\d|欠|债|逾期|还款|催收|贷款|借款|分期|金额|罚息|违约|合同|"
    r"debt|owe|overdue|arrear|loan|repay|payment|instal|contract|collect|amount",
    re.IGNORECASE,
)


def _officers(officer_ids: list[int]) -> list[User]:
    ids = {int(i) for i in officer_ids}
    officers = list(User.objects.filter(pk__in=ids, is_active=True, is_staff=True).order_by("pk"))
    badges = set(
        StaffProfile.objects.filter(user__in=officers).exclude(badge_number="").values_list("user_id", flat=True)
    )
    if len(officers) < 2 or len(officers) != len(ids) or any(o.pk not in badges for o in officers):
        raise ApplicationError(
            code=CasesError.VISIT_OFFICERS,
            message=_("Assign two officers, each with a badge number."),
            field="officers",
        )
    if not all(o.has_perm(VISIT_CARRY_OUT) for o in officers):
        raise ApplicationError(
            code=CasesError.VISIT_OFFICERS,
            message=_("Only staff who go on field visits can be assigned."),
            field="officers",
        )
    return officers


def _officers_text(visit: FieldVisit) -> str:
    rows = StaffProfile.objects.filter(user__in=visit.officers.all()).select_related("user").order_by("user_id")
    return "、".join(f"{row.user.full_name}（{row.badge_number}）" for row in rows)


def visit_request_approve(
    *,
    actor: User,
    request_id: int,
    officer_ids: list[int],
    scheduled_for: dt.datetime | None = None,
    note: str = "",
) -> FieldVisit:
    """A supervisor (``cases.approve_visit``, never the requester) authorises a requested visit.

    Refused while any precondition fails (``cases.rules_visits.visit_preconditions``: days past
    due, failed remote contacts, an open dispute or hardship request, a hold, an unverified
    address) or the slot is unlawful (``visit_slot_problem``: local hours, public holidays, the
    advance notice); two officers with badge numbers go. The engine judges the visit at its
    time and the judged attempt is recorded either way (a blocked one is raised after commit).
    The customer is told at once (in the app and by SMS or email) and may ask for a call instead."""
    visit, reasons = _approve(
        actor=actor, request_id=request_id, officer_ids=officer_ids, scheduled_for=scheduled_for, note=note
    )
    if visit is None:
        raise ApplicationError(
            code=CasesError.VISIT_BLOCKED,
            message=_("This visit is not allowed at that time: %(reasons)s") % {"reasons": ", ".join(reasons)},
            field="scheduled_for",
            extra={"reasons": reasons},
        )
    return visit


def visit_request_decide(
    *,
    actor: User,
    request_id: int,
    approve: bool,
    officer_ids: list[int] | None = None,
    scheduled_for: dt.datetime | None = None,
    note: str = "",
) -> VisitRequest:
    """A supervisor's decision on a visit request, from the list or the request's page: the one
    approval (``visit_request_approve``: every precondition, a lawful slot, two officers with
    badges, the engine) or the one rejection (``visit_request_reject``, with a note)."""
    if approve:
        visit_request_approve(
            actor=actor, request_id=request_id, officer_ids=officer_ids or [], scheduled_for=scheduled_for, note=note
        )
    else:
        visit_request_reject(actor=actor, request_id=request_id, note=note)
    return VisitRequest.objects.select_related("visit", "contract").get(pk=request_id)


@transaction.atomic
def _approve(
    *, actor: User, request_id: int, officer_ids: list[int], scheduled_for: dt.datetime | None, note: str
) -> tuple[FieldVisit | None, list[str]]:
    if not (actor.is_active and actor.has_perm(VISIT_APPROVE)):
        raise ForbiddenError(
            code=CasesError.VISIT_NOT_ALLOWED, message=_("Only a supervisor authorises a field visit.")
        )
    request = (
        VisitRequest.objects.select_for_update().select_related("contract__customer").filter(pk=request_id).first()
    )
    if request is None:
        raise NotFoundError(code=CasesError.REQUEST_NOT_OPEN, message=_("Request not found."))
    if not request.can_decide():
        raise ApplicationError(code=CasesError.REQUEST_NOT_OPEN, message=_("This request is already decided."))
    if request.requested_by_id == actor.pk:
        raise ForbiddenError(code=CasesError.OWN_REQUEST, message=_("Someone else must decide your own request."))
    contract = request.contract
    failed = [
        p for p in visit_preconditions(contract=contract, address_verification=request.address_verification) if not p.ok
    ]
    if failed:
        raise ApplicationError(
            code=CasesError.VISIT_PRECONDITION,
            message=_("A visit needs: %(missing)s") % {"missing": " ".join(p.message for p in failed)},
            extra={"failed": [p.code for p in failed]},
        )
    at = scheduled_for or request.proposed_for
    if timezone.is_naive(at):
        raise ApplicationError(
            code=CasesError.VISIT_SLOT, message=_("Give the time with its zone."), field="scheduled_for"
        )
    problem = visit_slot_problem(at=at, customer_timezone=contract.customer.timezone)
    if problem:
        raise ApplicationError(code=CasesError.VISIT_SLOT, message=problem, field="scheduled_for")
    officers = _officers(officer_ids)
    visit, reasons = _visit_schedule(
        actor=actor,
        contract_id=contract.pk,
        scheduled_for=at,
        officer_ids=[o.pk for o in officers],
        address=request.address,
    )
    if visit is None:
        # The request stays open with the engine's reasons (the judged attempt is kept too).
        request.engine_reasons = reasons
        request.save(update_fields=["engine_reasons"])
        return None, reasons
    now = timezone.now()
    visit.reason = request.reason
    visit.customer_notified_at = now
    visit.save(update_fields=["reason", "customer_notified_at"])
    request.status = RequestStatus.APPROVED
    request.decided_by = actor
    request.decided_at = now
    request.decision_note = note.strip()
    request.visit = visit
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "visit"])
    audit_record(
        action=CasesAction.VISIT_REQUEST_DECIDED,
        actor=actor,
        obj=request,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "decision": "approved", "visit": visit.pk, "scheduled_for": at},
    )
    _tell_customer(visit)
    return visit, []


def _tell_customer(visit: FieldVisit) -> None:
    profile = visit.customer
    language = profile.language or settings.LANGUAGE_CODE
    local = timezone.localtime(visit.scheduled_for, zoneinfo.ZoneInfo(profile.timezone))
    with translation.override(language):
        when = formats.date_format(local, "DATETIME_FORMAT")
    service_message_schedule(
        profile=profile,
        contract=visit.contract,
        purpose=Purpose.VISIT_NOTICE,
        key=f"visit:{visit.pk}",
        context={
            "visit_time": when,
            "officers": _officers_text(visit),
            "call_instead_url": settings.SITE_URL.rstrip("/") + "/me/visits/",
        },
        system="cases.visits",
    )


@transaction.atomic
def visit_request_reject(*, actor: User, request_id: int, note: str) -> VisitRequest:
    if not (actor.is_active and actor.has_perm(VISIT_APPROVE)):
        raise ForbiddenError(
            code=CasesError.VISIT_NOT_ALLOWED, message=_("Only a supervisor authorises a field visit.")
        )
    request = (
        VisitRequest.objects.select_for_update().select_related("contract__customer").filter(pk=request_id).first()
    )
    if request is None:
        raise NotFoundError(code=CasesError.REQUEST_NOT_OPEN, message=_("Request not found."))
    if not request.can_decide():
        raise ApplicationError(code=CasesError.REQUEST_NOT_OPEN, message=_("This request is already decided."))
    if request.requested_by_id == actor.pk:
        raise ForbiddenError(code=CasesError.OWN_REQUEST, message=_("Someone else must decide your own request."))
    note = note.strip()
    if len(note) < 5:
        raise ApplicationError(
            code=CasesError.REASON_MISSING, message=_("Please give the reason (at least 5 characters)."), field="note"
        )
    request.status = RequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action=CasesAction.VISIT_REQUEST_DECIDED,
        actor=actor,
        obj=request,
        subject_user_id=request.contract.customer.user_id,
        data={"contract": request.contract.number, "decision": "rejected", "note": note},
    )
    return request


def _visit_for_staff(actor: User, visit_id: int, *, lock: bool = False) -> FieldVisit:
    """An officer sees only the visits assigned to them; supervisors see every visit."""
    queryset = FieldVisit.objects.select_related("customer__user", "contract", "approved_by")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    visit = queryset.filter(pk=visit_id).first()
    if visit is None or not (actor.has_perm(VISIT_APPROVE) or visit.officers.filter(pk=actor.pk).exists()):
        raise NotFoundError(code=CasesError.VISIT_NOT_FOUND, message=_("Visit not found."))
    return visit


@transaction.atomic
def visit_authorisation_letter(*, actor: User, visit_id: int) -> bytes:
    """The authorisation letter (委托授权书) the officers carry: who authorised whom, with their
    badge numbers, to visit whom, where, when and why, and the rules they keep. Opening it shows
    the customer's name and address: audited as a personal-data view."""
    visit = _visit_for_staff(actor, visit_id)
    profile = visit.customer
    rows = [[_("Officer"), _("Badge number")]] + [
        [row.user.full_name, row.badge_number]
        for row in StaffProfile.objects.filter(user__in=visit.officers.all()).select_related("user").order_by("user_id")
    ]
    local = timezone.localtime(visit.scheduled_for, zoneinfo.ZoneInfo(profile.timezone))
    approver = visit.approved_by.full_name if visit.approved_by else ""
    pdf = render_document(
        title=_("Field visit authorisation letter"),
        paragraphs=[
            _("Fairdue authorises the officers below to visit %(name)s at %(address)s on %(date)s at %(time)s.")
            % {
                "name": profile.legal_name,
                "address": visit.address,
                "date": local.date().isoformat(),
                "time": local.strftime("%H:%M"),
            },
            _("Reason: %(reason)s") % {"reason": visit.reason or "-"},
            _("Authorised by %(approver)s on %(date)s.")
            % {"approver": approver, "date": timezone.localdate(visit.created_at).isoformat()},
            _(
                "The officers go together, show their identity cards and this letter before speaking, enter only "
                "with consent, speak of the debt only with the customer, never to anyone else, and leave when asked."
            ),
        ],
        table=rows,
        reference=f"FV-{visit.pk}",
        footer=_("Verify this letter with Fairdue customer service, quoting its number."),
        issued_at=timezone.now(),
    )
    audit_record(
        action=CasesAction.PII_VIEWED,
        actor=actor,
        obj=visit,
        subject_user_id=profile.user_id,
        data={"purpose": "visit_authorisation_letter", "fields": ["legal_name", "address"]},
    )
    return pdf


def _report_checks(*, met: str, outcome: str, identity_shown: bool, notes: str, third_party_relation: str) -> None:
    if met not in MetWith.values:
        raise ApplicationError(code=CasesError.VISIT_REPORT, message=_("Say whom you met."), field="met")
    if outcome not in VisitOutcome.values:
        raise ApplicationError(code=CasesError.VISIT_REPORT, message=_("Choose the outcome."), field="outcome")
    if met != MetWith.NOBODY and not identity_shown:
        raise ApplicationError(
            code=CasesError.VISIT_REPORT,
            message=_("Officers show their identity before speaking to anyone."),
            field="identity_shown",
        )
    if met != MetWith.CUSTOMER and outcome not in OUTCOMES_WITHOUT_CUSTOMER:
        raise ApplicationError(
            code=CasesError.VISIT_REPORT,
            message=_("Without meeting the customer the outcome is “not at home” or “moved away”."),
            field="outcome",
        )
    if met == MetWith.THIRD_PARTY:
        if not third_party_relation.strip():
            raise ApplicationError(
                code=CasesError.VISIT_REPORT, message=_("Say who the person was."), field="third_party_relation"
            )
        if _DEBT_WORDS.search(notes) or _DEBT_WORDS.search(third_party_relation):
            raise ApplicationError(
                code=CasesError.VISIT_THIRD_PARTY_DISCLOSURE,
                message=_(
                    "Nothing about the debt may be written about a meeting with someone else (no amounts, "
                    "numbers or words about the debt)."
                ),
                field="notes",
            )


@transaction.atomic
def visit_report_file(
    *,
    actor: User,
    visit_id: int,
    identity_shown: bool,
    consent_to_enter: bool,
    met: str,
    outcome: str,
    notes: str = "",
    third_party_relation: str = "",
    arrived_at: dt.datetime | None = None,
    follow_up_on: dt.date | None = None,
    follow_up_action: str = "",
    promise_amount: Decimal | str | None = None,
    promise_date: dt.date | None = None,
) -> VisitReport:
    """One of the visit's officers files its report: identity shown, consent to enter, whom they
    met, the outcome (paid, promise, plan, refused, not at home, moved), notes and the follow-up.
    With a third party nothing about the debt is written; a promise is recorded as a promise to
    pay. The visit's contact attempt gets its outcome (the engine's history and limits)."""
    visit = _visit_for_staff(actor, visit_id, lock=True)
    if not visit.officers.filter(pk=actor.pk).exists():
        raise ForbiddenError(code=CasesError.VISIT_NOT_ALLOWED, message=_("Only the visit's officers file its report."))
    if not visit.can_report():
        raise ApplicationError(code=CasesError.VISIT_NOT_SCHEDULED, message=_("This visit is no longer scheduled."))
    notes, third_party_relation = notes.strip(), third_party_relation.strip()
    _report_checks(
        met=met, outcome=outcome, identity_shown=identity_shown, notes=notes, third_party_relation=third_party_relation
    )
    today = timezone.localdate()
    if follow_up_on is not None and follow_up_on < today:
        raise ApplicationError(
            code=CasesError.VISIT_REPORT, message=_("The follow-up date cannot be in the past."), field="follow_up_on"
        )
    promise = None
    if outcome == VisitOutcome.PROMISE:
        if promise_amount in (None, "") or promise_date is None:
            raise ApplicationError(
                code=CasesError.PROMISE_DETAILS, message=_("Give the promised amount and date."), field="promise_amount"
            )
        promise = promise_record(
            actor=actor,
            contract_id=visit.contract_id,
            amount=promise_amount,
            promised_date=promise_date,
            note=_("At the visit"),
        )
    now = timezone.now()
    attempt = (
        visit.contract.contact_attempts.filter(channel="visit", verdict="allowed", at=visit.scheduled_for)
        .order_by("-id")
        .first()
    )
    if attempt is not None:
        # Only a meeting with the customer is a conversation with the debtor to the engine.
        engine_outcome = "conversation" if met == MetWith.CUSTOMER else "not_connected"
        contact_attempt_outcome(actor=actor, attempt_id=attempt.pk, outcome=engine_outcome)
    report = VisitReport.objects.create(
        visit=visit,
        filed_by=actor,
        filed_at=now,
        arrived_at=arrived_at or now,
        identity_shown=identity_shown,
        consent_to_enter=consent_to_enter,
        met=met,
        third_party_relation=third_party_relation[:60],
        outcome=outcome,
        notes=notes,
        follow_up_on=follow_up_on,
        follow_up_action=follow_up_action.strip()[:300],
        promise=promise,
        attempt=attempt,
    )
    visit.status = VisitStatus.DONE
    visit.save(update_fields=["status"])
    audit_record(
        action=CasesAction.VISIT_REPORTED,
        actor=actor,
        obj=visit,
        subject_user_id=visit.customer.user_id,
        data={
            "report": report.pk,
            "met": met,
            "outcome": outcome,
            "identity_shown": identity_shown,
            "consent_to_enter": consent_to_enter,
            "follow_up_on": follow_up_on,
        },
    )
    return report


@transaction.atomic
def visit_sheet_open(*, actor: User, visit_id: int) -> VisitSheet:
    """The visit's page for its officers (or a supervisor): the customer's name and the address
    the visit needs. Showing them is a personal-data view, audited like the letter."""
    sheet = visit_sheet(user=actor, visit_id=visit_id)
    audit_record(
        action=CasesAction.PII_VIEWED,
        actor=actor,
        obj=sheet.visit,
        subject_user_id=sheet.visit.customer.user_id,
        data={"purpose": "field_visit_page", "fields": ["legal_name", "address"]},
    )
    return sheet
