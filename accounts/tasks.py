"""Thin Celery wrappers for webhook delivery: ids in, the service does the work (idempotent:
a delivered or dead row, or one another worker holds, is skipped)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services.webhooks import webhook_deliver, webhooks_relay


@shared_task(
    name="accounts.tasks.webhook_deliver",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def webhook_deliver_task(delivery_id: int) -> str:
    return webhook_deliver(delivery_id=delivery_id)


@shared_task(name="accounts.tasks.webhooks_relay", ignore_result=True)
def webhooks_relay_task() -> int:
    return len(webhooks_relay())
