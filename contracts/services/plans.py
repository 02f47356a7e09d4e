"""Repayment plans: proposal (with an optional waiver and evidence), approval, activation,
cancellation and refusal."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ApplicationError, NotFoundError

from .. import ledger
from ..codes import ContractsAction, ContractsError
from ..evidence import evidence_check
from ..models import PLAN_TRANSITIONS, Installment, PlanStatus, RepaymentPlan
from ..schedules import add_months
from ..selectors import OPEN_PLAN_STATUSES, plan_preview, plan_request_refusal
from ._common import ZERO, _bring_to, _finish, _lock
from .service_state import service_restore_if_cured


def _plan_transition(plan: RepaymentPlan, to: str, *, actor: User | None, on: dt.date) -> None:
    if to not in PLAN_TRANSITIONS[plan.status]:
        raise ApplicationError(
            code=ContractsError.PLAN_TRANSITION_NOT_ALLOWED,
            message=_("This repayment plan cannot change from %(a)s to %(b)s.") % {"a": plan.status, "b": to},
        )
    before = plan.status
    plan.status = to
    fields = ["status"]
    if to in (PlanStatus.KEPT, PlanStatus.BROKEN, PlanStatus.CANCELLED, PlanStatus.REJECTED):
        plan.closed_on = on
        fields.append("closed_on")
    plan.save(update_fields=fields)
    audit_record(
        action=ContractsAction(f"plan.{to}"),
        actor=actor,
        obj=plan,
        subject_user_id=plan.contract.customer.user_id,
        data={"from": before, "to": to, "contract": plan.contract.number},
        system="delinquency_sweep",
    )


@transaction.atomic
def plan_propose(
    *,
    actor: User | None,
    contract_id: int,
    months: int,
    reason: str = "",
    evidence: UploadedFile | None = None,
    waive_penalty: bool = False,
    waive_fees: bool = False,
    on: dt.date | None = None,
) -> RepaymentPlan:
    """Propose restructuring the outstanding amount. A waiver needs a supervisor's approval."""
    contract = _lock(contract_id)
    refusal = plan_request_refusal(
        contract=contract, has_open_plan=contract.plans.filter(status__in=OPEN_PLAN_STATUSES).exists()
    )
    if refusal is not None:
        raise refusal
    day = on or timezone.localdate()
    preview = plan_preview(contract=contract, months=months, waive_penalty=waive_penalty, waive_fees=waive_fees, on=day)
    if preview["total"] <= ZERO:
        raise ApplicationError(
            code=ContractsError.NOTHING_TO_RESTRUCTURE, message=_("There is nothing outstanding to put into a plan.")
        )
    plan = RepaymentPlan.objects.create(
        contract=contract,
        months=months,
        first_due_date=preview["first_due_date"],
        waive_penalty=waive_penalty,
        waive_fees=waive_fees,
        waiver_amount=preview["waiver_total"],
        requires_approval=preview["waiver_total"] > ZERO,
        reason=reason,
        proposed_by=actor,
        proposed_on=day,
        snapshot={
            "restructured": {k: str(v) for k, v in preview["restructured"].items()},
            "total": str(preview["total"]),
        },
    )
    if evidence is not None:
        _content_type, extension = evidence_check(evidence, field="evidence")
        # Stored under a name we choose (never the uploaded one), outside the web root.
        plan.evidence.save(f"plan-{plan.pk}.{extension}", evidence, save=True)
    audit_record(
        action=ContractsAction.PLAN_PROPOSED,
        actor=actor,
        obj=plan,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "months": months, "waiver": preview["waiver_total"]},
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan_id: int) -> RepaymentPlan:
    """A supervisor approves a plan's waiver (never the person who proposed it)."""
    plan = RepaymentPlan.objects.select_for_update().select_related("contract__customer").get(pk=plan_id)
    if not actor.has_perm("contracts.approve_waiver"):
        raise ApplicationError(
            code=ContractsError.APPROVAL_NOT_ALLOWED, message=_("Only a supervisor can approve waivers.")
        )
    if plan.proposed_by_id == actor.pk:
        raise ApplicationError(
            code=ContractsError.APPROVAL_BY_PROPOSER, message=_("The person who proposed a waiver cannot approve it.")
        )
    if plan.status != PlanStatus.PROPOSED:
        raise ApplicationError(
            code=ContractsError.PLAN_NOT_PROPOSED, message=_("Only a proposed plan can be approved.")
        )
    plan.approved_by = actor
    plan.save(update_fields=["approved_by"])
    audit_record(
        action=ContractsAction.PLAN_APPROVED,
        actor=actor,
        obj=plan,
        subject_user_id=plan.contract.customer.user_id,
        data={"waiver": plan.waiver_amount},
    )
    return plan


@transaction.atomic
def plan_activate(*, actor: User | None, plan_id: int, on: dt.date | None = None) -> RepaymentPlan:
    """Accept the plan: the outstanding amount moves into the plan's installments today."""
    plan = RepaymentPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(code=ContractsError.PLAN_NOT_FOUND, message=_("Repayment plan not found."))
    contract = _lock(plan.contract_id)
    plan = RepaymentPlan.objects.select_for_update().get(pk=plan_id)
    if not plan.can_activate():
        raise ApplicationError(
            code=ContractsError.PLAN_CANNOT_ACTIVATE,
            message=_("This plan cannot be activated (approval missing or already decided)."),
        )
    day = on or timezone.localdate()
    first_due = add_months(day, 1, day.day)
    rows = Installment.objects.bulk_create(
        [
            Installment(contract=contract, plan=plan, seq=n + 1, due_date=add_months(first_due, n, first_due.day))
            for n in range(plan.months)
        ]
    )
    if any(r.pk is None for r in rows):  # pragma: no cover - backends without RETURNING
        rows = list(plan.installments.order_by("seq"))
    loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
    for r in rows:
        loaded.rows[r.pk] = r
    result = ledger.DayResult()
    event = ledger.PlanEvent(
        plan.pk, day, tuple(ledger.PlanLine(r.pk, r.seq, r.due_date) for r in rows), plan.waive_penalty, plan.waive_fees
    )
    ledger.apply_event(loaded.state, loaded.terms, event, result)
    for inst in loaded.state.installments:
        row = loaded.rows.get(inst.key)
        if row is not None and row.plan_id == plan.pk:
            row.principal_due, row.interest_due = inst.principal_due, inst.interest_due
    Installment.objects.bulk_update(list(rows), ["principal_due", "interest_due"])
    _finish(loaded, pending, day)
    plan.first_due_date = first_due
    plan.activated_on = day
    plan.save(update_fields=["first_due_date", "activated_on"])
    _plan_transition(plan, PlanStatus.ACTIVE, actor=actor, on=day)
    service_restore_if_cured(contract_id=contract.pk, on=day)
    return plan


@transaction.atomic
def plan_cancel(*, actor: User | None, plan_id: int, reason: str = "") -> RepaymentPlan:
    plan = RepaymentPlan.objects.select_for_update().select_related("contract__customer").get(pk=plan_id)
    if not plan.can_cancel():
        raise ApplicationError(
            code=ContractsError.PLAN_CANNOT_CANCEL, message=_("This plan can no longer be cancelled.")
        )
    _plan_transition(plan, PlanStatus.CANCELLED, actor=actor, on=timezone.localdate())
    return plan


@transaction.atomic
def plan_reject(*, actor: User, plan_id: int, reason: str) -> RepaymentPlan:
    plan = RepaymentPlan.objects.select_for_update().select_related("contract__customer").get(pk=plan_id)
    if plan.status != PlanStatus.PROPOSED:
        raise ApplicationError(code=ContractsError.PLAN_NOT_PROPOSED, message=_("Only a proposed plan can be refused."))
    plan.reason = f"{plan.reason}\n[{_('Refused')}] {reason}".strip()
    plan.save(update_fields=["reason"])
    _plan_transition(plan, PlanStatus.REJECTED, actor=actor, on=timezone.localdate())
    return plan
