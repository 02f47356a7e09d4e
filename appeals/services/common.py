"""What every appeals service shares: locking a case, moving its status, its timeline,
its audit events and the messages that tell the customer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ContactPreference, CustomerProfile, User
from audit.services import audit_record
from contracts.models import HoldReason
from core.errors import ApplicationError, NotFoundError
from notices.services import service_message_schedule

from .. import sla
from ..codes import AppealsAction, AppealsError
from ..models import Case, CaseEvent, CaseKind, SlaPolicy

ZERO = Decimal("0.00")


PREFIX = {CaseKind.DISPUTE: "D", CaseKind.COMPLAINT: "C", CaseKind.HARDSHIP: "H", CaseKind.APPEAL: "A"}


HOLD_FOR_KIND = {
    CaseKind.DISPUTE: HoldReason.DISPUTE,
    CaseKind.HARDSHIP: HoldReason.HARDSHIP,
    CaseKind.APPEAL: HoldReason.APPEAL,
}


def second_approval_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "APPEALS_SECOND_APPROVAL_ABOVE", "500.00")))


def sla_policy(jurisdiction: str, kind: str) -> tuple[int, int, bool]:
    policy = SlaPolicy.objects.filter(jurisdiction=jurisdiction, kind=kind).first()
    if policy is not None:
        return policy.acknowledge_business_days, policy.resolve_days, policy.resolve_in_business_days
    return sla.DEFAULT_POLICIES.get(jurisdiction, sla.DEFAULT_POLICIES["CN"])


def case_event_add(case: Case, kind: str, actor: User | None, text: str = "", *, visible: bool = True) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=timezone.now(), kind=kind, actor=actor, text=text, visible_to_customer=visible
    )


def case_audit(case: Case, action: AppealsAction, actor: User | None, **data: Any) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=case,
        subject_user_id=case.customer.user_id,
        system="appeals",
        data={"reference": case.reference, "status": case.status, **data},
    )


def case_transition(case: Case, to: str) -> None:
    if not case.can(to):
        raise ApplicationError(
            code=AppealsError.CASE_TRANSITION_NOT_ALLOWED,
            message=_("This case cannot go from %(a)s to %(b)s.") % {"a": case.get_status_display(), "b": to},
        )
    case.status = to


def case_lock(case_id: int) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("customer", "contract").filter(pk=case_id).first()
    )
    if case is None:
        raise NotFoundError(code=AppealsError.CASE_NOT_FOUND, message=_("Case not found."))
    return case


def case_notify(case: Case, purpose: str, extra: dict[str, Any]) -> None:
    """Tell the customer through the notices outbox (in the app, and by email or SMS)."""
    with translation.override(case.customer.language):
        context = {
            "case_reference": case.reference,
            "outcome": case.get_outcome_display() if case.outcome else "",
            "reasons": case.reasons,
            "answer_by": timezone.localtime(case.resolve_due_at).date().isoformat(),
            **extra,
        }
    service_message_schedule(
        profile=case.customer,
        contract=case.contract,
        purpose=purpose,
        key=f"case{case.pk}:{case.status}:{purpose}",
        context=context,
    )


def contact_limits_set(customer: CustomerProfile, *, on: bool) -> None:
    preference, _created = ContactPreference.objects.select_for_update().get_or_create(profile=customer)
    if preference.reduced_contact_limits != on:
        preference.reduced_contact_limits = on
        preference.save(update_fields=["reduced_contact_limits", "updated_at"])
        audit_record(
            action=AppealsAction.CONTACT_LIMITS_REDUCED if on else AppealsAction.CONTACT_LIMITS_RESTORED,
            actor=None,
            obj=preference,
            subject_user_id=customer.user_id,
            system="appeals",
        )


def dispute_event_data(case: Case) -> dict[str, Any]:
    """What a webhook receiver learns of a dispute: no description, evidence or notes."""
    return {
        "case": case.reference,
        "customer": case.customer.customer_number,
        "contract": case.contract.number if case.contract else None,
        "category": case.category,
        "status": case.status,
        "outcome": case.outcome or None,
        "disputed_amount": case.disputed_amount,
        "submitted_at": case.submitted_at,
    }
