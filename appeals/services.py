"""Disputes, complaints, hardship requests and appeals: every write, audited.

Collection stops while the customer is heard: a dispute puts its contract on hold at once
(no collection notices, calls, visits or suspension) until our resolution has been sent to
the customer; a complaint about contact frequency lowers that customer's contact limits
until it is closed. Remedies change the ledger only through ``contracts.services``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ContactPreference, CustomerProfile, User
from audit.services import audit_record
from contracts.evidence import evidence_check
from contracts.models import Contract, HoldReason, Installment
from contracts.services import (
    adjustment_apply,
    hold_place,
    hold_release,
    plan_propose,
    service_restore,
)
from core.errors import ApplicationError, NotFoundError
from notices.models import Purpose
from notices.services import service_message_schedule

from . import sla
from .models import (
    CATEGORIES_BY_KIND,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Category,
    Evidence,
    FiledVia,
    Outcome,
    SlaPolicy,
)

ZERO = Decimal("0.00")
PREFIX = {CaseKind.DISPUTE: "D", CaseKind.COMPLAINT: "C", CaseKind.HARDSHIP: "H", CaseKind.APPEAL: "A"}
HOLD_FOR_KIND = {
    CaseKind.DISPUTE: HoldReason.DISPUTE,
    CaseKind.HARDSHIP: HoldReason.HARDSHIP,
    CaseKind.APPEAL: HoldReason.APPEAL,
}
MAX_EVIDENCE_FILES = 10


def second_approval_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "APPEALS_SECOND_APPROVAL_ABOVE", "500.00")))


def sla_policy(jurisdiction: str, kind: str) -> tuple[int, int, bool]:
    policy = SlaPolicy.objects.filter(jurisdiction=jurisdiction, kind=kind).first()
    if policy is not None:
        return policy.acknowledge_business_days, policy.resolve_days, policy.resolve_in_business_days
    return sla.DEFAULT_POLICIES.get(jurisdiction, sla.DEFAULT_POLICIES["CN"])


def _event(case: Case, kind: str, actor: User | None, text: str = "", *, visible: bool = True) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=timezone.now(), kind=kind, actor=actor, text=text, visible_to_customer=visible
    )


def _audit(case: Case, action: str, actor: User | None, **data: Any) -> None:
    audit_record(
        action=f"case.{action}",
        actor=actor,
        obj=case,
        subject_user_id=case.customer.user_id,
        system="appeals",
        data={"reference": case.reference, "status": case.status, **data},
    )


def _transition(case: Case, to: str) -> None:
    if not case.can(to):
        raise ApplicationError(
            code="case_transition_not_allowed",
            message=_("This case cannot go from %(a)s to %(b)s.") % {"a": case.get_status_display(), "b": to},
        )
    case.status = to


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
        raise ApplicationError(code="invalid_category", message=_("Choose one of the listed reasons."))
    if not description.strip():
        raise ApplicationError(code="description_required", message=_("Tell us briefly what happened."))
    contract = None
    if contract_id is not None:
        contract = Contract.objects.filter(pk=contract_id, customer=customer).first()
        if contract is None:
            raise NotFoundError(code="contract_not_found", message=_("Contract not found."))
    if kind in (CaseKind.DISPUTE, CaseKind.HARDSHIP) and contract is None:
        raise ApplicationError(code="contract_required", message=_("Choose the contract this is about."))
    files = list(evidence or [])
    if len(files) > MAX_EVIDENCE_FILES:
        raise ApplicationError(
            code="too_many_files", message=_("Attach at most %(n)s files.") % {"n": MAX_EVIDENCE_FILES}
        )
    checked = [(f, *evidence_check(f)) for f in files]
    related = None
    if related_case_id is not None:
        related = Case.objects.filter(pk=related_case_id, customer=customer).first()
        if related is None:
            raise NotFoundError(code="case_not_found", message=_("Case not found."))
    ack_days, resolve_days, business = sla_policy(customer.jurisdiction, kind)
    case = Case.objects.create(
        reference=f"{PREFIX[kind]}{now:%Y%m%d}-{secrets.token_hex(3).upper()}",
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
            now, days=ack_days, business_days=True, jurisdiction=customer.jurisdiction, zone=customer.timezone
        ),
        resolve_due_at=sla.deadline(
            now, days=resolve_days, business_days=business, jurisdiction=customer.jurisdiction, zone=customer.timezone
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
        _reduced_limits(customer, on=True)
    _event(case, "submitted", actor, _("Received via %(via)s.") % {"via": case.get_filed_via_display()})
    _audit(
        case,
        "filed",
        actor,
        kind=kind,
        category=category,
        contract=contract.number if contract else None,
        evidence=len(checked),
        via=filed_via,
    )
    return case


def _reduced_limits(customer: CustomerProfile, *, on: bool) -> None:
    preference, _created = ContactPreference.objects.select_for_update().get_or_create(profile=customer)
    if preference.reduced_contact_limits != on:
        preference.reduced_contact_limits = on
        preference.save(update_fields=["reduced_contact_limits", "updated_at"])
        audit_record(
            action="contact_limits.reduced" if on else "contact_limits.restored",
            actor=None,
            obj=preference,
            subject_user_id=customer.user_id,
            system="appeals",
        )


def _lock_case(case_id: int) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("customer", "contract").filter(pk=case_id).first()
    )
    if case is None:
        raise NotFoundError(code="case_not_found", message=_("Case not found."))
    return case


def _notify(case: Case, purpose: str, extra: dict[str, Any]) -> None:
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


@transaction.atomic
def case_acknowledge(*, actor: User, case_id: int) -> Case:
    case = _lock_case(case_id)
    _transition(case, CaseStatus.ACKNOWLEDGED)
    case.acknowledged_at = timezone.now()
    case.assigned_to = case.assigned_to or actor
    case.save(update_fields=["status", "acknowledged_at", "assigned_to"])
    _event(
        case,
        "acknowledged",
        actor,
        _("We have received your case and will answer by %(date)s.")
        % {"date": timezone.localtime(case.resolve_due_at).date().isoformat()},
    )
    _notify(case, Purpose.ACKNOWLEDGEMENT, {})
    _audit(case, "acknowledged", actor)
    return case


@transaction.atomic
def case_investigate(*, actor: User, case_id: int, note: str = "") -> Case:
    case = _lock_case(case_id)
    _transition(case, CaseStatus.INVESTIGATING)
    case.first_reviewer = case.first_reviewer or actor
    case.save(update_fields=["status", "first_reviewer"])
    _event(case, "investigating", actor, note or _("We are looking into it."))
    _audit(case, "investigating", actor)
    return case


def _remedy_amount(case: Case, remedy: dict[str, Any]) -> Decimal:
    total = ZERO
    fee_ids = [int(i) for i in remedy.get("reverse_late_fees", [])]
    if fee_ids:
        for inst in Installment.objects.filter(pk__in=fee_ids, contract=case.contract):
            total += inst.fee_charged
    for key in ("waive_penalty", "write_down_principal"):
        for amount in (remedy.get(key) or {}).values():
            total += Decimal(str(amount))
    return total


def _validate_remedy(case: Case, remedy: dict[str, Any]) -> None:
    if not remedy:
        return
    if case.contract is None and any(
        remedy.get(k) for k in ("reverse_late_fees", "waive_penalty", "write_down_principal")
    ):
        raise ApplicationError(code="remedy_needs_contract", message=_("A ledger remedy needs a contract."))
    ids = {int(i) for i in remedy.get("reverse_late_fees", [])}
    for key in ("waive_penalty", "write_down_principal"):
        ids |= {int(i) for i in (remedy.get(key) or {})}
    if ids and Installment.objects.filter(pk__in=ids, contract=case.contract).count() != len(ids):
        raise ApplicationError(
            code="remedy_wrong_installment", message=_("The remedy names an installment of another contract.")
        )


def _apply_remedy(case: Case, remedy: dict[str, Any], actor: User, approver: User | None) -> None:
    reason = _("Case %(ref)s") % {"ref": case.reference}
    for inst_id in remedy.get("reverse_late_fees", []):
        adjustment_apply(
            actor=actor, installment_id=int(inst_id), kind="reverse_late_fee", reason=reason, approved_by=approver
        )
    for inst_id, amount in (remedy.get("waive_penalty") or {}).items():
        adjustment_apply(
            actor=actor,
            installment_id=int(inst_id),
            kind="waive_penalty",
            amount=str(amount),
            reason=reason,
            approved_by=approver,
        )
    for inst_id, amount in (remedy.get("write_down_principal") or {}).items():
        adjustment_apply(
            actor=actor,
            installment_id=int(inst_id),
            kind="write_down_principal",
            amount=str(amount),
            reason=reason,
            approved_by=approver,
        )
    if remedy.get("restore_service") and case.contract is not None:
        service_restore(actor=actor, contract_id=case.contract.pk, reason=reason)
    months = remedy.get("plan_months")
    if months and case.contract is not None:
        plan_propose(
            actor=actor,
            contract_id=case.contract.pk,
            months=int(months),
            reason=_("Hardship request %(ref)s accepted") % {"ref": case.reference},
        )


@transaction.atomic
def case_resolve(
    *,
    actor: User,
    case_id: int,
    outcome: str,
    reasons: str,
    remedy: dict[str, Any] | None = None,
) -> Case:
    """Decide the case with written reasons. A remedy above the second-approval threshold
    waits for another person's approval (``case_remedy_approve``) before anything changes."""
    case = _lock_case(case_id)
    if not case.can_resolve():
        raise ApplicationError(code="case_transition_not_allowed", message=_("This case cannot be resolved now."))
    outcome = Outcome(outcome)
    if not reasons.strip():
        raise ApplicationError(code="reasons_required", message=_("Write the reasons for the decision."))
    remedy = remedy or {}
    if outcome == Outcome.REJECTED and remedy:
        raise ApplicationError(code="remedy_on_rejection", message=_("A rejected case has no remedy."))
    _validate_remedy(case, remedy)
    amount = _remedy_amount(case, remedy)
    case.first_reviewer = case.first_reviewer or actor
    if amount > second_approval_threshold():
        case.outcome, case.reasons, case.remedy, case.remedy_amount = (
            outcome,
            reasons.strip(),
            {**remedy, "pending": True},
            amount,
        )
        case.save(update_fields=["outcome", "reasons", "remedy", "remedy_amount", "first_reviewer"])
        _event(
            case,
            "awaiting_approval",
            actor,
            _("Remedy of %(amount)s awaits a second approval.") % {"amount": amount},
            visible=False,
        )
        _audit(case, "remedy_proposed", actor, amount=amount)
        return case
    return _resolve(
        case, actor=actor, approver=None, outcome=outcome, reasons=reasons.strip(), remedy=remedy, amount=amount
    )


@transaction.atomic
def case_remedy_approve(*, actor: User, case_id: int) -> Case:
    case = _lock_case(case_id)
    if not case.remedy.get("pending"):
        raise ApplicationError(code="nothing_to_approve", message=_("There is no remedy waiting for approval."))
    if actor.pk == case.first_reviewer_id:
        raise ApplicationError(
            code="approver_is_reviewer", message=_("The second approval must come from someone else.")
        )
    if not actor.has_perm("appeals.approve_case_remedy"):
        raise ApplicationError(code="approval_not_allowed", message=_("You cannot approve remedies."))
    remedy = {k: v for k, v in case.remedy.items() if k != "pending"}
    reviewer = case.first_reviewer or actor
    return _resolve(
        case,
        actor=reviewer,
        approver=actor,
        outcome=case.outcome,
        reasons=case.reasons,
        remedy=remedy,
        amount=case.remedy_amount,
    )


def _resolve(
    case: Case,
    *,
    actor: User,
    approver: User | None,
    outcome: str,
    reasons: str,
    remedy: dict[str, Any],
    amount: Decimal,
) -> Case:
    if outcome != Outcome.REJECTED:
        _apply_remedy(case, remedy, actor, approver)
    _transition(case, CaseStatus.RESOLVED)
    case.outcome, case.reasons, case.remedy, case.remedy_amount = outcome, reasons, remedy, amount
    case.second_approver = approver
    case.resolved_at = timezone.now()
    case.save(
        update_fields=[
            "status",
            "outcome",
            "reasons",
            "remedy",
            "remedy_amount",
            "second_approver",
            "resolved_at",
            "first_reviewer",
        ]
    )
    _event(case, "resolved", actor, f"{case.get_outcome_display()}: {reasons}")
    # The hold lifts when this resolution has actually been sent to the customer.
    _notify(case, Purpose.RESOLUTION, {"release_hold_id": case.hold_id or ""})
    _audit(
        case,
        "resolved",
        actor,
        outcome=outcome,
        remedy=remedy,
        amount=amount,
        approver=approver.pk if approver else None,
    )
    return case


@transaction.atomic
def case_appeal(*, actor: User, case_id: int, reason: str) -> Case:
    """The customer appeals a resolution once; someone other than the first reviewer decides."""
    case = _lock_case(case_id)
    if actor.pk != case.customer.user_id and not actor.is_staff:
        raise NotFoundError(code="case_not_found", message=_("Case not found."))
    if not case.can_appeal():
        raise ApplicationError(code="appeal_not_allowed", message=_("This decision cannot be appealed."))
    if not reason.strip():
        raise ApplicationError(code="reason_required", message=_("Tell us why you disagree."))
    _transition(case, CaseStatus.APPEAL_REVIEW)
    case.appeal_reason = reason.strip()
    _ack_days, resolve_days, business = sla_policy(case.customer.jurisdiction, case.kind)
    case.resolve_due_at = sla.deadline(
        timezone.now(),
        days=resolve_days,
        business_days=business,
        jurisdiction=case.customer.jurisdiction,
        zone=case.customer.timezone,
    )
    case.breached_at = None
    case.reminded_at = None
    if case.contract is not None and case.kind in HOLD_FOR_KIND:
        hold = hold_place(
            actor=actor, contract_id=case.contract.pk, reason=HoldReason.APPEAL, source=f"appeals.case:{case.pk}"
        )
        case.hold_id = hold.pk
    case.save(update_fields=["status", "appeal_reason", "resolve_due_at", "breached_at", "reminded_at", "hold_id"])
    _event(case, "appealed", actor, reason.strip())
    _audit(case, "appealed", actor)
    return case


@transaction.atomic
def case_appeal_decide(
    *, actor: User, case_id: int, outcome: str, reasons: str, remedy: dict[str, Any] | None = None
) -> Case:
    case = _lock_case(case_id)
    if not case.can_decide_appeal():
        raise ApplicationError(code="case_transition_not_allowed", message=_("There is no appeal to decide."))
    if actor.pk == case.first_reviewer_id:
        raise ApplicationError(
            code="same_reviewer", message=_("An appeal is reviewed by someone other than the first reviewer.")
        )
    if not reasons.strip():
        raise ApplicationError(code="reasons_required", message=_("Write the reasons for the decision."))
    outcome = Outcome(outcome)
    remedy = remedy or {}
    _validate_remedy(case, remedy)
    if outcome != Outcome.REJECTED:
        _apply_remedy(case, remedy, actor, None)
    _transition(case, CaseStatus.FINAL)
    case.appeal_reviewer = actor
    case.appeal_outcome = outcome
    case.appeal_reasons = reasons.strip()
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "appeal_reviewer", "appeal_outcome", "appeal_reasons", "closed_at"])
    _event(case, "final", actor, f"{outcome.label}: {reasons.strip()}")
    _notify(
        case,
        Purpose.RESOLUTION,
        {"release_hold_id": case.hold_id or "", "outcome": outcome.label, "reasons": reasons.strip()},
    )
    _close_effects(case)
    _audit(case, "final", actor, outcome=outcome)
    return case


@transaction.atomic
def case_close(*, actor: User | None, case_id: int) -> Case:
    case = _lock_case(case_id)
    _transition(case, CaseStatus.CLOSED)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])
    _event(case, "closed", actor)
    _close_effects(case)
    _audit(case, "closed", actor)
    return case


def _close_effects(case: Case) -> None:
    if case.kind == CaseKind.COMPLAINT and case.category == Category.CONTACT_FREQUENCY:
        still_open = Case.objects.filter(
            customer=case.customer,
            kind=CaseKind.COMPLAINT,
            category=Category.CONTACT_FREQUENCY,
            status__in=[
                CaseStatus.SUBMITTED,
                CaseStatus.ACKNOWLEDGED,
                CaseStatus.INVESTIGATING,
                CaseStatus.RESOLVED,
                CaseStatus.APPEAL_REVIEW,
            ],
        ).exclude(pk=case.pk)
        if not still_open.exists():
            _reduced_limits(case.customer, on=False)
    if case.hold_id:
        hold_release(actor=None, hold_id=case.hold_id)


# --- SLA clocks --------------------------------------------------------------------------------
@transaction.atomic
def sla_check(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Hourly: remind the handler before a deadline; at a breach, escalate to a supervisor."""
    from accounts.models import User as UserModel
    from accounts.roles import Role

    now = now or timezone.now()
    counts = {"reminded": 0, "breached": 0}
    open_cases = (
        Case.objects.select_for_update()
        .select_related("customer")
        .filter(
            status__in=[
                CaseStatus.SUBMITTED,
                CaseStatus.ACKNOWLEDGED,
                CaseStatus.INVESTIGATING,
                CaseStatus.APPEAL_REVIEW,
            ]
        )
    )
    supervisor = UserModel.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    for case in open_cases:
        due = case.acknowledge_due_at if case.status == CaseStatus.SUBMITTED else case.resolve_due_at
        policy = SlaPolicy.objects.filter(jurisdiction=case.customer.jurisdiction, kind=case.kind).first()
        remind_hours = policy.remind_before_hours if policy else 24
        if due <= now and case.breached_at is None:
            case.breached_at = now
            case.escalated_to = supervisor
            case.save(update_fields=["breached_at", "escalated_to"])
            _event(case, "sla_breached", None, _("Deadline passed; escalated to a supervisor."), visible=False)
            _audit(case, "sla_breached", None, due=due, escalated_to=supervisor.pk if supervisor else None)
            counts["breached"] += 1
        elif due - dt.timedelta(hours=remind_hours) <= now < due and case.reminded_at is None:
            case.reminded_at = now
            case.save(update_fields=["reminded_at"])
            _event(
                case,
                "sla_reminder",
                None,
                _("Deadline %(due)s is near.") % {"due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"},
                visible=False,
            )
            _audit(case, "sla_reminded", None, due=due)
            counts["reminded"] += 1
    return counts


@transaction.atomic
def evidence_view_record(*, actor: User, evidence: Evidence, disposition: str) -> None:
    """Opening evidence (personal documents) is itself an audited event."""
    audit_record(
        action="evidence.viewed",
        actor=actor,
        obj=evidence,
        subject_user_id=evidence.case.customer.user_id,
        system="appeals",
        data={"case": evidence.case.reference, "sha256": evidence.sha256, "disposition": disposition},
    )
