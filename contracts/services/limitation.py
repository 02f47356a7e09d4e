"""Limitation of actions (12 CFR 1006.26(b)): the dated table of periods, a contract's governing
law and the manual time-barred flag, and the guard every legal-route service calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ApplicationError, ConflictError

from ..codes import ContractsAction, ContractsError
from ..limitation import Limitation
from ..models import Contract, DebtType, LimitationPeriod, UsState
from ._common import _lock

PERIOD_FIELDS = (
    "jurisdiction",
    "debt_type",
    "years",
    "revived_by_payment",
    "citation",
    "effective_from",
    "effective_to",
    "note",
)


def legal_action_check(*, contract: Contract, on_date: dt.date, limitation: Limitation | None = None) -> None:
    """Refuse any legal step (a suit, a referral to lawyers or an agency for suit, a letter
    announcing one) on a time-barred debt: a debt collector must not bring or threaten to bring
    a legal action against a consumer to collect a time-barred debt (12 CFR 1006.26(b)). Every
    legal-route service calls this first; ``limitation`` may be passed when it was loaded in
    bulk (the nightly ladder), otherwise it is read for the contract."""
    if limitation is None:
        from ..selectors import contract_limitation

        limitation = contract_limitation(contract=contract, on_date=on_date)
    if not limitation.is_time_barred:
        return
    if limitation.time_barred_on is not None and not limitation.flagged:
        message = _(
            "Contract %(number)s is time-barred since %(date)s (%(citation)s): no legal action may be brought "
            "or threatened."
        ) % {
            "number": contract.number,
            "date": date_format(limitation.time_barred_on, "Y-m-d"),
            "citation": limitation.period.citation if limitation.period else "",
        }
    else:
        message = _("Contract %(number)s is marked as time-barred: no legal action may be brought or threatened.") % {
            "number": contract.number
        }
    raise ConflictError(
        code=ContractsError.TIME_BARRED_LEGAL_ACTION,
        message=message,
        extra={"contract": contract.number, "time_barred_on": limitation.time_barred_on},
    )


def governing_law_clean(governing_state: str | None, debt_type: str) -> tuple[str | None, str]:
    """A valid (state or None, debt type) pair, or a coded error naming the field."""
    state = (governing_state or "").strip().upper() or None
    if state is not None and state not in UsState.values:
        raise ApplicationError(
            code=ContractsError.INVALID_CHOICE,
            message=_("Unknown US state: %(value)s.") % {"value": governing_state},
            field="governing_state",
        )
    if debt_type not in DebtType.values:
        raise ApplicationError(
            code=ContractsError.INVALID_CHOICE,
            message=_("Unknown debt type: %(value)s.") % {"value": debt_type},
            field="limitation_debt_type",
        )
    return state, debt_type


@transaction.atomic
def contract_governing_law_set(
    *, actor: User | None, contract_id: int, governing_state: str | None, debt_type: str = DebtType.WRITTEN_CONTRACT
) -> Contract:
    """Record the US state whose law governs the contract (None: Chinese law) and the kind of
    debt its limitation period is stated for."""
    state, debt_type = governing_law_clean(governing_state, debt_type)
    contract = _lock(contract_id)
    before = {"governing_state": contract.governing_state, "debt_type": contract.limitation_debt_type}
    contract.governing_state = state
    contract.limitation_debt_type = debt_type
    contract.save(update_fields=["governing_state", "limitation_debt_type"])
    audit_record(
        action=ContractsAction.GOVERNING_LAW_SET,
        actor=actor,
        obj=contract,
        subject_user_id=contract.customer.user_id,
        data={"before": before, "after": {"governing_state": state, "debt_type": debt_type}},
    )
    return contract


@transaction.atomic
def contract_time_barred_flag_set(*, actor: User | None, contract_id: int, flagged: bool, reason: str) -> Contract:
    """Mark (or unmark) a debt as possibly time-barred: the only way a debt whose limitation
    period is unknown counts as time-barred. Marking needs a reason."""
    reason = reason.strip()
    if flagged and not reason:
        raise ApplicationError(
            code=ContractsError.TIME_BARRED_REASON_REQUIRED,
            message=_("Say why the debt is treated as time-barred."),
            field="reason",
        )
    contract = _lock(contract_id)
    before = {"flagged": contract.time_barred_flag, "reason": contract.time_barred_flag_reason}
    contract.time_barred_flag = flagged
    contract.time_barred_flag_reason = reason[:300]
    contract.save(update_fields=["time_barred_flag", "time_barred_flag_reason"])
    audit_record(
        action=ContractsAction.TIME_BARRED_FLAG_SET,
        actor=actor,
        obj=contract,
        subject_user_id=contract.customer.user_id,
        data={"before": before, "after": {"flagged": flagged, "reason": contract.time_barred_flag_reason}},
    )
    return contract


def _period_values(period: LimitationPeriod) -> dict[str, Any]:
    return {name: getattr(period, name) for name in PERIOD_FIELDS}


def limitation_period_check(period: LimitationPeriod, *, lock: bool = False) -> None:
    """Raise the coded error a row of the limitation table would be refused with (reads only).
    Refused: a period outside 1–30 years, an end before the start, or dates overlapping another
    row of the same jurisdiction and debt type (which period applied on a day has one answer)."""
    if not 1 <= int(period.years or 0) <= 30:
        raise ApplicationError(
            code=ContractsError.LIMITATION_PERIOD_YEARS,
            message=_("A limitation period is between 1 and 30 years."),
            field="years",
        )
    if period.effective_from and period.effective_to and period.effective_to < period.effective_from:
        raise ApplicationError(
            code=ContractsError.LIMITATION_PERIOD_DATES,
            message=_("The end date is before the start date."),
            field="effective_to",
        )
    others = LimitationPeriod.objects.filter(jurisdiction=period.jurisdiction, debt_type=period.debt_type)
    if lock:
        others = others.select_for_update()
    if period.pk:
        others = others.exclude(pk=period.pk)
    # Two ranges overlap unless one ends before the other starts (an open end runs on for ever).
    if period.effective_to is not None:
        others = others.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=period.effective_to))
    if period.effective_from is not None:
        others = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=period.effective_from))
    overlapping = others.order_by("pk").first()
    if overlapping is not None:
        raise ApplicationError(
            code=ContractsError.LIMITATION_PERIOD_OVERLAP,
            message=_(
                "These dates overlap the period already entered for %(jurisdiction)s: %(years)s years (%(citation)s)."
            )
            % {"jurisdiction": period.jurisdiction, "years": overlapping.years, "citation": overlapping.citation},
            field="effective_from",
        )


@transaction.atomic
def limitation_period_save(*, actor: User | None, period: LimitationPeriod) -> LimitationPeriod:
    """Add or change a row of the limitation table (compliance, in the admin); see
    ``limitation_period_check`` for what is refused. Audited with the values before and after."""
    limitation_period_check(period, lock=True)
    before = None
    if period.pk:
        previous = LimitationPeriod.objects.select_for_update().filter(pk=period.pk).first()
        before = _period_values(previous) if previous else None
    period.updated_by = actor
    period.save()
    audit_record(
        action=ContractsAction.LIMITATION_PERIOD_SAVED,
        actor=actor,
        obj=period,
        data={"before": before, "after": _period_values(period)},
    )
    return period
