"""The case workflow after filing: acknowledge, investigate, resolve (with a remedy that may
need a second approval), decide an appeal, close. Each transition asks ``appeals.rules``
first; remedies change the ledger only through ``contracts.services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.webhooks import WebhookEvent, webhook_events_emit
from contracts.models import Installment
from contracts.services import adjustment_apply, hold_release, plan_propose, service_restore
from core.errors import ApplicationError
from notices.models import Purpose

from ..codes import AppealsAction, AppealsError
from ..models import Case, CaseKind, CaseStatus, Category, Outcome
from ..rules import CaseAction, case_action_require
from .common import (
    ZERO,
    case_audit,
    case_event_add,
    case_lock,
    case_notify,
    case_transition,
    contact_limits_set,
    dispute_event_data,
    second_approval_threshold,
)


@transaction.atomic
def case_acknowledge(*, actor: User, case_id: int) -> Case:
    case = case_lock(case_id)
    case_action_require(user=actor, case=case, action=CaseAction.ACKNOWLEDGE)
    case_transition(case, CaseStatus.ACKNOWLEDGED)
    case.acknowledged_at = timezone.now()
    case.assigned_to = case.assigned_to or actor
    case.save(update_fields=["status", "acknowledged_at", "assigned_to"])
    case_event_add(
        case,
        "acknowledged",
        actor,
        _("We have received your case and will answer by %(date)s.")
        % {"date": timezone.localtime(case.resolve_due_at).date().isoformat()},
    )
    case_notify(case, Purpose.ACKNOWLEDGEMENT, {})
    case_audit(case, AppealsAction.CASE_ACKNOWLEDGED, actor)
    return case


@transaction.atomic
def case_investigate(*, actor: User, case_id: int, note: str = "") -> Case:
    case = case_lock(case_id)
    case_action_require(user=actor, case=case, action=CaseAction.INVESTIGATE)
    case_transition(case, CaseStatus.INVESTIGATING)
    case.first_reviewer = case.first_reviewer or actor
    case.save(update_fields=["status", "first_reviewer"])
    case_event_add(case, "investigating", actor, note or _("We are looking into it."))
    case_audit(case, AppealsAction.CASE_INVESTIGATING, actor)
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
        raise ApplicationError(code=AppealsError.REMEDY_NEEDS_CONTRACT, message=_("A ledger remedy needs a contract."))
    ids = {int(i) for i in remedy.get("reverse_late_fees", [])}
    for key in ("waive_penalty", "write_down_principal"):
        ids |= {int(i) for i in (remedy.get(key) or {})}
    if ids and Installment.objects.filter(pk__in=ids, contract=case.contract).count() != len(ids):
        raise ApplicationError(
            code=AppealsError.REMEDY_WRONG_INSTALLMENT,
            message=_("The remedy names an installment of another contract."),
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
    case = case_lock(case_id)
    case_action_require(user=actor, case=case, action=CaseAction.RESOLVE)
    outcome = Outcome(outcome)
    if not reasons.strip():
        raise ApplicationError(code=AppealsError.REASONS_REQUIRED, message=_("Write the reasons for the decision."))
    remedy = remedy or {}
    if outcome == Outcome.REJECTED and remedy:
        raise ApplicationError(code=AppealsError.REMEDY_ON_REJECTION, message=_("A rejected case has no remedy."))
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
        case_event_add(
            case,
            "awaiting_approval",
            actor,
            _("Remedy of %(amount)s awaits a second approval.") % {"amount": amount},
            visible=False,
        )
        case_audit(case, AppealsAction.CASE_REMEDY_PROPOSED, actor, amount=amount)
        return case
    return _resolve(
        case, actor=actor, approver=None, outcome=outcome, reasons=reasons.strip(), remedy=remedy, amount=amount
    )


@transaction.atomic
def case_remedy_approve(*, actor: User, case_id: int) -> Case:
    case = case_lock(case_id)
    case_action_require(user=actor, case=case, action=CaseAction.APPROVE)
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
    case_transition(case, CaseStatus.RESOLVED)
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
    case_event_add(case, "resolved", actor, f"{case.get_outcome_display()}: {reasons}")
    # The hold lifts when this resolution has actually been sent to the customer.
    case_notify(case, Purpose.RESOLUTION, {"release_hold_id": case.hold_id or ""})
    case_audit(
        case,
        AppealsAction.CASE_RESOLVED,
        actor,
        outcome=outcome,
        remedy=remedy,
        amount=amount,
        approver=approver.pk if approver else None,
    )
    if case.kind == CaseKind.DISPUTE:
        webhook_events_emit([WebhookEvent("dispute.resolved", str(case.pk), dispute_event_data(case))])
    return case


@transaction.atomic
def case_appeal_decide(
    *, actor: User, case_id: int, outcome: str, reasons: str, remedy: dict[str, Any] | None = None
) -> Case:
    case = case_lock(case_id)
    case_action_require(user=actor, case=case, action=CaseAction.DECIDE_APPEAL)
    if not reasons.strip():
        raise ApplicationError(code=AppealsError.REASONS_REQUIRED, message=_("Write the reasons for the decision."))
    outcome = Outcome(outcome)
    remedy = remedy or {}
    _validate_remedy(case, remedy)
    if outcome != Outcome.REJECTED:
        _apply_remedy(case, remedy, actor, None)
    case_transition(case, CaseStatus.FINAL)
    case.appeal_reviewer = actor
    case.appeal_outcome = outcome
    case.appeal_reasons = reasons.strip()
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "appeal_reviewer", "appeal_outcome", "appeal_reasons", "closed_at"])
    case_event_add(case, "final", actor, f"{outcome.label}: {reasons.strip()}")
    case_notify(
        case,
        Purpose.RESOLUTION,
        {"release_hold_id": case.hold_id or "", "outcome": outcome.label, "reasons": reasons.strip()},
    )
    _close_effects(case)
    case_audit(case, AppealsAction.CASE_FINAL, actor, outcome=outcome)
    return case


@transaction.atomic
def case_close(*, actor: User | None, case_id: int) -> Case:
    case = case_lock(case_id)
    case_action_require(user=actor, case=case, action=CaseAction.CLOSE)
    case_transition(case, CaseStatus.CLOSED)
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at"])
    case_event_add(case, "closed", actor)
    _close_effects(case)
    case_audit(case, AppealsAction.CASE_CLOSED, actor)
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
            contact_limits_set(case.customer, on=False)
    if case.hold_id:
        hold_release(actor=None, hold_id=case.hold_id)
