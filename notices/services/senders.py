"""The channels the outbox sends through (the SMS channel lives in ``notices.channels.sms``).

Email carries the notice's stable ``Message-ID`` (the same on a resend) and goes over the
batch's SMTP connection; a connection that drops mid-batch is opened again and the message
tried once more on it. In-app messages, call tasks and letters are our own rows and files,
made inside the outbox's recording transaction.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ContactChannel

from ..channels import ChannelError, DeliveryResult
from ..models import CallTask, InAppMessage, Notice, Purpose

logger = logging.getLogger(__name__)

# The server answered (a refused recipient, a full mailbox): the connection is fine.
_ANSWERED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class EmailChannel:
    name = ContactChannel.EMAIL

    def __init__(self, connection: Any = None) -> None:
        self.connection = connection

    def send(self, notice: Notice) -> DeliveryResult:
        if not notice.recipient:
            raise ChannelError("no email address on file", transient=False)
        message_id = notice.email_message_id
        message = EmailMessage(
            subject=notice.subject or _("A message about your account"),
            body=notice.body,
            to=[notice.recipient],
            connection=self.connection,
            headers={"Message-ID": message_id, "X-Fairdue-Notice": str(notice.pk)},
        )
        document = _us_document(notice, sending_now=True)
        if document is not None:
            message.attach(*document)
        try:
            try:
                message.send()
            except _ANSWERED as exc:
                if getattr(exc, "smtp_code", None) != 421:  # 421: the server is closing the connection
                    raise
                self._reconnect_and_send(message, exc)
            except OSError as exc:
                self._reconnect_and_send(message, exc)
        except OSError as exc:  # SMTP and socket errors: retried later with backoff
            raise ChannelError(f"email: {exc}", transient=True) from exc
        return DeliveryResult(provider_message_id=message_id)

    def _reconnect_and_send(self, message: EmailMessage, lost: OSError) -> None:
        """The batch's connection dropped: once more, on a fresh one."""
        if self.connection is None:
            raise lost
        logger.warning("SMTP connection lost (%s); reconnecting", lost)
        with contextlib.suppress(OSError):
            self.connection.close()
        self.connection.open()
        message.send()


class InAppChannel:
    name = ContactChannel.IN_APP

    def send(self, notice: Notice) -> DeliveryResult:
        message, _created = InAppMessage.objects.get_or_create(
            notice=notice,
            defaults={
                "customer_id": notice.customer_id,
                "contract_id": notice.contract_id,
                "subject": notice.subject or notice.get_purpose_display(),
                "body": notice.body,
                "is_banner": notice.purpose in (Purpose.OVERDUE_BANNER, Purpose.SUSPENSION_NOTICE),
            },
        )
        return DeliveryResult(provider_message_id=f"inapp-{message.pk}", status="delivered")


class LetterChannel:
    name = ContactChannel.LETTER

    def send(self, notice: Notice) -> DeliveryResult:
        from ..pdf import render_document

        document = _us_document(notice)
        if document is not None:
            notice.document.save(document[0], ContentFile(document[1]), save=False)
            return DeliveryResult(provider_message_id=f"letter-{notice.pk}", status="sent")
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


def _us_document(notice: Notice, *, sending_now: bool = False) -> tuple[str, bytes, str] | None:
    """The PDF of a US validation notice (form B-1) or verification letter (in the notice's
    language); None for other notices. A letter is made after the send was recorded (its dates
    are stored); an email attachment states the dates of a notice sent now."""
    from ..models import ValidationNotice
    from ..pdf import render_document
    from ..validation_pdf import render_validation_pdf
    from ..validation_texts import notice_content
    from .validation import validation_dates_on_send

    if notice.purpose == Purpose.VALIDATION_NOTICE:
        record = ValidationNotice.objects.filter(notice=notice).first()
        if record is None:
            return None
        if sending_now and record.sent_at is None:
            record.assumed_received_on, record.validation_period_end = validation_dates_on_send(
                record, timezone.localdate()
            )
        pdf = render_validation_pdf(
            notice_content(record), reference=record.reference, issued_at=timezone.now(), footer=settings.SITE_URL
        )
        return f"validation-notice-{record.reference}.pdf", pdf, "application/pdf"
    if notice.purpose == Purpose.VERIFICATION:
        pdf = render_document(
            title=notice.subject,
            paragraphs=[p for p in notice.body.split("\n") if p.strip()],
            reference=f"N{notice.pk:08d}",
            issued_at=timezone.now(),
            footer=settings.SITE_URL,
            language=notice.locale if notice.locale in ("en", "es") else "en",
        )
        return f"verification-{notice.pk}.pdf", pdf, "application/pdf"
    return None
