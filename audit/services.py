"""The write paths of the audit trail: writers append events, one sealer seals them.

``audit_record`` only INSERTs the event inside the caller's transaction: it shares no row
with any other writer, so no business transaction waits for another's audit. After commit it
nudges the sealer. ``audit_seal`` (one at a time: a PostgreSQL advisory lock) gives committed
events their positions in commit order, their RFC 9162 leaf hashes and keyed chain hashes,
and writes signed checkpoints to the database and to files outside it.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone

from core.bulk import copy_insert

from . import merkle
from .context import get_context
from .hashing import GENESIS_CHAIN_HASH, chain_hash, event_entry, leaf_hash_hex, normalise_data
from .keys import chain_key, checkpoint_dir, signing_key
from .models import AuditCheckpoint, AuditEvent, AuditSeal
from .selectors import events_awaiting_seal
from .verifier import checkpoint_body

if TYPE_CHECKING:
    # Any user model: the trail sits below the accounts app and names actors by id only.
    from django.contrib.auth.base_user import AbstractBaseUser as User

logger = logging.getLogger(__name__)

SEALER_LOCK_ID = 0x0FA1_D0E5  # pg advisory lock key of the one sealer
SEAL_KICK_KEY = "audit:seal-kick"


class AuditOutsideTransaction(RuntimeError):
    pass


def actor_label_for(actor: User | None, fallback: str) -> str:
    if actor is None:
        return fallback
    return f"user:{actor.pk}"


def _kick_sealer() -> None:
    """Queue a seal soon after commit; at most one queued per second, however many writers."""
    if not cache.add(SEAL_KICK_KEY, 1, timeout=1):
        return
    from .tasks import audit_seal_task

    audit_seal_task.apply_async(countdown=0)


def _kick_registered() -> bool:
    return any(getattr(item[1], "__name__", "") == _kick_sealer.__name__ for item in connection.run_on_commit)


def audit_event_build(
    *,
    action: str,
    actor: User | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int | None = None,
    subject_user_id: int | None = None,
    data: dict[str, Any] | None = None,
    system: str = "system",
) -> AuditEvent:
    """The unsaved event ``audit_record`` appends: the one place its fields are computed."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    ctx = get_context()
    if actor is None and system == "system" and ctx.system_label:
        system = ctx.system_label
    return AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label_for(actor, system),
        action=str(action),
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        subject_user_id=subject_user_id,
        data=normalise_data(data),
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
    )


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit events must be written inside the caller's transaction")


def _nudge_sealer_after_commit() -> None:
    if not _kick_registered():
        transaction.on_commit(_kick_sealer, robust=True)


def audit_record(
    *,
    action: str,
    actor: User | None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int | None = None,
    subject_user_id: int | None = None,
    data: dict[str, Any] | None = None,
    system: str = "system",
) -> AuditEvent:
    """Append one event inside the caller's transaction: it commits or rolls back with the
    change it describes. Its position and hashes come from the sealer after commit."""
    _require_transaction()
    event = audit_event_build(
        action=action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        subject_user_id=subject_user_id,
        data=data,
        system=system,
    )
    event.save(force_insert=True)
    _nudge_sealer_after_commit()
    return event


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many events built by ``audit_event_build`` in one COPY (PostgreSQL), inside the
    caller's transaction. The same rows ``audit_record`` would write one by one: the sealer
    later gives them positions in id order like any other committed events."""
    _require_transaction()
    if not events:
        return []
    created = copy_insert(AuditEvent, events)
    _nudge_sealer_after_commit()
    return created


def audit_record_atomic(**kwargs: Any) -> AuditEvent:
    """For framework hooks (login signals) that run outside any transaction."""
    with transaction.atomic():
        return audit_record(**kwargs)


# --- the sealer ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SealResult:
    sealed: int
    tree_size: int
    checkpoint: int | None  # tree size of a checkpoint written by this run


def _lock_sealer() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite serialises writers (IMMEDIATE transactions)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEALER_LOCK_ID])
        return bool(cursor.fetchone()[0])


def _frontier_after(checkpoint: AuditCheckpoint | None) -> merkle.Frontier:
    """The tree as of the last seal: the last checkpoint's frontier plus the seals since."""
    size = checkpoint.tree_size if checkpoint else 0
    frontier = merkle.Frontier(size, [bytes.fromhex(h) for h in (checkpoint.frontier if checkpoint else [])])
    for leaf in AuditSeal.objects.filter(seq__gt=size).order_by("seq").values_list("leaf_hash", flat=True).iterator():
        frontier.append(bytes.fromhex(leaf))
    return frontier


def _checkpoint_due(last: AuditCheckpoint | None, tree_size: int, now: dt.datetime, force: bool) -> bool:
    if tree_size == 0 or (last is not None and last.tree_size == tree_size):
        return False
    if force or last is None:
        return True
    every = int(getattr(settings, "AUDIT_CHECKPOINT_EVERY", 1000))
    seconds = int(getattr(settings, "AUDIT_CHECKPOINT_SECONDS", 60))
    return tree_size - last.tree_size >= every or (now - last.signed_at).total_seconds() >= seconds


def _write_checkpoint_file(checkpoint_id: int) -> None:
    checkpoint = AuditCheckpoint.objects.get(pk=checkpoint_id)
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{checkpoint.tree_size:012d}.txt"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(f"{checkpoint.body}signature={checkpoint.signature}\n", encoding="utf-8")
    os.replace(temporary, path)


def audit_seal(*, batch: int = 5000, full: bool = False, force_checkpoint: bool = False) -> SealResult:
    """Seal committed events in commit order; write a checkpoint when one is due.

    Looks at events after the last sealed one less a look-back window (a transaction that
    committed late keeps a lower id); ``full=True`` looks at every event (hourly, and for the
    first run over an existing trail).
    """
    with transaction.atomic():
        if not _lock_sealer():
            return SealResult(0, AuditSeal.objects.order_by("-seq").values_list("seq", flat=True).first() or 0, None)
        last_seal = AuditSeal.objects.order_by("-seq").first()
        seq = last_seal.seq if last_seal else 0
        previous = last_seal.chain_hash if last_seal else GENESIS_CHAIN_HASH
        events = list(events_awaiting_seal(last_seal=last_seal, full=full).order_by("pk")[:batch])
        now = timezone.now()
        key = chain_key()
        seals = []
        for event in events:
            seq += 1
            leaf = leaf_hash_hex(event_entry(event, seq))
            previous = chain_hash(key, previous, leaf)
            seals.append(AuditSeal(seq=seq, event_id=event.pk, leaf_hash=leaf, chain_hash=previous, sealed_at=now))
        AuditSeal.objects.bulk_create(seals, batch_size=1000)
        last_checkpoint = AuditCheckpoint.objects.order_by("-tree_size").first()
        written = None
        if _checkpoint_due(last_checkpoint, seq, now, force_checkpoint):
            frontier = _frontier_after(last_checkpoint)
            body = checkpoint_body(
                tree_size=frontier.size,
                root_hash=frontier.root().hex(),
                chain_hash=previous,
                signed_at=now.isoformat(timespec="microseconds"),
            )
            checkpoint = AuditCheckpoint.objects.create(
                tree_size=frontier.size,
                root_hash=frontier.root().hex(),
                chain_hash=previous,
                signed_at=now,
                frontier=[node.hex() for node in frontier.nodes],
                body=body,
                signature=base64.b64encode(signing_key().sign(body.encode())).decode(),
            )
            written = checkpoint.tree_size
            checkpoint_id = checkpoint.pk
            transaction.on_commit(lambda: _write_checkpoint_file(checkpoint_id))
    return SealResult(len(seals), seq, written)


def audit_seal_all(*, full: bool = False, force_checkpoint: bool = False, budget_seconds: float = 50.0) -> int:
    """Seal until nothing is left (or the time budget is spent); the last run may checkpoint."""
    started = timezone.now()
    total = 0
    while True:
        result = audit_seal(full=full, force_checkpoint=False)
        total += result.sealed
        if result.sealed == 0 or (timezone.now() - started).total_seconds() > budget_seconds:
            break
    if force_checkpoint:
        audit_seal(force_checkpoint=True)
    return total
