"""How a webhook delivery is signed, and how a receiver verifies it (docs/API.md).

Headers of every delivery::

    Fairdue-Event: payment.posted
    Fairdue-Delivery: <event id, a UUID; the same on every retry of this event>
    Fairdue-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The receiver recomputes the HMAC over the timestamp, a full stop and the raw request body
bytes with the endpoint's secret, compares it in constant time, and refuses a timestamp more
than five minutes away from its clock (a replayed capture).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

SIGNATURE_HEADER = "Fairdue-Signature"
TOLERANCE_SECONDS = 300


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """The receiver's check (kept here so the tests and the docs agree)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
