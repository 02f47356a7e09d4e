from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from audit.services import audit_record
from cases.codes import CasesAction, CasesError
from core.errors import ApplicationError, NotFoundError

from .models import FieldVisit, VisitStatus


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
