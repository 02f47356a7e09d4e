"""The escalation ladder: it decides notices inside the nightly sweep's transaction and
writes them to the outbox; Celery delivers them after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation

from accounts.models import ContactChannel, ContactPreference, CustomerProfile
from contracts.models import (
    CollectionHold,
    Contract,
    ContractStatus,
    Installment,
    PlanStatus,
    ProductKind,
    RepaymentPlan,
)
from contracts.services import delinquency_sweep_range, service_notice_give
from core.errors import ApplicationError

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
from .outbox import _write_notice, queue_delivery

logger = logging.getLogger(__name__)

CATCH_UP_DAYS = 7  # a step missed (sweep down, hold lifted) still fires within a week, never later


@dataclass(frozen=True)
class Firing:
    step: LadderStep
    key_part: str  # which episode or due date the step belongs to


def ladder_for(contract: Contract, ladders: dict[int | None, EscalationLadder]) -> EscalationLadder | None:
    return ladders.get(contract.product_id) or ladders.get(None)


def steps_due(
    contract: Contract, steps: Iterable[LadderStep], business_date: dt.date, open_dues: list[dt.date]
) -> list[Firing]:
    """Which ladder steps apply to the contract on the business date (pure)."""
    firings = []
    dpd = contract.days_past_due
    for step in steps:
        if not step.is_active:
            continue
        if step.onsite_service_only and contract.product.kind != ProductKind.SERVICE_SUBSCRIPTION:
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


def _collection_paused(contract: Contract) -> bool:
    return bool(getattr(contract, "open_holds", None)) or bool(getattr(contract, "active_plans", None))


@transaction.atomic
def ladder_evaluate(
    *, business_date: dt.date, first_id: int, last_id: int, now: dt.datetime | None = None
) -> list[int]:
    """Write the notices the ladder decides for contracts in the id range (idempotent).

    A step fires once per contract per delinquency episode (due-date steps once per
    installment); cured contracts stop; contracts on hold or on a plan skip collection steps.
    Returns the ids of notices ready to send now.
    """
    now = now or timezone.now()
    ladders = {lad.product_id: lad for lad in EscalationLadder.objects.prefetch_related("steps")}
    if not ladders:
        return []
    contracts: list[Contract] = list(
        Contract.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .exclude(status__in=[ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF])
        .select_related("customer", "product")
        .prefetch_related(
            Prefetch("holds", queryset=CollectionHold.objects.filter(released_on__isnull=True), to_attr="open_holds"),
            Prefetch("plans", queryset=RepaymentPlan.objects.filter(status=PlanStatus.ACTIVE), to_attr="active_plans"),
            Prefetch(
                "installments",
                queryset=Installment.objects.filter(superseded_on__isnull=True, settled_on__isnull=True),
                to_attr="open_installments",
            ),
        )
    )
    preferences = {
        p.profile_id: p for p in ContactPreference.objects.filter(profile_id__in={c.customer_id for c in contracts})
    }
    planned: list[tuple[Contract, LadderStep, str, str]] = []
    for contract in contracts:
        ladder = ladder_for(contract, ladders)
        if ladder is None:
            continue
        open_dues = sorted({i.due_date for i in contract.open_installments})  # type: ignore[attr-defined]
        for firing in steps_due(contract, ladder.steps.all(), business_date, open_dues):
            if firing.step.is_collection and _collection_paused(contract):
                continue
            channels = _preferred_channels(
                list(firing.step.channels), preferences.get(contract.customer_id), contract.customer
            )
            for channel in channels:
                key = f"c{contract.pk}:{firing.key_part}:{firing.step.code}:{channel}"
                planned.append((contract, firing.step, channel, key))
    existing = set(
        Notice.objects.filter(idempotency_key__in=[p[3] for p in planned]).values_list("idempotency_key", flat=True)
    )
    ready: list[int] = []
    for contract, step, channel, key in planned:
        if key in existing:
            continue
        if step.purpose == Purpose.SUSPENSION_NOTICE and contract.service_state in ("allowed", "restored"):
            try:
                service_notice_give(actor=None, contract_id=contract.pk, on=business_date)
                contract.refresh_from_db()
            except ApplicationError as exc:
                logger.info("suspension notice not given for %s: %s", contract.number, exc.code)
                continue
        notice = notice_schedule(
            contract=contract,
            step=step,
            purpose=step.purpose,
            channel=channel,
            key=key,
            business_date=business_date,
            now=now,
        )
        if notice is not None and notice.status == NoticeStatus.PENDING:
            ready.append(notice.pk)
    queue_delivery(ready, now=now)
    return ready


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


def sweep_and_notify_range(*, business_date: dt.date, first_id: int, last_id: int) -> list[int]:
    """The nightly unit of work: close the days, then decide notices, in one transaction."""
    with transaction.atomic():
        delinquency_sweep_range(business_date=business_date, first_id=first_id, last_id=last_id)
        return ladder_evaluate(business_date=business_date, first_id=first_id, last_id=last_id)
