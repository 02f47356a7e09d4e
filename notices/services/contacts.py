"""Calls, visits and agency actions made by staff: judged before they happen by the same
compliance engine as every automated notice, and their outcomes recorded after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile
from audit.services import audit_record
from contracts.models import Contract
from core.errors import ApplicationError

from ..codes import NoticesAction, NoticesError
from ..contact import ProposedDetails, contact_judge, engine_purpose
from ..models import ContactAttempt


@transaction.atomic
def contact_attempt_start(
    *,
    actor: Any,
    profile: CustomerProfile,
    contract: Contract | None,
    channel: str,
    endpoint: str,
    to: str = "debtor",
    third_party_id: str = "",
    by: str = "lender",
    staff_count: int | None = None,
    discloses_debt: bool = True,
    consent: bool = False,
    at: dt.datetime | None = None,
    third_party_purpose: str = "",
    third_party_exception: str = "",
    location_follow_up: bool = False,
    at_workplace: bool = False,
    work_email: bool = False,
    window_end: dt.time | None = None,
) -> ContactAttempt:
    """A call, visit or agency action about to happen, judged by the same engine as every
    automated notice. The attempt is recorded either way; a blocked one carries its reasons
    and the next allowed time, and must not go ahead.

    With a third party, ``third_party_purpose`` says why (location by default; CN also
    "relay_message"); the purpose is recorded so that a second location contact with the
    same person is recognised (12 CFR 1006.10(c)). ``window_end`` is the lender's own earlier
    end of the contact window for staff calls (``contact_judge``)."""
    at = at or timezone.now()
    proposed = ProposedDetails(
        channel=channel,
        at=at,
        purpose="collection",
        endpoint=endpoint,
        to=to,
        third_party_id=third_party_id,
        by=by,
        consent=consent,
        discloses_debt=discloses_debt,
        staff_count=staff_count,
        third_party_purpose=third_party_purpose,
        third_party_exception=third_party_exception,
        location_follow_up=location_follow_up,
        at_workplace=at_workplace,
        work_email=work_email,
    )
    verdict = contact_judge(profile=profile, contract=contract, proposed=proposed, window_end=window_end)
    attempt = ContactAttempt.objects.create(
        customer=profile,
        contract=contract,
        at=at,
        channel=channel,
        to=to,
        endpoint=endpoint[:120],
        third_party_id=third_party_id,
        by=by,
        purpose=str(engine_purpose(proposed)),
        consent=consent,
        staff_count=staff_count,
        verdict="allowed" if verdict.allowed else "blocked",
        reason_codes=list(verdict.reasons),
        next_allowed_at=verdict.next_allowed_at,
        made_by=actor,
    )
    audit_record(
        action=NoticesAction.CONTACT_ALLOWED if verdict.allowed else NoticesAction.CONTACT_BLOCKED,
        actor=actor,
        obj=attempt,
        subject_user_id=profile.user_id,
        data={
            "channel": channel,
            "to": to,
            "by": by,
            "reasons": list(verdict.reasons),
            "next_allowed_at": verdict.next_allowed_at,
        },
    )
    return attempt


@transaction.atomic
def contact_attempt_outcome(*, actor: Any, attempt_id: int, outcome: str) -> ContactAttempt:
    """What happened (no answer, conversation, …): it feeds the frequency and lost-contact rules."""
    attempt = ContactAttempt.objects.select_for_update().select_related("customer").get(pk=attempt_id)
    if attempt.verdict != "allowed":
        raise ApplicationError(
            code=NoticesError.CONTACT_WAS_BLOCKED, message=_("This contact was not allowed to take place.")
        )
    if attempt.outcome:
        raise ApplicationError(
            code=NoticesError.OUTCOME_ALREADY_RECORDED, message=_("The outcome is already recorded.")
        )
    attempt.outcome = outcome
    attempt.save(update_fields=["outcome"])
    audit_record(
        action=NoticesAction.CONTACT_OUTCOME,
        actor=actor,
        obj=attempt,
        subject_user_id=attempt.customer.user_id,
        data={"outcome": outcome},
    )
    return attempt
