"""Calls and promises to pay logged on the workbench, through the compliance engine."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, User
from accounts.roles import WORK_ACCOUNTS
from audit.services import audit_record
from contracts.models import ContractStatus, PromiseStatus
from contracts.services import promise_record
from core.errors import ApplicationError
from core.money import parse_amount
from notices.services import contact_attempt_outcome, contact_attempt_start

from ..codes import CasesAction, CasesError
from ..models import ENGINE_OUTCOMES, CallLog, CallOutcome
from ..reasons import blocked_message
from ..rules import staff_call_window_end
from ._common import account_for_actor, actor_agency, require_perm

WORKABLE_STATUSES = (ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF)


def call_log(
    *,
    actor: User,
    contract_id: int,
    outcome: str,
    note: str = "",
    promise_amount: Decimal | str | None = None,
    promise_date: dt.date | None = None,
    at: dt.datetime | None = None,
) -> CallLog:
    """Log a call to the customer about an overdue account.

    The compliance engine judges the call first, as a call at ``at`` (now) by the lender or, for
    an agency's user, by the agency: contact hours in the customer's local time (ending at the
    lender's ``STAFF_CALL_WINDOW_END`` when that is earlier than the law's), holds, opt-outs
    and the daily limits, which count the lender's and every agency's calls together (CBA 2026;
    GB/T 45251-2025). The judged attempt is recorded either way; a blocked call is refused with
    the engine's reasons and the next allowed time (raised after the attempt's record commits).
    An allowed call records its outcome (it feeds the engine's history) and, for a promise, the
    promise to pay the nightly sweep later marks kept or broken."""
    call, refusal = _call_log(
        actor=actor,
        contract_id=contract_id,
        outcome=outcome,
        note=note,
        promise_amount=promise_amount,
        promise_date=promise_date,
        at=at or timezone.now(),
    )
    if refusal is not None:
        raise refusal
    assert call is not None
    return call


def _promise_input(
    outcome: str, amount: Decimal | str | None, promised_date: dt.date | None, at: dt.datetime, zone: str
) -> tuple[Decimal | None, dt.date | None]:
    if outcome != CallOutcome.PROMISE:
        return None, None
    if amount in (None, "") or promised_date is None:
        raise ApplicationError(
            code=CasesError.PROMISE_DETAILS,
            message=_("A promise to pay needs an amount and a date."),
            field="promise_amount" if amount in (None, "") else "promise_date",
        )
    value = parse_amount(amount)
    if promised_date < timezone.localdate(at, zoneinfo.ZoneInfo(zone)):
        raise ApplicationError(
            code=CasesError.PROMISE_DETAILS, message=_("The promised date cannot be in the past."), field="promise_date"
        )
    return value, promised_date


@transaction.atomic
def _call_log(
    *,
    actor: User,
    contract_id: int,
    outcome: str,
    note: str,
    promise_amount: Decimal | str | None,
    promise_date: dt.date | None,
    at: dt.datetime,
) -> tuple[CallLog | None, ApplicationError | None]:
    require_perm(actor, WORK_ACCOUNTS)
    contract = account_for_actor(actor, contract_id, lock=True)
    if outcome not in CallOutcome.values:
        raise ApplicationError(
            code=CasesError.NOT_ALLOWED, message=_("Choose the outcome of the call."), field="outcome"
        )
    if contract.status not in WORKABLE_STATUSES:
        raise ApplicationError(code=CasesError.NOT_OVERDUE, message=_("This account is not overdue."))
    profile = contract.customer
    amount, promised = _promise_input(outcome, promise_amount, promise_date, at, profile.timezone)
    if amount is not None and contract.promises.filter(status=PromiseStatus.OPEN).exists():
        raise ApplicationError(
            code=CasesError.PROMISE_OPEN,
            message=_("This account already has an open promise to pay."),
            field="promise_amount",
        )
    agency = actor_agency(actor, contract)
    attempt = contact_attempt_start(
        actor=actor,
        profile=profile,
        contract=contract,
        channel=ContactChannel.CALL,
        endpoint=profile.phone,
        by="agency" if agency else "lender",
        at=at,
        window_end=staff_call_window_end(),
    )
    if attempt.verdict != "allowed":
        return None, ApplicationError(
            code=CasesError.CONTACT_BLOCKED,
            message=blocked_message(attempt.reason_codes, attempt.next_allowed_at, profile.timezone),
            extra={
                "reasons": list(attempt.reason_codes),
                "next_allowed_at": attempt.next_allowed_at,
                "attempt": attempt.pk,
            },
        )
    attempt = contact_attempt_outcome(actor=actor, attempt_id=attempt.pk, outcome=ENGINE_OUTCOMES[outcome])
    promise = None
    if amount is not None and promised is not None:
        promise = promise_record(
            actor=actor,
            contract_id=contract.pk,
            amount=amount,
            promised_date=promised,
            note=note[:300],
            on=timezone.localdate(at, zoneinfo.ZoneInfo(profile.timezone)),
        )
    call = CallLog.objects.create(
        customer=profile,
        contract=contract,
        attempt=attempt,
        at=at,
        outcome=outcome,
        note=note,
        promise=promise,
        made_by=actor,
        agency=agency,
    )
    audit_record(
        action=CasesAction.CALL_LOGGED,
        actor=actor,
        obj=call,
        subject_user_id=profile.user_id,
        data={
            "contract": contract.number,
            "outcome": outcome,
            "attempt": attempt.pk,
            "promise": promise.pk if promise else None,
            "agency": agency.pk if agency else None,
        },
    )
    return call, None
