"""Reads of the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
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
    "events_awaiting_seal",
]


@dataclass(frozen=True)
class SealStatus:
    """How far the sealer is behind: shown on the staff dashboard."""

    sealed: int
    unsealed: int
    lag: dt.timedelta  # age of the oldest event waiting for its seal (zero when none waits)
    last_checkpoint_size: int | None
    last_checkpoint_at: dt.datetime | None


def events_awaiting_seal(*, last_seal: AuditSeal | None, full: bool = False) -> QuerySet[AuditEvent]:
    """Committed events without a seal. Looks only after the last sealed event less a look-back
    window of ids (a transaction that committed late keeps a lower id), so neither the sealer
    nor the dashboard scans the whole log; ``full=True`` looks at every event."""
    lookback = int(getattr(settings, "AUDIT_SEAL_LOOKBACK_IDS", 100_000))
    floor = 0 if full or last_seal is None else max(0, last_seal.event_id - lookback)
    return AuditEvent.objects.filter(pk__gt=floor, seal__isnull=True)


def audit_seal_status() -> SealStatus:
    last_seal = AuditSeal.objects.order_by("-seq").first()
    waiting = events_awaiting_seal(last_seal=last_seal)
    oldest = waiting.order_by("pk").values_list("occurred_at", flat=True).first()
    checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
    return SealStatus(
        sealed=last_seal.seq if last_seal else 0,
        unsealed=waiting.count(),
        lag=(timezone.now() - oldest) if oldest else dt.timedelta(0),
        last_checkpoint_size=checkpoint.tree_size if checkpoint else None,
        last_checkpoint_at=checkpoint.signed_at if checkpoint else None,
    )


def audit_events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("pk")


def audit_events_for_customer(*, subject_user_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(subject_user_id=subject_user_id).order_by("-pk")
