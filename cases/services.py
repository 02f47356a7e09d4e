from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.masking import mask_recipient
from accounts.models import CustomerProfile, User
from accounts.roles import VIEW_PII
from audit.services import audit_record
from cases.codes import CasesAction, CasesError
from core.errors import ApplicationError, NotFoundError

from .models import FieldVisit, VisitStatus

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
