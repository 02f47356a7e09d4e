"""The one answer to "what may this staff member do on this account now": the case page shows
each action with its state, and every service checks the same rule again when it runs. Actions
that contact the customer ask the compliance engine; the others their own precondition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContactChannel, User
from accounts.roles import PLACE_WITH_AGENCY, WORK_ACCOUNTS
from contracts.models import Contract, ContractStatus
from contracts.selectors import contract_limitation, plan_request_refusal
from notices.contact import ProposedDetails, contact_judge

from .models import AgencyPlacement, PlacementStatus
from .reasons import blocked_message

WORKABLE = (ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF)


@dataclass(frozen=True)
class ActionState:
    name: str  # call | plan | waiver | hold | visit | legal | place
    allowed: bool
    reason: str = ""
    reasons: list[str] = field(default_factory=list)
    next_allowed_at: dt.datetime | None = None


def _blocked(name: str, reason: str) -> ActionState:
    return ActionState(name=name, allowed=False, reason=reason)


def account_actions_for(
    *,
    user: User,
    contract: Contract,
    by: str = "lender",
    has_open_plan: bool = False,
    on_hold: bool = False,
    placement: AgencyPlacement | None = None,
    now: dt.datetime | None = None,
) -> list[ActionState]:
    now = now or timezone.now()
    profile = contract.customer
    if not user.has_perm(WORK_ACCOUNTS):
        return []
    overdue = contract.status in WORKABLE
    not_overdue = _("This account is not overdue.")
    states: list[ActionState] = []

    call = contact_judge(
        profile=profile,
        contract=contract,
        proposed=ProposedDetails(
            channel=ContactChannel.CALL, at=now, purpose="collection", endpoint=profile.phone, by=by
        ),
        window_end=staff_call_window_end(),
    )
    if not overdue:
        states.append(_blocked("call", not_overdue))
    elif call.allowed:
        states.append(ActionState(name="call", allowed=True))
    else:
        states.append(
            ActionState(
                name="call",
                allowed=False,
                reason=blocked_message(call.reasons, call.next_allowed_at, profile.timezone),
                reasons=list(call.reasons),
                next_allowed_at=call.next_allowed_at,
            )
        )

    refusal = plan_request_refusal(contract=contract, has_open_plan=has_open_plan)
    states.append(ActionState(name="plan", allowed=refusal is None, reason=str(refusal.message) if refusal else ""))
    states.append(ActionState(name="waiver", allowed=overdue, reason="" if overdue else not_overdue))
    states.append(ActionState(name="hold", allowed=True))

    if contract.status != ContractStatus.DELINQUENT:
        states.append(_blocked("visit", _("A field visit is only for a contract in arrears.")))
    else:
        visit = contact_judge(
            profile=profile,
            contract=contract,
            proposed=ProposedDetails(
                channel=ContactChannel.VISIT,
                at=now,
                purpose="collection",
                endpoint=profile.postal_address,
                staff_count=2,
                by=by,
            ),
        )
        states.append(
            ActionState(
                name="visit",
                allowed=True,
                # A visit is requested for a later time; the engine's view of now is a hint.
                reason="" if visit.allowed else blocked_message(visit.reasons, visit.next_allowed_at, profile.timezone),
                reasons=list(visit.reasons),
                next_allowed_at=visit.next_allowed_at,
            )
        )

    limitation = contract_limitation(contract=contract, on_date=timezone.localdate(now))
    if not overdue:
        states.append(_blocked("legal", not_overdue))
    elif limitation.is_time_barred:
        states.append(_blocked("legal", _("The debt is time-barred: no legal action may be brought or threatened.")))
    elif on_hold:
        states.append(_blocked("legal", _("Collection is on hold.")))
    else:
        states.append(ActionState(name="legal", allowed=True))

    if user.has_perm(PLACE_WITH_AGENCY):
        if placement is not None and placement.status == PlacementStatus.ACTIVE:
            states.append(_blocked("place", _("Placed with %(agency)s.") % {"agency": placement.agency.name}))
        elif not overdue:
            states.append(_blocked("place", not_overdue))
        elif on_hold:
            states.append(_blocked("place", _("Collection is on hold.")))
        else:
            states.append(ActionState(name="place", allowed=True))
    return states


def staff_call_window_end() -> dt.time:
    """``STAFF_CALL_WINDOW_END`` as a time: the lender's own end of the day for staff calls."""
    from django.conf import settings

    hours, minutes = (int(part) for part in str(settings.STAFF_CALL_WINDOW_END).split(":"))
    return dt.time(hours, minutes)
