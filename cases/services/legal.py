"""The legal route (``cases.manage_legal_route``): a lawyer's letter with a final grace period,
the referral for litigation once it has passed, the referral bundle, and the court case's
progress (filed, judgment, enforcement) to its close. Every step refuses a time-barred debt and
a standing reason the engine gives (an open dispute, a hold or plan, a cease request, a lawyer
representing the customer), moves along ``LEGAL_TRANSITIONS`` and is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import LEGAL_ROUTE
from audit.models import AuditCheckpoint
from audit.services import audit_record, audit_seal_all
from contracts.models import Contract, ContractStatus
from contracts.selectors import contract_payoff
from core.dates import business_today
from core.errors import ApplicationError, NotFoundError
from core.money import parse_amount
from notices.models import NoticeStatus
from notices.selectors import LAWYER_GRACE_DAYS
from notices.services.case_messages import lawyer_letter_write

from ..codes import CasesAction, CasesError
from ..legal_bundle import Bundle, bundle_build, bundle_events
from ..models import (
    JudgmentOutcome,
    LegalBundle,
    LegalCase,
    LegalCloseReason,
    LegalReferral,
    LegalStatus,
    LegalStep,
    RequestStatus,
)
from ..reasons import blocked_message
from ._common import account_for_actor, require_perm
from .requests import legal_route_guard

OVERDUE = (ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF)
# The final grace period a lawyer's letter gives (days after its date); the default is the ladder's.
GRACE_DAYS_DEFAULT = LAWYER_GRACE_DAYS
GRACE_DAYS_MIN, GRACE_DAYS_MAX = 7, 60
SEAL_BUDGET_SECONDS = 10.0


def _details(message: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(code=CasesError.LEGAL_DETAILS, message=message, field=field)


def _text(value: str, *, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise _details(_("%(label)s is required.") % {"label": label}, field)
    if len(value) > max_length:
        raise _details(_("%(label)s is too long.") % {"label": label}, field)
    return value


def _day(value: dt.date | None, *, field: str, not_before: dt.date | None, today: dt.date) -> dt.date:
    if value is None:
        raise _details(_("Give the date."), field)
    if value > today:
        raise _details(_("The date cannot be in the future."), field)
    if not_before is not None and value < not_before:
        raise _details(
            _("The date cannot be before %(date)s, the case's previous step.") % {"date": not_before.isoformat()},
            field,
        )
    return value


def _case_for_update(case_id: int) -> LegalCase:
    case = LegalCase.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(code=CasesError.LEGAL_CASE_NOT_FOUND, message=_("Legal case not found."))
    return case


def _move(case: LegalCase, to: str, *, actor: User, on_date: dt.date, note: str, data: dict[str, Any]) -> None:
    if not case.can(to):
        raise ApplicationError(
            code=CasesError.LEGAL_TRANSITION,
            message=_("A case that is “%(status)s” cannot move to “%(to)s”.")
            % {"status": case.get_status_display(), "to": LegalStatus(to).label},
        )
    before = case.status
    now = timezone.now()
    case.status = to
    case.status_changed_at = now
    case.save()
    LegalStep.objects.create(case=case, status=to, on_date=on_date, note=note, actor=actor, at=now)
    audit_record(
        action=CasesAction.LEGAL_CASE_STATUS,
        actor=actor,
        obj=case,
        subject_user_id=case.contract.customer.user_id,
        data={"contract": case.contract.number, "from": before, "to": to, "on": on_date.isoformat(), **data},
    )


@transaction.atomic
def legal_case_open(
    *, actor: User, contract_id: int, law_firm: str, grace_days: int = GRACE_DAYS_DEFAULT, note: str = ""
) -> LegalCase:
    """Open the legal route: the lawyer's letter (PDF, by post, through the outbox and the
    compliance engine) with the final grace period, today plus ``grace_days``. Answers the
    account's open referral request, if any."""
    require_perm(actor, LEGAL_ROUTE)
    contract = account_for_actor(actor, contract_id, lock=True)
    law_firm = _text(law_firm, field="law_firm", label=_("The law firm"), max_length=200)
    low, high = GRACE_DAYS_MIN, GRACE_DAYS_MAX
    if not low <= grace_days <= high:
        raise _details(
            _("The final grace period must be %(low)s to %(high)s days.") % {"low": low, "high": high}, "grace_days"
        )
    if contract.status not in OVERDUE:
        raise ApplicationError(code=CasesError.NOT_OVERDUE, message=_("This account is not overdue."))
    today = business_today()
    legal_route_guard(contract=contract, on_date=today)
    if LegalCase.objects.filter(contract=contract).exclude(status=LegalStatus.CLOSED).exists():
        raise ApplicationError(
            code=CasesError.LEGAL_CASE_OPEN, message=_("This account already has an open legal case.")
        )
    now = timezone.now()
    referral = LegalReferral.objects.filter(contract=contract, status=RequestStatus.REQUESTED).first()
    if referral is not None:
        referral.status = RequestStatus.APPROVED
        referral.decided_by = actor
        referral.decided_at = now
        referral.decision_note = _("Legal case opened; lawyer's letter sent.")
        referral.save()
    case = LegalCase.objects.create(
        contract=contract,
        referral=referral,
        law_firm=law_firm,
        letter_on=today,
        grace_until=today + dt.timedelta(days=grace_days),
        opened_by=actor,
        opened_at=now,
        status_changed_at=now,
    )
    letter = lawyer_letter_write(
        contract=contract, key=f"legal:{case.pk}:letter", final_grace_date=case.grace_until, now=now
    )
    if letter.status == NoticeStatus.DROPPED:
        raise ApplicationError(
            code=CasesError.LEGAL_BLOCKED,
            message=blocked_message(letter.reason_codes or [], None, contract.customer.timezone),
            extra={"reasons": letter.reason_codes or []},
        )
    case.letter = letter
    case.save(update_fields=["letter"])
    LegalStep.objects.create(case=case, status=case.status, on_date=today, note=note.strip(), actor=actor, at=now)
    audit_record(
        action=CasesAction.LEGAL_CASE_OPENED,
        actor=actor,
        obj=case,
        subject_user_id=contract.customer.user_id,
        data={
            "contract": contract.number,
            "law_firm": law_firm,
            "grace_until": case.grace_until.isoformat(),
            "letter": letter.pk,
            "referral": referral.pk if referral else None,
        },
    )
    return case


def _locked_contract(case: LegalCase) -> Contract:
    return Contract.objects.select_for_update().select_related("customer", "product").get(pk=case.contract_id)


@transaction.atomic
def legal_case_refer(*, actor: User, case_id: int, note: str = "") -> LegalCase:
    """Refer for litigation once the lawyer's letter went out and its final grace period passed,
    the account is still overdue and nothing stands in the way; fixes the amount claimed."""
    require_perm(actor, LEGAL_ROUTE)
    case = _case_for_update(case_id)
    contract = _locked_contract(case)
    today = business_today()
    letter = case.letter
    if letter is None or letter.status not in (NoticeStatus.SENT, NoticeStatus.DELIVERED):
        raise ApplicationError(
            code=CasesError.LEGAL_LETTER_NOT_SENT,
            message=_("The lawyer's letter has not gone out (%(status)s): refer only after it has.")
            % {"status": letter.get_status_display() if letter else "-"},
        )
    if today <= case.grace_until:
        raise ApplicationError(
            code=CasesError.LEGAL_GRACE_RUNNING,
            message=_("The final grace period runs until %(date)s: refer from the day after.")
            % {"date": case.grace_until.isoformat()},
        )
    if contract.status not in OVERDUE:
        raise ApplicationError(
            code=CasesError.NOT_OVERDUE, message=_("This account is no longer overdue: close the case instead.")
        )
    legal_route_guard(contract=contract, on_date=today)
    case.contract = contract
    case.referred_on = today
    case.amount_claimed = contract_payoff(contract=contract, on=today)
    _move(
        case,
        LegalStatus.REFERRED,
        actor=actor,
        on_date=today,
        note=note.strip(),
        data={"amount_claimed": str(case.amount_claimed)},
    )
    return case


@transaction.atomic
def legal_case_file(
    *, actor: User, case_id: int, court: str, court_case_number: str, filed_on: dt.date | None, note: str = ""
) -> LegalCase:
    """The claim was filed at court (court, its case number, the filing date)."""
    require_perm(actor, LEGAL_ROUTE)
    case = _case_for_update(case_id)
    contract = _locked_contract(case)
    today = business_today()
    case.court = _text(court, field="court", label=_("The court"), max_length=200)
    case.court_case_number = _text(
        court_case_number, field="court_case_number", label=_("The court case number"), max_length=100
    )
    case.filed_on = _day(filed_on, field="filed_on", not_before=case.referred_on, today=today)
    if case.can(LegalStatus.FILED):
        legal_route_guard(contract=contract, on_date=today)
    _move(
        case,
        LegalStatus.FILED,
        actor=actor,
        on_date=case.filed_on,
        note=note.strip(),
        data={"court": case.court, "court_case_number": case.court_case_number},
    )
    return case


@transaction.atomic
def legal_case_judgment(
    *,
    actor: User,
    case_id: int,
    judgment_on: dt.date | None,
    outcome: str,
    amount: Decimal | str | None,
    note: str = "",
) -> LegalCase:
    """The court's judgment (or mediation): its date, outcome and the amount awarded."""
    require_perm(actor, LEGAL_ROUTE)
    case = _case_for_update(case_id)
    if outcome not in JudgmentOutcome.values:
        raise _details(_("Choose the judgment's outcome."), "outcome")
    case.judgment_on = _day(judgment_on, field="judgment_on", not_before=case.filed_on, today=business_today())
    case.judgment_outcome = outcome
    if outcome == JudgmentOutcome.FOR_CUSTOMER:
        if amount not in (None, ""):
            raise _details(_("A judgment for the customer awards nothing."), "amount")
        case.judgment_amount = None
    else:
        case.judgment_amount = parse_amount(amount, field="amount")
    _move(
        case,
        LegalStatus.JUDGMENT,
        actor=actor,
        on_date=case.judgment_on,
        note=note.strip(),
        data={"outcome": outcome, "amount": str(case.judgment_amount) if case.judgment_amount else None},
    )
    return case


@transaction.atomic
def legal_case_enforce(
    *, actor: User, case_id: int, enforcement_on: dt.date | None, enforcement_case_number: str, note: str = ""
) -> LegalCase:
    """Enforcement of a judgment for the lender was applied for."""
    require_perm(actor, LEGAL_ROUTE)
    case = _case_for_update(case_id)
    if case.status == LegalStatus.JUDGMENT and case.judgment_outcome == JudgmentOutcome.FOR_CUSTOMER:
        raise ApplicationError(
            code=CasesError.LEGAL_TRANSITION, message=_("A judgment for the customer cannot be enforced.")
        )
    case.enforcement_on = _day(
        enforcement_on, field="enforcement_on", not_before=case.judgment_on, today=business_today()
    )
    case.enforcement_case_number = _text(
        enforcement_case_number,
        field="enforcement_case_number",
        label=_("The enforcement case number"),
        max_length=100,
    )
    _move(
        case,
        LegalStatus.ENFORCEMENT,
        actor=actor,
        on_date=case.enforcement_on,
        note=note.strip(),
        data={"enforcement_case_number": case.enforcement_case_number},
    )
    return case


@transaction.atomic
def legal_case_close(*, actor: User, case_id: int, reason: str, closed_on: dt.date | None, note: str = "") -> LegalCase:
    """Close the case: paid (only when nothing is owed), settled, judgment satisfied, dismissed,
    withdrawn or enforcement ended without recovery (these two with a note)."""
    require_perm(actor, LEGAL_ROUTE)
    case = _case_for_update(case_id)
    contract = _locked_contract(case)
    if reason not in LegalCloseReason.values:
        raise _details(_("Choose why the case closes."), "reason")
    note = note.strip()
    if reason in (LegalCloseReason.WITHDRAWN, LegalCloseReason.UNCOLLECTIBLE) and len(note) < 5:
        raise _details(_("Say why (at least five characters)."), "note")
    today = business_today()
    if reason == LegalCloseReason.PAID and contract_payoff(contract=contract, on=today) > 0:
        raise _details(_("The account still owes money: it is not paid in full."), "reason")
    case.closed_on = _day(closed_on, field="closed_on", not_before=case.letter_on, today=today)
    case.close_reason = reason
    _move(case, LegalStatus.CLOSED, actor=actor, on_date=case.closed_on, note=note, data={"reason": reason})
    return case


def legal_bundle_make(*, actor: User, case_id: int) -> Bundle:
    """The referral bundle of a referred case. Seals the audit log and signs a checkpoint first
    (so every event so far can be proven), then assembles the ZIP, records its manifest hash and
    audits it as a view of personal data."""
    require_perm(actor, LEGAL_ROUTE)
    found = (
        LegalCase.objects.select_related("contract__customer", "contract__terms__product", "letter")
        .filter(pk=case_id)
        .first()
    )
    if found is None:
        raise NotFoundError(code=CasesError.LEGAL_CASE_NOT_FOUND, message=_("Legal case not found."))
    if found.referred_on is None:
        raise ApplicationError(
            code=CasesError.LEGAL_TRANSITION, message=_("A referral bundle is made once the case is referred.")
        )
    # A web request: seal for a few seconds at most (the sealer task does the rest); events not
    # sealed in time are counted in the manifest as pending, never left out silently.
    audit_seal_all(force_checkpoint=True, budget_seconds=SEAL_BUDGET_SECONDS)
    checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
    event_ids, pending = bundle_events(found.contract, tree_size=checkpoint.tree_size if checkpoint else 0)
    if checkpoint is None or not event_ids:
        raise ApplicationError(
            code=CasesError.LEGAL_NOT_SEALED,
            message=_("The audit log has no signed checkpoint yet; try again shortly."),
        )
    with transaction.atomic():
        now = timezone.now()
        bundle = bundle_build(found, event_ids=event_ids, pending=pending, made_at=now)
        LegalBundle.objects.create(
            case=found,
            manifest_sha256=bundle.manifest_sha256,
            tree_size=bundle.tree_size,
            events=bundle.events,
            made_by=actor,
            made_at=now,
        )
        audit_record(
            action=CasesAction.PII_VIEWED,
            actor=actor,
            obj=found,
            subject_user_id=found.contract.customer.user_id,
            data={
                "purpose": "legal_referral_bundle",
                "contract": found.contract.number,
                "manifest_sha256": bundle.manifest_sha256,
                "tree_size": bundle.tree_size,
            },
        )
    return bundle
