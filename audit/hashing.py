"""Canonical form of an audit event, its RFC 9162 leaf hash and the keyed chain hash.

Shared by the sealer and the verifiers. The leaf hash is unkeyed (anyone holding an event and
an inclusion proof can check it against a signed checkpoint); the chain hash is keyed with
``AUDIT_CHAIN_KEY``, so rewriting the log and recomputing hashes needs a key that is not in
the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from . import merkle

GENESIS_CHAIN_HASH = "0" * 64


def normalise_data(data: dict[str, Any] | None) -> dict[str, Any]:
    """JSON round trip so the stored value is exactly what is hashed (Decimal → str)."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True))


def canonical_entry(
    *,
    seq: int,
    event_id: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    subject_user_id: int | None,
    data: dict[str, Any],
    request_id: str,
    ip_address: str | None,
) -> bytes:
    """The bytes a leaf of the Merkle tree stands for: sorted-key compact JSON, UTF-8."""
    payload = {
        "seq": seq,
        "event_id": event_id,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "subject_user_id": subject_user_id,
        "data": data,
        "request_id": request_id,
        "ip_address": ip_address,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_entry(event: Any, seq: int) -> bytes:
    return canonical_entry(
        seq=seq,
        event_id=event.pk,
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
    )


def leaf_hash_hex(entry: bytes) -> str:
    return merkle.leaf_hash(entry).hex()


def chain_hash(key: bytes, previous: str, leaf: str) -> str:
    """HMAC-SHA-256(key, previous chain hash || leaf hash), hex."""
    return hmac.new(key, bytes.fromhex(previous) + bytes.fromhex(leaf), hashlib.sha256).hexdigest()
