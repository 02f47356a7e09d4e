"""The escalation ladder: it decides notices inside the nightly sweep's transaction and
writes them to the outbox; Celery delivers them after commit.

``ladder_range_write`` decides a whole id range in a fixed number of queries (inputs loaded
in bulk, verdicts from the pure engine in memory, rows inserted in bulk); ``notice_schedule``
writes one notice through the per-notice path (``contact_judge`` reading the database)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import ContactChannel, ContactPreference, CustomerProfile
from contracts.models import Contract, ContractStatus, ProductKind
from contracts.services import service_notice_give
from core.errors import ApplicationError

from ..ladder_inputs import CATCH_UP_DAYS, RangeInputs, ladders_load, range_inputs_load
from ..models import (
    ELECTRONIC_CHANNELS,
    Anchor,
    EscalationLadder,
    LadderStep,
    Notice,
    NoticeStatus,
    Purpose,
)
from ..selectors import active_template, notice_context
from .outbox import PreparedNotice, _write_notice, delivery_enqueue, notice_prepare, notices_write

logger = logging.getLogger(__name__)

SERVICE_FIELDS = ["service_state", "service_notice_date", "service_effective_date", "service_suspended_since"]


@dataclass(frozen=True)
class Firing:
    step: LadderStep
    key_part: str  # which episode or due date the step belongs to


def ladder_for(contract: Contract, ladders: dict[int | None, EscalationLadder]) -> EscalationLadder | None:
    return ladders.get(contract.product_id) or ladders.get(None)


def steps_due(
    contract: Contract,
    steps: Iterable[LadderStep],
    business_date: dt.date,
    open_dues: list[dt.date],
    risk_band: str | None = None,
) -> list[Firing]:
    """Which ladder steps apply to the contract on the business date (pure). ``risk_band``:
    the contract's latest early-warning band (a risk-gated step needs it)."""
    firings = []
    dpd = contract.days_past_due
    for step in steps:
        if not step.is_active:
            continue
        if step.onsite_service_only and contract.product.kind != ProductKind.SERVICE_SUBSCRIPTION:
            continue
        if not step.fires_for_risk(risk_band, dpd):
            continue
        if step.anchor == Anchor.DUE_DATE:
            for due in open_dues:
                if due + dt.timedelta(days=step.offset_days) == business_date:
                    firings.append(Firing(step, f"due{due.isoformat()}"))
        elif contract.status == ContractStatus.DELINQUENT and contract.delinquency_episode:
            measured = dpd if step.anchor == Anchor.DAYS_PAST_DUE else dpd - contract.grace_days
            if step.offset_days <= measured < step.offset_days + CATCH_UP_DAYS:
                firings.append(Firing(step, f"e{contract.delinquency_episode}"))
    return firings


def _preferred_channels(
    channels: list[str], preference: ContactPreference | None, profile: CustomerProfile
) -> list[str]:
    """Honour the preferred electronic channel: a step that uses one of SMS or email uses the
    one the customer prefers (if we have that address); steps using both keep both."""
    electronic = [c for c in channels if c in ELECTRONIC_CHANNELS]
    if preference is None or len(electronic) != 1 or preference.preferred_channel not in ELECTRONIC_CHANNELS:
        return channels
    preferred = preference.preferred_channel
    if not (profile.email if preferred == ContactChannel.EMAIL else profile.phone):
        return channels
    return [preferred if c in ELECTRONIC_CHANNELS else c for c in channels]


@dataclass(frozen=True)
class Planned:
    contract: Contract
    step: LadderStep
    channel: str
    key: str


def _plan(inputs: RangeInputs, ladders: dict[int | None, EscalationLadder]) -> list[Planned]:
    planned: list[Planned] = []
    for contract in inputs.contracts:
        ladder = ladder_for(contract, ladders)
        if ladder is None:
            continue
        band = inputs.risk_bands.get(contract.pk)
        for firing in steps_due(contract, ladder.steps.all(), inputs.business_date, inputs.open_dues(contract), band):
            if firing.step.is_collection and inputs.collection_paused(contract):
                continue
            preference = inputs.preferences.get(contract.customer_id)
            for channel in _preferred_channels(list(firing.step.channels), preference, contract.customer):
                key = f"c{contract.pk}:{firing.key_part}:{firing.step.code}:{channel}"
                planned.append(Planned(contract, firing.step, channel, key))
    return planned


def _suspension_notices_give(planned: list[Planned], business_date: dt.date) -> list[Planned]:
    """Give the formal suspension notice (rare: the service, per contract) before its notices
    are written; a contract the clause does not allow yet gets none of them."""
    refused: set[int] = set()
    kept: list[Planned] = []
    for item in planned:
        contract = item.contract
        if item.step.purpose == Purpose.SUSPENSION_NOTICE:
            if contract.pk in refused:
                continue
            if contract.service_state in ("allowed", "restored"):
                try:
                    service_notice_give(actor=None, contract_id=contract.pk, on=business_date)
                except ApplicationError as exc:
                    logger.info("suspension notice not given for %s: %s", contract.number, exc.code)
                    refused.add(contract.pk)
                    continue
                contract.refresh_from_db(fields=SERVICE_FIELDS)
        kept.append(item)
    return kept


def ladder_evaluate(
    *, business_date: dt.date, first_id: int, last_id: int, now: dt.datetime | None = None
) -> list[int]:
    """Write the notices the ladder decides for contracts in the id range (idempotent); returns
    the ids of the notices ready to send now (see ``ladder_range_write``)."""
    return ladder_range_write(business_date=business_date, first_id=first_id, last_id=last_id, now=now)[0]


@transaction.atomic
def ladder_range_write(
    *, business_date: dt.date, first_id: int, last_id: int, now: dt.datetime | None = None
) -> tuple[list[int], int]:
    """Write the notices the ladder decides for contracts in the id range (idempotent).

    A step fires once per contract per delinquency episode (due-date steps once per
    installment); cured contracts stop; contracts on hold or on a plan skip collection steps.
    Returns the ids of notices ready to send now (queued for delivery after commit) and the
    number of notices written.

    Set-based: a fixed number of queries whatever the number of contracts and notices. The
    candidates and their inputs are loaded in bulk (``notices.ladder_inputs``), each proposed
    contact is judged in memory by the pure compliance engine over the same inputs
    ``contact_judge`` reads one by one, and the rows ``_write_notice`` would write (the
    notice, a blocked attempt for a dropped one, one ``notice.scheduled`` audit event per
    notice) are inserted with one INSERT per table and batch. Re-runs are no-ops: the
    idempotency keys already written are skipped, and the candidates are locked, so a second
    run of the same range waits for the first and then finds its notices. Only the formal
    suspension notice (rare) calls its service per contract.
    """
    now = now or timezone.now()
    ladders = ladders_load()
    if not ladders:
        return [], 0
    inputs = range_inputs_load(
        ladders=ladders, business_date=business_date, first_id=first_id, last_id=last_id, now=now
    )
    planned = _plan(inputs, ladders)
    if not planned:
        return [], 0
    existing = set(
        Notice.objects.filter(idempotency_key__in=[p.key for p in planned]).values_list("idempotency_key", flat=True)
    )
    planned = _suspension_notices_give([p for p in planned if p.key not in existing], business_date)
    prepared: list[PreparedNotice] = []
    for item in planned:
        contract = item.contract
        template = inputs.template(item.step.purpose, item.channel, contract.customer)
        if template is None:
            logger.warning("no template for %s/%s", item.step.purpose, item.channel)
            continue
        with translation.override(template.locale):
            context = notice_context(contract, business_date, item.channel, balance=inputs.balance(contract))
        prepared.append(
            notice_prepare(
                profile=contract.customer,
                contract=contract,
                step=item.step,
                purpose=item.step.purpose,
                channel=item.channel,
                key=item.key,
                template=template,
                context=context,
                now=now,
                system="ladder",
                judge=partial(inputs.judge, contract, item.step.purpose),
                limitation=inputs.limitation(contract),
            )
        )
    notices = notices_write(prepared, now=now)
    ready = [n.pk for n in notices if n.status == NoticeStatus.PENDING]
    delivery_enqueue(ready)
    return ready, len(notices)


def notice_schedule(
    *,
    contract: Contract,
    step: LadderStep | None,
    purpose: str,
    channel: str,
    key: str,
    business_date: dt.date,
    now: dt.datetime,
    extra_context: dict[str, Any] | None = None,
) -> Notice | None:
    """A ladder notice about a contract, with its amounts as of the business date."""
    template = active_template(purpose, channel, contract.customer.language or settings.LANGUAGE_CODE)
    if template is None:
        logger.warning("no template for %s/%s", purpose, channel)
        return None
    with translation.override(template.locale):
        context = {**notice_context(contract, business_date, channel), **(extra_context or {})}
    return _write_notice(
        profile=contract.customer,
        contract=contract,
        step=step,
        purpose=purpose,
        channel=channel,
        key=key,
        template=template,
        context=context,
        now=now,
        system="ladder",
    )
