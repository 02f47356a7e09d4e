"""Delivery: send one claimed outbox row through its channel, judged again by the
compliance engine at send time; transient channel errors retry with backoff, and every
outcome is recorded as a contact attempt and an audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContactChannel
from audit.services import audit_record
from contracts.models import ContractStatus
from contracts.services import hold_release

from ..channels import ChannelError, DeliveryResult
from ..codes import NoticesAction
from ..contact import contact_judge, is_collection
from ..models import CallTask, InAppMessage, Notice, NoticeStatus, Purpose
from .outbox import _claim, _proposal, _record_attempt

MAX_ATTEMPTS = 6


def _channel_for(channel: str, email_connection: Any) -> Any:
    if channel == ContactChannel.EMAIL:
        return EmailChannel(email_connection)
    if channel == ContactChannel.SMS:
        from ..channels.sms import SmsChannel

        return SmsChannel()
    return {
        ContactChannel.IN_APP: InAppChannel,
        ContactChannel.LETTER: LetterChannel,
        ContactChannel.CALL: CallTaskChannel,
    }[ContactChannel(channel)]()


def notice_deliver(notice_id: int, *, now: dt.datetime | None = None, email_connection: Any = None) -> str:
    """Send one notice if it is due and still lawful; returns the resulting status."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = _claim(notice_id, now)
        if notice is None:
            return "not_claimed"
        contract = notice.contract
        if (
            is_collection(notice.purpose)
            and contract is not None
            and (contract.status in (ContractStatus.CURRENT, ContractStatus.PAID_OFF))
        ):
            return _finish(notice, NoticeStatus.SKIPPED, now, reasons=["CONTRACT_CURED"])
        verdict = contact_judge(
            profile=notice.customer,
            contract=contract,
            proposed=_proposal(notice.purpose, notice.channel, notice.recipient, now),
        )
        if not verdict.allowed:
            _record_attempt(notice, verdict, now, error="")
            if verdict.next_allowed_at is not None:
                notice.next_attempt_at = verdict.next_allowed_at
                return _finish(notice, NoticeStatus.DEFERRED, now, reasons=list(verdict.reasons))
            return _finish(notice, NoticeStatus.DROPPED, now, reasons=list(verdict.reasons))
        notice.attempts += 1
        try:
            result = _channel_for(notice.channel, email_connection).send(notice)
        except ChannelError as exc:
            _record_attempt(notice, verdict, now, error=str(exc))
            notice.last_error = str(exc)[:2000]
            if exc.transient and notice.attempts < MAX_ATTEMPTS:
                notice.next_attempt_at = now + dt.timedelta(minutes=2**notice.attempts)
                return _finish(notice, NoticeStatus.PENDING, now, reasons=notice.reason_codes)
            return _finish(notice, NoticeStatus.FAILED, now, reasons=notice.reason_codes)
        _record_attempt(notice, verdict, now, error="", result=result)
        _release_hold_after_send(notice)
        notice.provider_message_id = result.provider_message_id
        notice.sent_at = now
        if result.status == "delivered":
            notice.delivered_at = now
        return _finish(
            notice, NoticeStatus.DELIVERED if result.status == "delivered" else NoticeStatus.SENT, now, reasons=[]
        )


def _release_hold_after_send(notice: Notice) -> None:
    """A resolution lifts its collection hold once it has actually been sent to the customer."""
    hold_id = str(notice.context.get("release_hold_id", "") or "")
    if hold_id.isdigit():
        hold_release(actor=None, hold_id=int(hold_id))


def _finish(notice: Notice, status: str, now: dt.datetime, *, reasons: list[str]) -> str:
    before = notice.status
    notice.status = status
    notice.reason_codes = reasons
    notice.queued_at = None
    notice.save(
        update_fields=[
            "status",
            "reason_codes",
            "next_attempt_at",
            "queued_at",
            "attempts",
            "last_error",
            "provider_message_id",
            "sent_at",
            "delivered_at",
            "document",
        ]
    )
    audit_record(
        action=NoticesAction(f"notice.{status}"),
        actor=None,
        obj=notice,
        subject_user_id=notice.customer.user_id,
        system="outbox",
        data={
            "from": before,
            "reasons": reasons,
            "attempts": notice.attempts,
            "provider_id": notice.provider_message_id,
        },
    )
    return status


def notices_deliver(notice_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, str]:
    """A batch: email goes over one reused SMTP connection."""
    results: dict[int, str] = {}
    connection = get_connection()
    try:
        connection.open()
        for notice_id in notice_ids:
            results[notice_id] = notice_deliver(notice_id, now=now, email_connection=connection)
    finally:
        connection.close()
    return results


# --- channels ------------------------------------------------------------------------------------
class EmailChannel:
    name = ContactChannel.EMAIL

    def __init__(self, connection: Any = None) -> None:
        self.connection = connection

    def send(self, notice: Notice) -> DeliveryResult:
        if not notice.recipient:
            raise ChannelError("no email address on file", transient=False)
        message = EmailMessage(
            subject=notice.subject or _("A message about your account"),
            body=notice.body,
            to=[notice.recipient],
            connection=self.connection,
            headers={"X-Fairdue-Notice": str(notice.pk)},
        )
        try:
            message.send()
        except OSError as exc:  # SMTP and socket errors: retry with backoff
            raise ChannelError(f"email: {exc}", transient=True) from exc
        return DeliveryResult(provider_message_id=message.extra_headers.get("Message-ID", f"email-{notice.pk}"))


class InAppChannel:
    name = ContactChannel.IN_APP

    def send(self, notice: Notice) -> DeliveryResult:
        message = InAppMessage.objects.create(
            customer_id=notice.customer_id,
            notice=notice,
            contract_id=notice.contract_id,
            subject=notice.subject or notice.get_purpose_display(),
            body=notice.body,
            is_banner=notice.purpose in (Purpose.OVERDUE_BANNER, Purpose.SUSPENSION_NOTICE),
        )
        return DeliveryResult(provider_message_id=f"inapp-{message.pk}", status="delivered")


class LetterChannel:
    name = ContactChannel.LETTER

    def send(self, notice: Notice) -> DeliveryResult:
        from ..pdf import render_document

        paragraphs = [p for p in notice.body.split("\n") if p.strip()]
        pdf = render_document(
            title=notice.subject or notice.get_purpose_display(),
            paragraphs=paragraphs,
            reference=f"N{notice.pk:08d}",
            issued_at=timezone.now(),
            footer=settings.SITE_URL,
        )
        notice.document.save(f"notice-{notice.pk}.pdf", ContentFile(pdf), save=False)
        return DeliveryResult(provider_message_id=f"letter-{notice.pk}", status="sent")


class CallTaskChannel:
    name = ContactChannel.CALL

    def send(self, notice: Notice) -> DeliveryResult:
        task, _created = CallTask.objects.get_or_create(
            notice=notice,
            defaults={
                "contract_id": notice.contract_id,
                "kind": notice.purpose,
                "due_at": timezone.now(),
                "note": notice.body,
            },
        )
        return DeliveryResult(provider_message_id=f"task-{task.pk}", status="delivered")
