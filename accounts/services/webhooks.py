"""Outbound webhooks: the outbox written with the event, delivery, retries, dead letters, replay.

``webhook_events_emit`` runs inside the business transaction that causes the events (a payment
posted, a contract cured, a dispute opened …): it writes one ``WebhookDelivery`` row per
subscribed endpoint, so an event exists exactly when its cause committed. After commit the rows
are queued to Celery; ``webhooks_relay`` (beat) re-queues due rows whose task was lost.

Delivery (``webhook_deliver``) claims a row with a lease in a short transaction, sends outside
any transaction, and records the outcome: a 2xx answer marks it delivered (never sent again,
however many tasks were queued for it), anything else schedules a retry with exponential backoff
(``WEBHOOK_RETRY_BASE_SECONDS`` × 2^(attempt − 1), at most six hours) until
``WEBHOOK_MAX_ATTEMPTS``, then it is dead-lettered. An administrator can replay a dead (or a
delivered) row from the admin. Delivery is at least once: a receiver deduplicates by the
``Fairdue-Delivery`` header (the event id, the same on every try).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record

from ..codes import AccountsAction
from ..models import User
from ..models_api import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from ..webhook_signing import SIGNATURE_HEADER, body_bytes, sign
from ..webhook_targets import resolved_address_refusal

EVENT_NAMESPACE = uuid.UUID("5b0c7a52-8a0e-4c55-9d55-3b8a52f3f0d1")
MAX_BACKOFF_SECONDS = 6 * 3600


@dataclass(frozen=True)
class WebhookEvent:
    """``key`` names the occurrence (e.g. the payment id), so the same event emitted twice
    (a replayed ledger, a retried transaction) gets the same id and one delivery per endpoint."""

    type: str
    key: str
    data: dict[str, Any]

    @property
    def event_id(self) -> uuid.UUID:
        return uuid.uuid5(EVENT_NAMESPACE, f"{self.type}:{self.key}")


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Amounts as strings, dates as ISO text: the JSON a receiver gets."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def webhook_events_emit(events: Sequence[WebhookEvent]) -> int:
    """Write the outbox rows of ``events`` in the caller's transaction; rows written."""
    if not events:
        return 0
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True, client__is_active=True).only("id", "events"))
    if not endpoints:
        return 0
    now = timezone.now()
    rows = []
    for event in events:
        payload = {
            "id": str(event.event_id),
            "type": event.type,
            "created_at": now.isoformat(),
            "data": _plain(event.data),
        }
        for endpoint in endpoints:
            if event.type in (endpoint.events or []):
                rows.append(
                    WebhookDelivery(
                        endpoint_id=endpoint.pk,
                        event_id=event.event_id,
                        event_type=event.type,
                        payload=payload,
                        next_attempt_at=now,
                    )
                )
    if not rows:
        return 0
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    event_ids = sorted({row.event_id for row in rows})
    transaction.on_commit(lambda: _queue_events(event_ids), robust=True)
    return len(rows)


def _queue_events(event_ids: list[uuid.UUID]) -> None:
    ids = WebhookDelivery.objects.filter(event_id__in=event_ids, status=DeliveryStatus.PENDING).values_list(
        "id", flat=True
    )
    for delivery_id in ids:
        _queue(delivery_id)


def _queue(delivery_id: int) -> None:
    from ..tasks import webhook_deliver_task

    webhook_deliver_task.delay(delivery_id)


def webhook_deliveries_due(*, limit: int = 500) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def webhooks_relay() -> list[int]:
    """Beat: queue every due row (retries whose time came, rows whose task was lost)."""
    ids = webhook_deliveries_due()
    for delivery_id in ids:
        _queue(delivery_id)
    return ids


def retry_delay(attempts: int) -> dt.timedelta:
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


@transaction.atomic
def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    rows = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    delivery = rows.select_related("endpoint").first()
    if delivery is None:
        return None
    delivery.lease_until = now + dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 30)
    delivery.attempts += 1
    delivery.save(update_fields=["lease_until", "attempts"])
    return delivery


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    target = urlsplit(delivery.endpoint.url)
    refusal = resolved_address_refusal(target.hostname or "", target.port or (443 if target.scheme == "https" else 80))
    if refusal:
        return None, refusal  # retried (the name may be fixed), then dead-lettered; nothing sent
    body = body_bytes(delivery.payload)
    # Only http(s) URLs are ever registered (webhook_endpoint_create checks the scheme), and the
    # host was just checked to resolve to public addresses (accounts.webhook_targets).
    request = urllib.request.Request(  # noqa: S310
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Fairdue-Webhooks/1",
            "Fairdue-Event": delivery.event_type,
            "Fairdue-Delivery": str(delivery.event_id),
            SIGNATURE_HEADER: sign(delivery.endpoint.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


def webhook_deliver(*, delivery_id: int) -> str:
    """Try one delivery once; returns delivered | retry | dead | skipped (not due or taken)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    status_code, error = _send(delivery)
    return _record(delivery.pk, delivery.attempts, status_code, error)


@transaction.atomic
def _record(delivery_id: int, attempts: int, status_code: int | None, error: str) -> str:
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint__client").get(pk=delivery_id)
    if delivery.status != DeliveryStatus.PENDING or delivery.attempts != attempts:
        return "skipped"  # replayed or taken over meanwhile: the newer holder records
    now = timezone.now()
    delivery.last_status_code, delivery.last_error, delivery.lease_until = status_code, error, None
    data = {
        "client": delivery.endpoint.client.name,
        "event": delivery.event_type,
        "event_id": str(delivery.event_id),
        "attempts": attempts,
        "status_code": status_code,
    }
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, outcome = DeliveryStatus.DELIVERED, now, "delivered"
        audit_record(action=AccountsAction.WEBHOOK_DELIVERED, actor=None, obj=delivery, data=data, system="webhooks")
    elif attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.status, outcome = DeliveryStatus.DEAD, "dead"
        audit_record(
            action=AccountsAction.WEBHOOK_DEAD_LETTERED,
            actor=None,
            obj=delivery,
            data={**data, "error": error},
            system="webhooks",
        )
    else:
        delivery.next_attempt_at, outcome = now + retry_delay(attempts), "retry"
    delivery.save(
        update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error", "lease_until"]
    )
    return outcome


@transaction.atomic
def webhook_delivery_replay(*, actor: User | None, delivery_id: int) -> WebhookDelivery:
    """Send a dead-lettered (or delivered) event again, from the first attempt."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint__client").get(pk=delivery_id)
    before = delivery.status
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at, delivery.lease_until, delivery.delivered_at = timezone.now(), None, None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until", "delivered_at"])
    audit_record(
        action=AccountsAction.WEBHOOK_REPLAYED,
        actor=actor,
        obj=delivery,
        data={"client": delivery.endpoint.client.name, "event_id": str(delivery.event_id), "from": before},
    )
    transaction.on_commit(lambda: _queue(delivery.pk), robust=True)
    return delivery
