from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.masking import mask_recipient
from accounts.models import ContactChannel, CustomerProfile, User
from accounts.roles import STAFF_AREA, VIEW_PII, VISIT_APPROVE
from audit.services import audit_record
from cases.codes import CasesAction, CasesError
from contracts.models import Contract, ContractStatus
from core.errors import ApplicationError, ForbiddenError, NotFoundError
from notices.services import contact_attempt_start

from ..models import FieldVisit, VisitStatus

if TYPE_CHECKING:
    from notices.models import Notice


@dataclass(frozen=True)
class NoticeRecord:
    """A notice as one staff member may see it: recipient and text in full only with the
    personal-data permission, and then the viewing is audited."""

    notice: Notice
    recipient: str
    subject: str
    body: str
    unmasked: bool


@transaction.atomic
def notice_record_view(*, actor: User, notice: Notice, purpose: str = "staff_notice_record") -> NoticeRecord:
    if not actor.has_perm(VIEW_PII):
        return NoticeRecord(notice, mask_recipient(notice.recipient), "", "", unmasked=False)
    audit_record(
        action=CasesAction.PII_VIEWED,
        actor=actor,
        obj=notice,
        subject_user_id=notice.customer.user_id,
        data={"purpose": purpose, "fields": ["recipient", "subject", "body"]},
    )
    return NoticeRecord(notice, notice.recipient, notice.subject, notice.body, unmasked=True)


@transaction.atomic
def mail_viewer_open(*, actor: User, items: int) -> None:
    """The embedded mail viewer shows full messages (recipients and texts): audited."""
    audit_record(
        action=CasesAction.PII_VIEWED,
        actor=actor,
        object_type="notices.mailviewer",
        data={"purpose": "staff_mail_viewer", "fields": ["to", "body"], "items": items},
    )


@transaction.atomic
def visit_request_call(*, actor: User, profile: CustomerProfile, visit_id: int) -> FieldVisit:
    """The customer prefers a phone call to a home visit: the visit does not take place."""
    visit = FieldVisit.objects.select_for_update().filter(pk=visit_id, customer=profile).first()
    if visit is None:
        raise NotFoundError(code=CasesError.VISIT_NOT_FOUND, message=_("Visit not found."))
    if not visit.can_request_call():
        raise ApplicationError(code=CasesError.VISIT_NOT_SCHEDULED, message=_("This visit is no longer scheduled."))
    visit.status = VisitStatus.CALL_REQUESTED
    visit.call_requested_at = timezone.now()
    visit.save(update_fields=["status", "call_requested_at"])
    audit_record(
        action=CasesAction.VISIT_CALL_REQUESTED,
        actor=actor,
        obj=visit,
        subject_user_id=profile.user_id,
        data={"contract": visit.contract.number, "was_scheduled_for": visit.scheduled_for},
    )
    return visit


def visit_schedule(
    *,
    actor: User,
    contract_id: int,
    scheduled_for: dt.datetime,
    officer_ids: list[int],
    address: str = "",
) -> FieldVisit:
    """Authorise a field visit (上门走访) about a delinquent contract.

    Only a supervisor (``cases.approve_visit``) authorises; at least two staff go; the visit is
    judged now by the contact-compliance engine as a visit at its planned time (daytime, not on
    hold, frequency, two staff: CBA 2026 / GB/T 45251-2025), and the judged attempt is recorded
    either way. A blocked visit is refused with the engine's reasons and nothing else changes
    (the refusal is raised after the attempt's transaction commits, so its record is kept)."""
    visit, reasons = _visit_schedule(
        actor=actor, contract_id=contract_id, scheduled_for=scheduled_for, officer_ids=officer_ids, address=address
    )
    if visit is None:
        raise ApplicationError(
            code=CasesError.VISIT_BLOCKED,
            message=_("This visit is not allowed at that time: %(reasons)s") % {"reasons": ", ".join(reasons)},
        )
    return visit


@transaction.atomic
def _visit_schedule(
    *, actor: User, contract_id: int, scheduled_for: dt.datetime, officer_ids: list[int], address: str
) -> tuple[FieldVisit | None, list[str]]:
    if not actor.has_perm(VISIT_APPROVE):
        raise ForbiddenError(
            code=CasesError.VISIT_NOT_ALLOWED, message=_("Only a supervisor authorises a field visit.")
        )
    contract = Contract.objects.select_for_update().select_related("customer").filter(pk=contract_id).first()
    if contract is None:
        raise NotFoundError(code=CasesError.VISIT_NOT_FOUND, message=_("Contract not found."))
    if contract.status != ContractStatus.DELINQUENT:
        raise ApplicationError(
            code=CasesError.VISIT_NOT_DELINQUENT, message=_("A field visit is only for a contract in arrears.")
        )
    officers = list(User.objects.filter(pk__in=set(officer_ids), is_active=True, is_staff=True))
    if len(officers) < 2 or not all(o.has_perm(STAFF_AREA) for o in officers):
        raise ApplicationError(
            code=CasesError.VISIT_OFFICERS,
            message=_("A field visit needs at least two staff members."),
            field="officers",
        )
    profile = contract.customer
    address = address.strip() or profile.postal_address
    attempt = contact_attempt_start(
        actor=actor,
        profile=profile,
        contract=contract,
        channel=ContactChannel.VISIT,
        endpoint=address,
        staff_count=len(officers),
        at=scheduled_for,
    )
    if attempt.verdict != "allowed":
        return None, list(attempt.reason_codes)
    visit = FieldVisit.objects.create(
        customer=profile, contract=contract, scheduled_for=scheduled_for, address=address, approved_by=actor
    )
    visit.officers.set(officers)
    audit_record(
        action=CasesAction.VISIT_SCHEDULED,
        actor=actor,
        obj=visit,
        subject_user_id=profile.user_id,
        data={
            "contract": contract.number,
            "scheduled_for": scheduled_for,
            "officers": sorted(o.pk for o in officers),
            "attempt": attempt.pk,
        },
    )
    return visit, []
