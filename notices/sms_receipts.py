"""Delivery receipts from the SMS gateway: the writes behind the receipt callback.

The view in ``notices.channels.sms`` checks the signature and the timestamp; these services
store what the gateway told us and move the notice to its final status, each with its audit
event in the same transaction.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ContactChannel
from audit.services import audit_record

from .codes import NoticesAction
from .models import DeliveryReceipt, Notice, NoticeStatus

if TYPE_CHECKING:
    from accounts.models import User

AUDIT_SYSTEM = "sms_gateway"
MAX_ERROR_LENGTH = 500


class ReceiptStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered to the handset")
    FAILED = "failed", _("Delivery failed")


class ReceiptRejection(models.TextChoices):
    BAD_SIGNATURE = "bad_signature", _("Signature missing or wrong")
    STALE_TIMESTAMP = "stale_timestamp", _("Timestamp outside the accepted window")
    INVALID_PAYLOAD = "invalid_payload", _("Body is not a valid receipt")


# The notice statuses a receipt may move a notice out of. A "delivered" receipt wins over an
# earlier "failed" one (the handset got the message after all); once delivered, a later
# "failed" receipt is stored but changes nothing.
RECEIPT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReceiptStatus.DELIVERED: (NoticeStatus.SENT, NoticeStatus.FAILED),
    ReceiptStatus.FAILED: (NoticeStatus.SENT,),
}


def _failure_reason(payload: dict[str, Any]) -> str:
    for key in ("error", "error_message", "error_code"):
        value = payload.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return f"sms_receipt_failed: {str(value).strip()}"[:MAX_ERROR_LENGTH]
    return "sms_receipt_failed: the gateway reported that the message was not delivered"


@transaction.atomic
def sms_receipt_record(
    *, actor: User | None, provider_message_id: str, status: str, payload: dict[str, Any]
) -> tuple[DeliveryReceipt, bool]:
    """Store one signed delivery receipt and apply it to its SMS notice.

    A receipt is stored once per (provider message id, status): gateways repeat callbacks
    until they get a 2xx, so a repeat returns the stored row and ``False`` and changes
    nothing. A receipt for an unknown message id is stored (the send may not have been
    recorded yet) and audited, but moves no notice. Status changes follow
    ``RECEIPT_TRANSITIONS``.
    """
    if status not in RECEIPT_TRANSITIONS:
        raise ValueError(f"unknown receipt status {status!r}")
    notice = (
        Notice.objects.select_for_update()
        .select_related("customer")
        .filter(provider_message_id=provider_message_id, channel=ContactChannel.SMS)
        .order_by("pk")
        .first()
    )
    try:
        with transaction.atomic():
            receipt = DeliveryReceipt.objects.create(
                provider_message_id=provider_message_id, status=status, payload=payload
            )
    except IntegrityError:
        return DeliveryReceipt.objects.get(provider_message_id=provider_message_id, status=status), False

    previous_status = notice.status if notice is not None else None
    applied = False
    if notice is not None and notice.status in RECEIPT_TRANSITIONS[status]:
        applied = True
        if status == ReceiptStatus.DELIVERED:
            notice.status = NoticeStatus.DELIVERED
            notice.delivered_at = timezone.now()
            notice.save(update_fields=["status", "delivered_at"])
        else:
            notice.status = NoticeStatus.FAILED
            notice.last_error = _failure_reason(payload)
            notice.save(update_fields=["status", "last_error"])

    audit_record(
        action=NoticesAction.SMS_RECEIPT_RECORDED,
        actor=actor,
        obj=notice if notice is not None else receipt,
        subject_user_id=notice.customer.user_id if notice is not None else None,
        data={
            "receipt_id": receipt.pk,
            "provider_message_id": provider_message_id,
            "receipt_status": status,
            "notice_status_before": previous_status,
            "notice_status_after": notice.status if notice is not None else None,
            "applied": applied,
        },
        system=AUDIT_SYSTEM,
    )
    return receipt, True


@transaction.atomic
def sms_receipt_reject(*, actor: User | None, reason: str, raw_body: bytes, detail: str = "") -> None:
    """Audit a receipt callback that was refused (nothing else is written).

    Only a digest of the body is kept: an unsigned body is untrusted input.
    """
    audit_record(
        action=NoticesAction.SMS_RECEIPT_REJECTED,
        actor=actor,
        object_type="notices.deliveryreceipt",
        data={
            "reason": ReceiptRejection(reason).value,
            "detail": detail[:200],
            "body_sha256": hashlib.sha256(raw_body).hexdigest(),
            "body_length": len(raw_body),
        },
        system=AUDIT_SYSTEM,
    )
