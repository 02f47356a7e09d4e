"""The single write path of the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from .context import get_context
from .hashing import event_hash, normalise_data
from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    # Any user model: the trail sits below the accounts app and names actors by id only.
    from django.contrib.auth.base_user import AbstractBaseUser as User


class AuditOutsideTransaction(RuntimeError):
    pass


def actor_label_for(actor: User | None, fallback: str) -> str:
    if actor is None:
        return fallback
    return f"user:{actor.pk}"


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
    """Append one event to the chain inside the caller's transaction.

    The event commits or rolls back with the change it describes. Writers serialise on
    the chain head row, so concurrent transactions never fork the chain.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit_record must run inside the caller's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    ctx = get_context()
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a flushed database (tests); the migration creates it otherwise
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    fields = {
        "seq": head.seq + 1,
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": actor_label_for(actor, system),
        "action": action,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id),
        "subject_user_id": subject_user_id,
        "data": normalise_data(data),
        "request_id": ctx.request_id,
        "ip_address": ctx.ip_address,
        "prev_hash": head.last_hash,
    }
    digest = event_hash(**fields)
    event = AuditEvent.objects.create(hash=digest, **fields)
    head.seq = event.seq
    head.last_hash = digest
    head.save(update_fields=["seq", "last_hash"])
    return event


def audit_record_atomic(**kwargs: Any) -> AuditEvent:
    """For framework hooks (login signals) that run outside any transaction."""
    with transaction.atomic():
        return audit_record(**kwargs)
