"""Reads of the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditCheckpoint, AuditEvent, AuditSeal
from .verification import LogBreak, LogReport, audit_log_verify

__all__ = [
    "LogBreak",
    "LogReport",
    "SealStatus",
    "audit_events_for_customer",
    "audit_events_for_object",
    "audit_log_verify",
    "audit_seal_status",
]


@dataclass(frozen=True)
class SealStatus:
    """How far the sealer is behind: shown on the staff dashboard."""

    sealed: int
    unsealed: int
    lag: dt.timedelta  # age of the oldest event waiting for its seal (zero when none waits)
    last_checkpoint_size: int | None
    last_checkpoint_at: dt.datetime | None


def audit_seal_status() -> SealStatus:
    last_seal = AuditSeal.objects.order_by("-seq").values_list("seq", flat=True).first()
    waiting = AuditEvent.objects.filter(seal__isnull=True)
    oldest = waiting.order_by("pk").values_list("occurred_at", flat=True).first()
    checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
    return SealStatus(
        sealed=last_seal or 0,
        unsealed=waiting.count(),
        lag=(timezone.now() - oldest) if oldest else dt.timedelta(0),
        last_checkpoint_size=checkpoint.tree_size if checkpoint else None,
        last_checkpoint_at=checkpoint.signed_at if checkpoint else None,
    )


def audit_events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("pk")


def audit_events_for_customer(*, subject_user_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(subject_user_id=subject_user_id).order_by("-pk")
