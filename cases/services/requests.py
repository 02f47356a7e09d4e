"""What an agent asks for on an account and someone else decides or continues: fee waivers
(a supervisor approves), field visits (a supervisor authorises) and legal referral (the legal
workflow takes it on); plus collection holds an agent places. Each asks its precondition first
(the compliance engine for contacts, the limitation guard for the legal route)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, User
from accounts.roles import WAIVER_APPROVE, WORK_ACCOUNTS
from audit.services import audit_record
from contracts.models import CollectionHold, Contract, ContractStatus, HoldReason, Installment
from contracts.services import adjustment_apply, hold_place, legal_action_check
from core.errors import ApplicationError, ForbiddenError, NotFoundError
from core.money import parse_amount
from notices.contact import ProposedDetails, contact_judge

from ..codes import CasesAction, CasesError
from ..models import AddressVerification, LegalReferral, RequestStatus, VisitRequest, WaiverKind, WaiverRequest
from ..reasons import blocked_message
from ..rules_visits import visit_preconditions
from ._common import account_for_actor, actor_agency, require_perm

ZERO = Decimal("0.00")
# Holds an agent places from the workbench (disputes, complaints and appeals place their own).
STAFF_HOLD_REASONS = (HoldReason.HARDSHIP, HoldReason.DECEASED, HoldReason.BANKRUPTCY)


def _reason(text: str) -> str:
    text = text.strip()
    if len(text) < 5:
        raise ApplicationError(
            code=CasesError.REASON_MISSING, message=_("Please give the reason (at least 5 characters)."), field="reason"
        )
    return text


def _waivable(inst: Installment, kind: str) -> Decimal:
    if kind == WaiverKind.REVERSE_LATE_FEE:
        return inst.fee_charged
    if kind == WaiverKind.WAIVE_FEE:
        return inst.fee_charged - inst.fee_paid - inst.fee_waived
    return inst.penalty_accrued - inst.penalty_paid - inst.penalty_waived


@transaction.atomic
def waiver_request_create(
    *, actor: User, contract_id: int, installment_id: int, kind: str, amount: Decimal | str | None, reason: str
) -> WaiverRequest:
    """Ask for a late fee reversal or a fee or penalty waiver on one installment; nothing
    changes in the ledger until a supervisor approves (``waiver_request_approve``)."""
    require_perm(actor, WORK_ACCOUNTS)
    contract = account_for_actor(actor, contract_id, lock=True)
    reason = _reason(reason)
    inst = Installment.objects.filter(pk=installment_id, contract=contract).first()
    if inst is None:
        raise NotFoundError(code=CasesError.WAIVER_NOTHING, message=_("Installment not found."), field="installment")
    if kind not in WaiverKind.values:
        raise ApplicationError(code=CasesError.WAIVER_NOTHING, message=_("Choose what to waive."), field="kind")
    open_amount = _waivable(inst, kind)
    if open_amount <= ZERO:
        raise ApplicationError(
            code=CasesError.WAIVER_NOTHING, message=_("There is nothing of that kind to waive."), field="kind"
        )
    value = open_amount if kind == WaiverKind.REVERSE_LATE_FEE or amount in (None, "") else parse_amount(amount)
    if value > open_amount:
        raise ApplicationError(
            code=CasesError.WAIVER_AMOUNT,
            message=_("At most %(amount)s can be waived.") % {"amount": open_amount},
            field="amount",
        )
    if WaiverRequest.objects.filter(installment=inst, kind=kind, status=RequestStatus.REQUESTED).exists():
        raise ApplicationError(code=CasesError.REQUEST_OPEN, message=_("The same waiver is already requested."))
    request = WaiverRequest.objects.create(
        contract=contract,
        installment=inst,
        kind=kind,
        amount=value,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    audit_record(
        action=CasesAction.WAIVER_REQUESTED,
        actor=actor,
        obj=request,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "installment": inst.seq, "kind": kind, "amount": value},
    )
    return request


def _decidable(actor: User, request_id: int) -> WaiverRequest:
    require_perm(actor, WAIVER_APPROVE)
    request = (
        WaiverRequest.objects.select_for_update().select_related("contract__customer").filter(pk=request_id).first()
    )
    if request is None:
        raise NotFoundError(code=CasesError.REQUEST_NOT_OPEN, message=_("Request not found."))
    if not request.can_decide():
        raise ApplicationError(code=CasesError.REQUEST_NOT_OPEN, message=_("This request is already decided."))
    if request.requested_by_id == actor.pk:
        raise ForbiddenError(code=CasesError.OWN_REQUEST, message=_("Someone else must decide your own request."))
    return request


@transaction.atomic
def waiver_request_approve(*, actor: User, request_id: int, note: str = "") -> WaiverRequest:
    """A supervisor approves (``contracts.approve_waiver``; never the requester): the ledger is
    adjusted through ``adjustment_apply`` with the approver recorded."""
    request = _decidable(actor, request_id)
    adjustment = adjustment_apply(
        actor=actor,
        installment_id=request.installment_id,
        kind=request.kind,
        amount=request.amount,
        reason=request.reason,
        approved_by=actor,
    )
    request.status = RequestStatus.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.adjustment = adjustment
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "adjustment"])
    audit_record(
        action=CasesAction.WAIVER_APPROVED,
        actor=actor,
        obj=request,
        subject_user_id=request.contract.customer.user_id,
        data={"contract": request.contract.number, "adjustment": adjustment.pk, "amount": request.amount},
    )
    return request


@transaction.atomic
def waiver_request_reject(*, actor: User, request_id: int, note: str) -> WaiverRequest:
    request = _decidable(actor, request_id)
    request.status = RequestStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = _reason(note)
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action=CasesAction.WAIVER_REJECTED,
        actor=actor,
        obj=request,
        subject_user_id=request.contract.customer.user_id,
        data={"contract": request.contract.number, "note": request.decision_note},
    )
    return request


@transaction.atomic
def visit_request_create(
    *,
    actor: User,
    contract_id: int,
    proposed_for: dt.datetime,
    reason: str,
    address: str = "",
    address_verification: str = "",
) -> VisitRequest:
    """Ask a supervisor to authorise a field visit (上门走访). The engine judges it first as a
    visit by two staff at the proposed time (daytime in the customer's zone, holds, frequency):
    a visit it would refuse is not requested; nor is one while a dispute or hardship request is
    open. The request states its reason, the address and how it was verified; the
    preconditions as they stand are kept with it (``cases.rules_visits``) and the supervisor's
    approval (``visit_request_approve``) requires every one of them."""
    require_perm(actor, WORK_ACCOUNTS)
    contract = account_for_actor(actor, contract_id, lock=True)
    reason = _reason(reason)
    if contract.status != ContractStatus.DELINQUENT:
        raise ApplicationError(
            code=CasesError.NOT_OVERDUE, message=_("A field visit is only for a contract in arrears.")
        )
    if proposed_for <= timezone.now():
        raise ApplicationError(
            code=CasesError.NOT_ALLOWED, message=_("Propose a time in the future."), field="proposed_for"
        )
    profile = contract.customer
    verdict = contact_judge(
        profile=profile,
        contract=contract,
        proposed=ProposedDetails(
            channel=ContactChannel.VISIT,
            at=proposed_for,
            purpose="collection",
            endpoint=profile.postal_address,
            staff_count=2,
            by="agency" if actor_agency(actor, contract) else "lender",
        ),
    )
    if not verdict.allowed:
        raise ApplicationError(
            code=CasesError.CONTACT_BLOCKED,
            message=blocked_message(verdict.reasons, verdict.next_allowed_at, profile.timezone),
            field="proposed_for",
            extra={"reasons": list(verdict.reasons), "next_allowed_at": verdict.next_allowed_at},
        )
    if VisitRequest.objects.filter(contract=contract, status=RequestStatus.REQUESTED).exists():
        raise ApplicationError(code=CasesError.REQUEST_OPEN, message=_("A visit is already requested."))
    if address_verification and address_verification not in AddressVerification.values:
        raise ApplicationError(
            code=CasesError.NOT_ALLOWED, message=_("Choose how the address was verified."), field="address_verification"
        )
    checks = visit_preconditions(contract=contract, address_verification=address_verification)
    if not next(c for c in checks if c.code == "no_open_case").ok:
        raise ApplicationError(
            code=CasesError.VISIT_PRECONDITION,
            message=_("No visit while a dispute or hardship request is open."),
            extra={"failed": ["no_open_case"]},
        )
    request = VisitRequest.objects.create(
        contract=contract,
        proposed_for=proposed_for,
        reason=reason,
        address=address.strip() or profile.postal_address,
        address_verification=address_verification,
        preconditions={c.code: c.ok for c in checks},
        requested_by=actor,
        requested_at=timezone.now(),
        engine_reasons=[],
    )
    audit_record(
        action=CasesAction.VISIT_REQUESTED,
        actor=actor,
        obj=request,
        subject_user_id=profile.user_id,
        data={"contract": contract.number, "proposed_for": proposed_for},
    )
    return request


@transaction.atomic
def legal_route_guard(*, contract: Contract, on_date: dt.date) -> None:
    """What every step of the legal route checks first: refused on a time-barred debt
    (``legal_action_check``, 12 CFR 1006.26(b)) and whenever the engine would refuse a
    communication with legal content now for a standing reason (an open dispute, a hold or a
    repayment plan, a cease request, a lawyer representing the customer); quiet hours do not
    apply to a step of the legal route."""
    legal_action_check(contract=contract, on_date=on_date)
    profile = contract.customer
    verdict = contact_judge(
        profile=profile,
        contract=contract,
        proposed=ProposedDetails(
            channel=ContactChannel.LETTER, at=timezone.now(), purpose="collection", legal_action=True
        ),
    )
    standing = [code for code in verdict.reasons if code not in ("TIME_WINDOW", "DESIGNATED_INCONVENIENT")]
    if standing:
        raise ApplicationError(
            code=CasesError.LEGAL_BLOCKED,
            message=blocked_message(standing, None, profile.timezone),
            extra={"reasons": standing},
        )


def legal_referral_create(*, actor: User, contract_id: int, reason: str) -> LegalReferral:
    """Refer an account to the legal route (the legal team opens a case from it), refused as
    ``legal_route_guard`` refuses."""
    require_perm(actor, WORK_ACCOUNTS)
    contract = account_for_actor(actor, contract_id, lock=True)
    reason = _reason(reason)
    if contract.status not in (ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF):
        raise ApplicationError(code=CasesError.NOT_OVERDUE, message=_("This account is not overdue."))
    legal_route_guard(contract=contract, on_date=timezone.localdate())
    profile = contract.customer
    if LegalReferral.objects.filter(contract=contract, status=RequestStatus.REQUESTED).exists():
        raise ApplicationError(code=CasesError.REQUEST_OPEN, message=_("The account is already referred."))
    referral = LegalReferral.objects.create(
        contract=contract, reason=reason, requested_by=actor, requested_at=timezone.now()
    )
    audit_record(
        action=CasesAction.LEGAL_REFERRED,
        actor=actor,
        obj=referral,
        subject_user_id=profile.user_id,
        data={"contract": contract.number},
    )
    return referral


def account_hold_place(*, actor: User, contract_id: int, reason: str, note: str = "") -> CollectionHold:
    """An agent pauses collection on an account (hardship review, death, bankruptcy): at once,
    through ``hold_place``; the same reason is not placed twice."""
    with transaction.atomic():
        require_perm(actor, WORK_ACCOUNTS)
        contract = account_for_actor(actor, contract_id, lock=True)
        if reason not in STAFF_HOLD_REASONS:
            raise ApplicationError(
                code=CasesError.NOT_ALLOWED, message=_("Choose why collection pauses."), field="reason"
            )
        if CollectionHold.objects.filter(contract=contract, reason=reason, released_on__isnull=True).exists():
            raise ApplicationError(code=CasesError.HOLD_OPEN, message=_("A hold for that reason is already in force."))
        source = f"cases.workbench:{actor.pk}" + (f" {note.strip()[:60]}" if note.strip() else "")
        return hold_place(actor=actor, contract_id=contract.pk, reason=reason, source=source[:100])
