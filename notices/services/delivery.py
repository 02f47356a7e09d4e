"""Delivery in three steps: claim, send, record.

1. **Claim** a batch of due rows in one short transaction (``SKIP LOCKED`` on PostgreSQL):
   they become ``sending`` with a lease (``lease_until``, ``claimed_by``) and the transaction
   commits at once.
2. **Send** outside any transaction: the compliance engine judges every notice again over
   state loaded for the whole batch (``notices.delivery_inputs``), and each allowed message
   goes out through its channel with its stable identity (the SMTP ``Message-ID`` and the SMS
   gateway's ``client_ref`` derive from the idempotency key). Email reuses one SMTP connection
   per batch, opened again once if it drops.
3. **Record** the outcomes in short transactions, a few messages at a time: the contact
   attempt, the status and the audit event of each, and the lease of the rest renewed.

A worker that dies between 2 and 3 leaves its rows ``sending``; when the lease runs out the
relay queues them again and they are sent again with the same identity: at-least-once, and at
most the in-flight batch of a crashed worker twice. Transient failures are rescheduled with
backoff (``next_attempt_at``); nothing sleeps inside a transaction. In-app messages, call tasks
and letters are rows and files of our own: they are written in the recording transaction, so
they happen exactly once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ContactChannel
from audit.services import audit_event_build, audit_record_many
from contracts.models import ContractStatus
from contracts.services import hold_release
from core.bulk import copy_insert

from ..channels import ChannelError, DeliveryResult
from ..codes import NoticesAction
from ..compliance import Verdict
from ..contact import is_collection
from ..delivery_inputs import BatchInputs, batch_inputs_load, notice_is_legal_action
from ..models import OPEN_NOTICE_STATUSES, ContactAttempt, Notice, NoticeStatus, Purpose
from .outbox import _attempt, _proposal
from .senders import CallTaskChannel, EmailChannel, InAppChannel, LetterChannel
from .validation import validation_notice_mark_sent

MAX_ATTEMPTS = 6
CURED = (ContractStatus.CURRENT, ContractStatus.PAID_OFF)
LOCAL_CHANNELS = (ContactChannel.IN_APP, ContactChannel.CALL, ContactChannel.LETTER)
SAVED_FIELDS = [
    "status",
    "reason_codes",
    "next_attempt_at",
    "queued_at",
    "lease_until",
    "claimed_by",
    "attempts",
    "last_error",
    "provider_message_id",
    "sent_at",
    "delivered_at",
    "document",
]


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def notices_claim(notice_ids: Iterable[int], *, now: dt.datetime) -> tuple[str, list[Notice]]:
    """Claim the due rows among ``notice_ids`` (and up to a batch of rows whose worker's lease
    ran out) for this worker and commit: ``(claim, rows)``.

    The conditional update is the claim (a row another worker holds is skipped, or on SQLite
    no longer matches once that worker commits); ``claim`` names this worker and this batch."""
    claim = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"[:100]
    due = Q(status__in=OPEN_NOTICE_STATUSES, next_attempt_at__lte=now) | Q(
        status=NoticeStatus.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        locked = (
            Notice.objects.filter(pk__in=list(notice_ids))
            .filter(due)
            .select_for_update(skip_locked=db_connection.vendor == "postgresql")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ids = list(locked)
        # Rows a dead worker left behind (lease run out) come along with the next batch of
        # any live worker, without waiting for their re-queued task behind the backlog.
        ids += list(
            Notice.objects.filter(status=NoticeStatus.SENDING, lease_until__lt=now)
            .exclude(pk__in=ids)
            .select_for_update(skip_locked=db_connection.vendor == "postgresql")
            .order_by("lease_until", "pk")
            .values_list("pk", flat=True)[: settings.DELIVERY_BATCH_SIZE]
        )
        if not ids:
            return claim, []
        Notice.objects.filter(pk__in=ids).filter(due).update(
            status=NoticeStatus.SENDING, lease_until=now + _lease(), claimed_by=claim, queued_at=None
        )
    rows = list(
        Notice.objects.filter(claimed_by=claim).select_related("customer", "contract", "template").order_by("pk")
    )
    return claim, rows


@dataclass
class Outcome:
    """What happened to one claimed notice, waiting to be recorded."""

    notice: Notice
    status: str
    reasons: list[str] = field(default_factory=list)
    verdict: Verdict | None = None  # an attempt row is written when set
    result: DeliveryResult | None = None
    error: str = ""
    local: bool = False  # an in-app message, call task or letter: made when recorded
    sent: bool = False  # a message left us (it may be a resend after a crash)


def _judge_and_send(notice: Notice, inputs: BatchInputs, at: dt.datetime, email_connection: Any) -> Outcome:
    contract = notice.contract
    if is_collection(notice.purpose) and contract is not None and contract.status in CURED:
        return Outcome(notice, NoticeStatus.SKIPPED, ["CONTRACT_CURED"])
    proposed = _proposal(
        notice.purpose, notice.channel, notice.recipient, at, legal_action=notice_is_legal_action(notice)
    )
    verdict = inputs.judge(notice, proposed)
    if not verdict.allowed:
        if verdict.next_allowed_at is not None:
            notice.next_attempt_at = verdict.next_allowed_at
            return Outcome(notice, NoticeStatus.DEFERRED, list(verdict.reasons), verdict)
        return Outcome(notice, NoticeStatus.DROPPED, list(verdict.reasons), verdict)
    if notice.channel in LOCAL_CHANNELS:
        return Outcome(notice, "", [], verdict, local=True)
    if notice.channel == ContactChannel.SMS:
        from ..channels.sms import sms_number_wait

        wait = sms_number_wait(notice.recipient)
        if wait > 0:  # this number had a message a moment ago: later, not an attempt
            notice.next_attempt_at = at + dt.timedelta(seconds=wait)
            return Outcome(notice, NoticeStatus.PENDING, ["SMS_NUMBER_RATE"])
    notice.attempts += 1
    try:
        result = _channel_for(notice.channel, email_connection).send(notice)
    except ChannelError as exc:
        notice.last_error = str(exc)[:2000]
        if exc.transient and notice.attempts < MAX_ATTEMPTS:
            backoff = dt.timedelta(minutes=2**notice.attempts)
            if exc.retry_after is not None:
                backoff = dt.timedelta(seconds=exc.retry_after)
            notice.next_attempt_at = at + backoff
            return Outcome(notice, NoticeStatus.PENDING, notice.reason_codes, verdict, error=str(exc))
        return Outcome(notice, NoticeStatus.FAILED, notice.reason_codes, verdict, error=str(exc))
    inputs.remember(_attempt(notice, verdict, at, error="", result=result), contract.number if contract else None)
    return _sent(notice, verdict, result, at)


def _sent(notice: Notice, verdict: Verdict, result: DeliveryResult, at: dt.datetime) -> Outcome:
    notice.provider_message_id = result.provider_message_id[:100]
    notice.sent_at = at
    if result.status == "delivered":
        notice.delivered_at = at
    status = NoticeStatus.DELIVERED if result.status == "delivered" else NoticeStatus.SENT
    return Outcome(notice, status, [], verdict, result=result, sent=True)


def _channel_for(channel: str, email_connection: Any) -> Any:
    if channel == ContactChannel.EMAIL:
        return EmailChannel(email_connection)
    if channel == ContactChannel.SMS:
        from ..channels.sms import SmsChannel

        return SmsChannel(paced=True)
    return {
        ContactChannel.IN_APP: InAppChannel,
        ContactChannel.LETTER: LetterChannel,
        ContactChannel.CALL: CallTaskChannel,
    }[ContactChannel(channel)]()


def outcomes_record(claim: str, outcomes: list[Outcome], *, at: dt.datetime, renew: list[int]) -> None:
    """One short transaction: attempts, statuses and audit events of ``outcomes``; the rows
    still to be sent in the batch (``renew``) keep their lease. A row this worker no longer
    holds (its lease ran out and another worker took it) keeps the other worker's state; a
    message that did leave is still recorded as an attempt and audited."""
    with transaction.atomic():
        held = set(
            Notice.objects.select_for_update()
            .filter(pk__in=[o.notice.pk for o in outcomes], status=NoticeStatus.SENDING, claimed_by=claim)
            .values_list("pk", flat=True)
        )
        attempts: list[ContactAttempt] = []
        events = []
        changed: list[Notice] = []
        for outcome in outcomes:
            notice = outcome.notice
            mine = notice.pk in held
            if outcome.local:
                if not mine:
                    continue
                if notice.purpose == Purpose.VALIDATION_NOTICE:
                    # The validation period runs from this send; the letter states its dates.
                    validation_notice_mark_sent(notice=notice, at=at)
                _send_local(outcome, at)
            elif not mine and not outcome.sent:
                continue
            if outcome.verdict is not None:
                attempts.append(_attempt(notice, outcome.verdict, at, error=outcome.error, result=outcome.result))
            before = notice.status if not mine else NoticeStatus.SENDING
            if mine:
                notice.status = outcome.status
                notice.reason_codes = outcome.reasons
                notice.lease_until = None
                notice.claimed_by = ""
                changed.append(notice)
                if outcome.status in (NoticeStatus.SENT, NoticeStatus.DELIVERED):
                    _release_hold_after_send(notice)
                    if notice.purpose == Purpose.VALIDATION_NOTICE:
                        validation_notice_mark_sent(notice=notice, at=at)
            events.append(_audit_event(notice, outcome, before=before, lease_lost=not mine))
        _save_rows(changed)
        copy_insert(ContactAttempt, attempts)
        audit_record_many(events)
        if renew:
            Notice.objects.filter(pk__in=renew, status=NoticeStatus.SENDING, claimed_by=claim).update(
                lease_until=at + _lease()
            )


def _save_rows(notices: list[Notice]) -> None:
    """One ``UPDATE`` per row, sent together (``executemany``; a pipeline on PostgreSQL):
    ``bulk_update``'s CASE expressions cost more to build than the rows cost to write."""
    if not notices:
        return
    fields = [Notice._meta.get_field(name) for name in SAVED_FIELDS]
    quote = db_connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(Notice._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608  # nosec B608 - names from the model
    rows = [
        [f.get_db_prep_save(getattr(n, f.attname), db_connection) for f in fields] + [n.pk]  # type: ignore[union-attr]
        for n in notices
    ]
    with db_connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _send_local(outcome: Outcome, at: dt.datetime) -> None:
    notice = outcome.notice
    notice.attempts += 1
    result = _channel_for(notice.channel, None).send(notice)
    assert outcome.verdict is not None
    done = _sent(notice, outcome.verdict, result, at)
    outcome.status, outcome.result, outcome.sent = done.status, done.result, True


def _audit_event(notice: Notice, outcome: Outcome, *, before: str, lease_lost: bool) -> Any:
    data: dict[str, Any] = {
        "from": before,
        "reasons": outcome.reasons,
        "attempts": notice.attempts,
        "provider_id": notice.provider_message_id,
        "message_ref": notice.message_ref,
    }
    if lease_lost:
        data["lease_lost"] = True  # sent after this worker's claim ran out: another may send it too
    return audit_event_build(
        action=NoticesAction(f"notice.{outcome.status}"),
        actor=None,
        obj=notice,
        subject_user_id=notice.customer.user_id,
        system="outbox",
        data=data,
    )


def _release_hold_after_send(notice: Notice) -> None:
    """A resolution lifts its collection hold once it has actually been sent to the customer."""
    hold_id = str(notice.context.get("release_hold_id", "") or "")
    if hold_id.isdigit():
        hold_release(actor=None, hold_id=int(hold_id))


def notices_deliver(
    notice_ids: Iterable[int],
    *,
    now: dt.datetime | None = None,
    after_send: Callable[[Outcome], None] | None = None,
) -> dict[int, str]:
    """Claim, send and record a batch; the status each notice ended in (``not_claimed`` for
    rows that were not due or that another worker holds). ``now`` fixes the clock (tests)."""
    ids = list(notice_ids)
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    results: dict[int, str] = dict.fromkeys(ids, "not_claimed")
    claim, notices = notices_claim(ids, now=clock())
    if not notices:
        return results
    inputs = batch_inputs_load(notices, now=clock())
    record_every = max(1, settings.DELIVERY_RECORD_EVERY)
    email = get_connection() if any(n.channel == ContactChannel.EMAIL for n in notices) else None
    pending: list[Outcome] = []
    try:
        if email is not None:
            with contextlib.suppress(OSError):  # unreachable: each message fails and is retried
                email.open()  # one connection for the batch
        for index, notice in enumerate(notices):
            outcome = _judge_and_send(notice, inputs, clock(), email)
            if after_send is not None:
                after_send(outcome)
            pending.append(outcome)
            if len(pending) >= record_every:
                outcomes_record(claim, pending, at=clock(), renew=[n.pk for n in notices[index + 1 :]])
                results.update({o.notice.pk: o.status for o in pending})
                pending = []
        if pending:
            outcomes_record(claim, pending, at=clock(), renew=[])
            results.update({o.notice.pk: o.status for o in pending})
    finally:
        if email is not None:
            email.close()
    return results


def notice_deliver(notice_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one notice if it is due and still lawful; returns the resulting status."""
    return notices_deliver([notice_id], now=now)[notice_id]


def pace(seconds: float) -> None:
    """Wait outside any transaction (rate limits), never inside one."""
    assert not transaction.get_connection().in_atomic_block, "no sleeping inside a transaction"
    time.sleep(seconds)
