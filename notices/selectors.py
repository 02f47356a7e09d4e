"""Reads of notices for staff (outbox, a notice's record, the mail viewer) and customers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import CustomerProfile
from core.errors import NotFoundError

from .models import ContactAttempt, InAppMessage, Notice, NoticeStatus


def outbox_for_staff(*, status: str = "", channel: str = "", reason: str = "") -> QuerySet[Notice]:
    qs = Notice.objects.select_related("customer", "contract", "step").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if reason:
        qs = qs.filter(reason_codes__icontains=reason)
    return qs


def notice_get_for_staff(*, pk: int) -> tuple[Notice, QuerySet[ContactAttempt]]:
    notice = Notice.objects.select_related("customer", "contract", "template", "step").filter(pk=pk).first()
    if notice is None:
        raise NotFoundError(code="notice_not_found", message="Notice not found.")
    return notice, ContactAttempt.objects.filter(notice=notice).order_by("at", "id")


def customer_messages(*, profile: CustomerProfile) -> QuerySet[Notice]:
    """Everything actually sent to the customer on any channel."""
    return (
        Notice.objects.filter(customer=profile, status__in=[NoticeStatus.SENT, NoticeStatus.DELIVERED])
        .select_related("contract")
        .order_by("-sent_at", "-id")
    )


def customer_banners(*, profile: CustomerProfile) -> QuerySet[InAppMessage]:
    return InAppMessage.objects.filter(customer=profile, is_banner=True, dismissed_at__isnull=True).select_related(
        "contract"
    )


def customer_notice_get(*, profile: CustomerProfile, pk: int) -> Notice:
    notice = customer_messages(profile=profile).filter(pk=pk).first()
    if notice is None:
        raise NotFoundError(code="notice_not_found", message="Notice not found.")
    return notice


@dataclass(frozen=True)
class MailItem:
    kind: str  # email | sms
    name: str
    to: str
    subject: str
    body: str
    modified: float


def mail_viewer_items(*, limit: int = 200) -> list[MailItem]:
    """The embedded default's file-based email and SMS, newest first."""
    items: list[MailItem] = []
    mail_dir = Path(getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if mail_dir.is_dir():
        for path in mail_dir.glob("*.log"):
            raw = path.read_bytes()
            for chunk in raw.split(b"-" * 79):
                chunk = chunk.strip()
                if not chunk:
                    continue
                message = message_from_bytes(chunk, policy=policy.default)
                body = message.get_body(preferencelist=("plain",))
                items.append(
                    MailItem(
                        "email",
                        path.name,
                        str(message.get("To", "")),
                        str(message.get("Subject", "")),
                        body.get_content() if body is not None else "",
                        path.stat().st_mtime,
                    )
                )
    sms_dir = Path(settings.VAR_DIR) / "sms"
    if sms_dir.is_dir():
        for path in sms_dir.rglob("*.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            items.append(
                MailItem("sms", path.name, str(data.get("to", "")), "", str(data.get("body", "")), path.stat().st_mtime)
            )
    items.sort(key=lambda item: item.modified, reverse=True)
    return items[:limit]
