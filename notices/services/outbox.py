"""The outbox: writing a notice row with its text and verdict, queueing rows for delivery
after commit, claiming a row to send it, and the relay that re-queues lost rows.

Nothing is lost: a relay re-queues rows whose task vanished and rows whose worker died
mid-send (see ``delivery`` for the at-least-once guarantee and the stable message ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from accounts.models import ContactChannel, CustomerProfile
from audit.models import AuditEvent
from audit.services import audit_event_build, audit_record_many
from contracts.limitation import Limitation
from contracts.models import Contract
from contracts.services import legal_action_check
from core.bulk import copy_insert
from core.errors import ConflictError

from ..channels import DeliveryResult
from ..codes import NoticesAction
from ..compliance import ReasonCode, Verdict
from ..contact import ProposedDetails, contact_judge, is_collection
from ..models import (
    ELECTRONIC_CHANNELS,
    LEGAL_ROUTE_PURPOSES,
    OPEN_NOTICE_STATUSES,
    ContactAttempt,
    LadderStep,
    Notice,
    NoticeStatus,
    NoticeTemplate,
)


def render_notice(template: NoticeTemplate, context: dict[str, Any]) -> tuple[str, str]:
    from ..templating import render_template

    return render_template(template, context)


def recipient_for(profile: CustomerProfile, channel: str) -> str:
    if channel in (ContactChannel.SMS, ContactChannel.CALL):
        return profile.phone
    if channel == ContactChannel.EMAIL:
        return profile.email
    if channel == ContactChannel.LETTER:
        return profile.postal_address
    return profile.customer_number


@dataclass
class PreparedNotice:
    """An outbox row not yet written, with the verdict it was given."""

    notice: Notice
    verdict: Verdict
    system: str

    @property
    def dropped(self) -> bool:
        return self.notice.status == NoticeStatus.DROPPED

    def audit_event(self) -> AuditEvent:
        notice = self.notice
        return audit_event_build(
            action=NoticesAction.NOTICE_SCHEDULED,
            actor=None,
            obj=notice,
            subject_user_id=notice.customer.user_id,
            system=self.system,
            data={
                "key": notice.idempotency_key,
                "status": notice.status,
                "reasons": list(self.verdict.reasons),
                "next_attempt_at": notice.next_attempt_at,
            },
        )


def notice_prepare(
    *,
    profile: CustomerProfile,
    contract: Contract | None,
    step: LadderStep | None,
    purpose: str,
    channel: str,
    key: str,
    template: NoticeTemplate,
    context: dict[str, Any],
    now: dt.datetime,
    system: str,
    judge: Callable[[ProposedDetails], Verdict] | None = None,
    limitation: Limitation | None = None,
) -> PreparedNotice:
    """One outbox row with its exact text and the compliance verdict at scheduling time:
    pending (send now), deferred (to the next allowed time) or dropped (a permanent rule).

    ``judge`` gives the verdict on the proposed contact; by default ``contact_judge`` reads
    the customer's state from the database (the nightly ladder passes one over state it
    loaded in bulk, judged by the same pure engine). A step of the legal route (the referral
    review) passes ``legal_action_check`` first (``limitation`` when loaded in bulk): on a
    time-barred debt it is dropped with ``TIME_BARRED_SUIT_THREAT``."""
    with translation.override(template.locale):
        subject, body = render_notice(template, context)
    recipient = recipient_for(profile, channel)
    proposed = _proposal(purpose, channel, recipient, now, legal_action=template.is_legal_action)
    verdict = (judge or (lambda details: contact_judge(profile=profile, contract=contract, proposed=details)))(proposed)
    if purpose in LEGAL_ROUTE_PURPOSES and contract is not None:
        verdict = _legal_route_verdict(verdict, contract, timezone.localdate(now), limitation)
    if verdict.allowed:
        status, next_at = NoticeStatus.PENDING, now
    elif verdict.next_allowed_at is not None:
        status, next_at = NoticeStatus.DEFERRED, verdict.next_allowed_at
    else:
        status, next_at = NoticeStatus.DROPPED, now
    notice = Notice(
        idempotency_key=key,
        customer=profile,
        contract=contract,
        step=step,
        purpose=purpose,
        channel=channel,
        locale=template.locale,
        template=template,
        recipient=recipient,
        subject=subject,
        body=body,
        context={k: str(v) for k, v in context.items()},
        status=status,
        reason_codes=list(verdict.reasons),
        scheduled_for=now,
        next_attempt_at=next_at,
    )
    return PreparedNotice(notice, verdict, system)


def _write_notice(
    *,
    profile: CustomerProfile,
    contract: Contract | None,
    step: LadderStep | None,
    purpose: str,
    channel: str,
    key: str,
    template: NoticeTemplate,
    context: dict[str, Any],
    now: dt.datetime,
    system: str,
) -> Notice:
    """Write one outbox row (``notice_prepare``), its blocked attempt if dropped, and its audit event."""
    prepared = notice_prepare(
        profile=profile,
        contract=contract,
        step=step,
        purpose=purpose,
        channel=channel,
        key=key,
        template=template,
        context=context,
        now=now,
        system=system,
    )
    notice = prepared.notice
    notice.save(force_insert=True)
    if prepared.dropped:
        _record_attempt(notice, prepared.verdict, now, error="")
    audit_record_many([prepared.audit_event()])
    return notice


def notices_write(prepared: list[PreparedNotice], *, now: dt.datetime) -> list[Notice]:
    """Write many prepared rows at once: the notices, the blocked attempts of dropped ones and
    one audit event per notice (the same rows ``_write_notice`` writes one by one), one COPY
    per table on PostgreSQL (``core.bulk.copy_insert``). Pending rows are marked queued;
    queue them with ``delivery_enqueue``."""
    if not prepared:
        return []
    for item in prepared:
        if item.notice.status == NoticeStatus.PENDING:
            item.notice.queued_at = now
    notices = copy_insert(Notice, [item.notice for item in prepared])
    attempts = [_attempt(item.notice, item.verdict, now, error="") for item in prepared if item.dropped]
    copy_insert(ContactAttempt, attempts)
    audit_record_many([item.audit_event() for item in prepared])
    return notices


def _legal_route_verdict(
    verdict: Verdict, contract: Contract, on_date: dt.date, limitation: Limitation | None
) -> Verdict:
    """The engine's verdict, blocked for good when the legal route refuses the contract."""
    try:
        legal_action_check(contract=contract, on_date=on_date, limitation=limitation)
    except ConflictError:
        order = {code.value: index for index, code in enumerate(ReasonCode)}
        reasons = sorted({*map(str, verdict.reasons), ReasonCode.TIME_BARRED_SUIT_THREAT.value}, key=order.__getitem__)
        return Verdict(allowed=False, reasons=reasons, next_allowed_at=None)
    return verdict


def _proposal(
    purpose: str, channel: str, endpoint: str, at: dt.datetime, *, legal_action: bool = False
) -> ProposedDetails:
    return ProposedDetails(
        channel=channel,
        at=at,
        purpose=purpose,
        endpoint=endpoint,
        discloses_debt=True,
        opt_out_notice=channel in ELECTRONIC_CHANNELS,  # every electronic template carries {{ opt_out }}
        legal_action=legal_action,
    )


def _record_attempt(
    notice: Notice, verdict: Any, at: dt.datetime, *, error: str, result: DeliveryResult | None = None
) -> ContactAttempt:
    attempt = _attempt(notice, verdict, at, error=error, result=result)
    attempt.save(force_insert=True)
    return attempt


def _attempt(
    notice: Notice, verdict: Any, at: dt.datetime, *, error: str, result: DeliveryResult | None = None
) -> ContactAttempt:
    return ContactAttempt(
        customer_id=notice.customer_id,
        contract_id=notice.contract_id,
        notice=notice,
        at=at,
        channel=notice.channel,
        endpoint=notice.recipient[:120],
        purpose="collection" if is_collection(notice.purpose) else notice.purpose,
        outcome="delivered" if result is not None else "",
        verdict="allowed" if verdict.allowed else "blocked",
        reason_codes=list(verdict.reasons),
        next_allowed_at=verdict.next_allowed_at,
        provider_status=result.status if result else "",
        provider_message_id=result.provider_message_id if result else "",
        error=error,
    )


def queue_delivery(notice_ids: list[int], *, now: dt.datetime | None = None) -> None:
    """Queue delivery after commit (never for rows that might roll back)."""
    if not notice_ids:
        return
    Notice.objects.filter(pk__in=notice_ids).update(queued_at=now or timezone.now())
    delivery_enqueue(notice_ids)


def delivery_batches(notice_ids: list[int]) -> list[list[int]]:
    """Small batches (``DELIVERY_BATCH_SIZE``), one task each, so every worker takes a share."""
    size = max(1, settings.DELIVERY_BATCH_SIZE)
    return [notice_ids[i : i + size] for i in range(0, len(notice_ids), size)]


def delivery_enqueue(notice_ids: list[int]) -> None:
    """Hand rows already marked queued to the workers after commit, in small batches. A broker
    that is down at that moment must not fail the commit (``robust``): the relay re-queues
    rows whose task never arrived."""
    if not notice_ids:
        return
    batches = delivery_batches(list(notice_ids))

    def _send() -> None:
        from ..tasks import deliver_notices

        for batch in batches:
            deliver_notices.delay(batch)

    transaction.on_commit(_send, robust=True)


def outbox_relay(*, now: dt.datetime | None = None, limit: int = 5000) -> list[int]:
    """Re-queue due rows whose task was lost (broker down, worker killed) or never queued, and
    rows ``sending`` whose worker's lease ran out (it died mid-batch). Runs every few seconds
    (beat ``outbox-relay``); a row waits at most ``DELIVERY_REQUEUE_AFTER_SECONDS`` in a lost task."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.DELIVERY_REQUEUE_AFTER_SECONDS)
    not_queued_lately = Q(queued_at__isnull=True) | Q(queued_at__lt=stale)
    due = Q(status__in=OPEN_NOTICE_STATUSES, next_attempt_at__lte=now) | Q(
        status=NoticeStatus.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        ids = list(
            Notice.objects.filter(due & not_queued_lately)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        queue_delivery(ids, now=now)
    return ids
