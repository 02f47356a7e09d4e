"""Filing: a customer (or staff for them) opens a case, appeals a decision, and every
opening of the evidence is audited.

Collection stops while the customer is heard: a dispute puts its contract on hold at once
(no collection notices, calls, visits or suspension) until our resolution has been sent to
the customer; a complaint about contact frequency lowers that customer's contact limits
until it is closed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from accounts.services.webhooks import WebhookEvent, webhook_events_emit
from audit.services import audit_record
from contracts.evidence import MAX_EVIDENCE_FILES, evidence_check
from contracts.models import Contract, HoldReason
from contracts.services import hold_place
from core.dates import business_date_of
from core.errors import ApplicationError, NotFoundError

from .. import sla
from ..calendar import Favour
from ..codes import AppealsAction, AppealsError
from ..models import (
    CATEGORIES_BY_KIND,
    KINDS_NEEDING_CONTRACT,
    Case,
    CaseKind,
    CaseStatus,
    Category,
    Evidence,
    FiledVia,
)
from .common import (
    HOLD_FOR_KIND,
    PREFIX,
    case_audit,
    case_event_add,
    case_lock,
    case_transition,
    contact_limits_set,
    dispute_event_data,
    sla_policy,
)


@transaction.atomic
def case_file(
    *,
    actor: User | None,
    customer: CustomerProfile,
    kind: str,
    category: str,
    description: str,
    filed_via: str,
    contract_id: int | None = None,
    evidence: list[UploadedFile] | None = None,
    disputed_amount: Decimal | None = None,
    related_case_id: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case. Everything is checked first (kind, category, the contract is the
    customer's, every evidence file), so a refused filing changes nothing."""
    now = now or timezone.now()
    kind = CaseKind(kind)
    if category not in CATEGORIES_BY_KIND[kind]:
        raise ApplicationError(
            code=AppealsError.INVALID_CATEGORY, message=_("Choose one of the listed reasons."), field="category"
        )
    if not description.strip():
        raise ApplicationError(
            code=AppealsError.DESCRIPTION_REQUIRED, message=_("Tell us briefly what happened."), field="description"
        )
    contract = None
    if contract_id is not None:
        contract = Contract.objects.filter(pk=contract_id, customer=customer).first()
        if contract is None:
            raise NotFoundError(
                code=AppealsError.CONTRACT_NOT_FOUND, message=_("Contract not found."), field="contract"
            )
    if kind in KINDS_NEEDING_CONTRACT and contract is None:
        raise ApplicationError(
            code=AppealsError.CONTRACT_REQUIRED, message=_("Choose the contract this is about."), field="contract"
        )
    files = list(evidence or [])
    if len(files) > MAX_EVIDENCE_FILES:
        raise ApplicationError(
            code=AppealsError.TOO_MANY_FILES,
            message=_("Attach at most %(n)s files.") % {"n": MAX_EVIDENCE_FILES},
            field="evidence",
        )
    checked = [(f, *evidence_check(f, field="evidence")) for f in files]
    related = None
    if related_case_id is not None:
        related = Case.objects.filter(pk=related_case_id, customer=customer).first()
        if related is None:
            raise NotFoundError(code=AppealsError.CASE_NOT_FOUND, message=_("Case not found."))
    ack_days, resolve_days, business = sla_policy(customer.jurisdiction, kind)
    case = Case.objects.create(
        # Dated by the business day (Asia/Shanghai), the date every page shows, not the UTC one.
        reference=f"{PREFIX[kind]}{business_date_of(now):%Y%m%d}-{secrets.token_hex(3).upper()}",
        kind=kind,
        category=category,
        customer=customer,
        contract=contract,
        related_case=related,
        description=description.strip(),
        disputed_amount=disputed_amount,
        filed_via=FiledVia(filed_via),
        filed_by=actor,
        submitted_at=now,
        acknowledge_due_at=sla.deadline(
            now,
            days=ack_days,
            business_days=True,
            jurisdiction=customer.jurisdiction,
            zone=customer.timezone,
            favour=Favour.LENDER_DUTY,
        ),
        resolve_due_at=sla.deadline(
            now,
            days=resolve_days,
            business_days=business,
            jurisdiction=customer.jurisdiction,
            zone=customer.timezone,
            favour=Favour.LENDER_DUTY,
        ),
    )
    for n, (upload, content_type, extension) in enumerate(checked, start=1):
        upload.seek(0)
        digest = hashlib.sha256(upload.read()).hexdigest()
        upload.seek(0)
        item = Evidence(
            case=case,
            content_type=content_type,
            size=upload.size or 0,
            sha256=digest,
            original_name=(upload.name or "")[:200],
            uploaded_by=actor,
        )
        item.file.save(f"case-{case.pk}-{n}.{extension}", upload, save=False)
        item.save()
    if contract is not None and kind in HOLD_FOR_KIND:
        hold = hold_place(
            actor=actor, contract_id=contract.pk, reason=HOLD_FOR_KIND[kind], source=f"appeals.case:{case.pk}"
        )
        case.hold_id = hold.pk
        case.save(update_fields=["hold_id"])
    if kind == CaseKind.COMPLAINT and category == Category.CONTACT_FREQUENCY:
        contact_limits_set(customer, on=True)
    case_event_add(case, "submitted", actor, _("Received via %(via)s.") % {"via": case.get_filed_via_display()})
    case_audit(
        case,
        AppealsAction.CASE_FILED,
        actor,
        kind=kind,
        category=category,
        contract=contract.number if contract else None,
        evidence=len(checked),
        via=filed_via,
    )
    if kind == CaseKind.DISPUTE:
        webhook_events_emit([WebhookEvent("dispute.opened", str(case.pk), dispute_event_data(case))])
    return case


@transaction.atomic
def case_appeal(*, actor: User, case_id: int, reason: str) -> Case:
    """The customer appeals a resolution once; someone other than the first reviewer decides."""
    case = case_lock(case_id)
    if actor.pk != case.customer.user_id and not actor.is_staff:
        raise NotFoundError(code=AppealsError.CASE_NOT_FOUND, message=_("Case not found."))
    if not case.can_appeal():
        raise ApplicationError(code=AppealsError.APPEAL_NOT_ALLOWED, message=_("This decision cannot be appealed."))
    if not reason.strip():
        raise ApplicationError(
            code=AppealsError.REASON_REQUIRED, message=_("Tell us why you disagree."), field="reason"
        )
    case_transition(case, CaseStatus.APPEAL_REVIEW)
    case.appeal_reason = reason.strip()
    _ack_days, resolve_days, business = sla_policy(case.customer.jurisdiction, case.kind)
    case.resolve_due_at = sla.deadline(
        timezone.now(),
        days=resolve_days,
        business_days=business,
        jurisdiction=case.customer.jurisdiction,
        zone=case.customer.timezone,
        favour=Favour.LENDER_DUTY,
    )
    case.breached_at = None
    case.reminded_at = None
    if case.contract is not None and case.kind in HOLD_FOR_KIND:
        hold = hold_place(
            actor=actor, contract_id=case.contract.pk, reason=HoldReason.APPEAL, source=f"appeals.case:{case.pk}"
        )
        case.hold_id = hold.pk
    case.save(update_fields=["status", "appeal_reason", "resolve_due_at", "breached_at", "reminded_at", "hold_id"])
    case_event_add(case, "appealed", actor, reason.strip())
    case_audit(case, AppealsAction.CASE_APPEALED, actor)
    return case


@transaction.atomic
def evidence_view_record(*, actor: User, evidence: Evidence, disposition: str) -> None:
    """Opening evidence (personal documents) is itself an audited event."""
    audit_record(
        action=AppealsAction.EVIDENCE_VIEWED,
        actor=actor,
        obj=evidence,
        subject_user_id=evidence.case.customer.user_id,
        system="appeals",
        data={"case": evidence.case.reference, "sha256": evidence.sha256, "disposition": disposition},
    )
