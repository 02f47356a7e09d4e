"""Reads of the audit trail, including chain verification."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .hashing import event_hash
from .models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    event_id: int | None
    problem: str

    def describe(self) -> str:
        where = f"event seq={self.seq} id={self.event_id}" if self.seq is not None else "chain head"
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in seq order; report the first event that does not link or hash."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(
                checked,
                ChainBreak(event.seq, event.pk, f"expected seq {expected_seq}: events missing or reordered"),
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                checked,
                ChainBreak(event.seq, event.pk, "prev_hash does not match the previous event (deleted or reordered)"),
            )
        recomputed = event_hash(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            subject_user_id=event.subject_user_id,
            data=event.data,
            request_id=event.request_id,
            ip_address=event.ip_address,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainReport(checked, ChainBreak(event.seq, event.pk, "content does not match its hash (edited)"))
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.last_hash) if head is not None else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(
            checked,
            ChainBreak(None, None, f"head records seq {head_seq} but the chain ends at {checked} (events removed)"),
        )
    return ChainReport(checked, None)


def audit_events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")


def audit_events_for_customer(*, subject_user_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(subject_user_id=subject_user_id).order_by("-seq")
