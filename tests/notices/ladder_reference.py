"""The per-notice ladder as it was before the set-based one: the reference the set-based
ladder must equal (same rows, statuses, texts, reasons), and the baseline of its query count.

It reads each notice's inputs one by one (``notice_schedule``: ``active_template``,
``notice_context`` with ``contract_balance``, ``_write_notice`` with ``contact_judge``)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import ContactPreference
from contracts.models import (
    CollectionHold,
    Contract,
    ContractRiskScore,
    ContractStatus,
    Installment,
    PlanStatus,
    RepaymentPlan,
)
from contracts.services import service_notice_give
from core.errors import ApplicationError
from notices.models import EscalationLadder, Notice, NoticeStatus, Purpose
from notices.services import ladder_for, notice_schedule, queue_delivery, steps_due
from notices.services.ladder import _preferred_channels

logger = logging.getLogger(__name__)


def _collection_paused(contract: Contract) -> bool:
    return bool(getattr(contract, "open_holds", None)) or bool(getattr(contract, "active_plans", None))


@transaction.atomic
def ladder_evaluate_per_notice(
    *, business_date: dt.date, first_id: int, last_id: int, now: dt.datetime | None = None
) -> list[int]:
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
    planned = []
    for contract in contracts:
        ladder = ladder_for(contract, ladders)
        if ladder is None:
            continue
        open_dues = sorted({i.due_date for i in contract.open_installments})  # type: ignore[attr-defined]
        score = ContractRiskScore.objects.filter(contract=contract).values_list("band", flat=True).first()
        for firing in steps_due(contract, ladder.steps.all(), business_date, open_dues, score):
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
