"""Thin Celery wrappers: ids and ISO dates in, services do the work; all idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from contracts.selectors import sweep_ranges
from core.dates import business_yesterday

from .services import notices_deliver, outbox_relay, sweep_and_notify_range


@shared_task(name="notices.tasks.sweep_and_notify", ignore_result=True)
def sweep_and_notify(business_date: str | None = None) -> int:
    """Nightly: one task per block of contract ids for the business date (default yesterday)."""
    day = dt.date.fromisoformat(business_date) if business_date else business_yesterday()
    ranges = sweep_ranges()
    for first, last in ranges:
        sweep_and_notify_range_task.delay(day.isoformat(), first, last)
    return len(ranges)


@shared_task(
    name="notices.tasks.sweep_and_notify_range",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep_and_notify_range_task(business_date: str, first_id: int, last_id: int) -> int:
    ready = sweep_and_notify_range(
        business_date=dt.date.fromisoformat(business_date), first_id=first_id, last_id=last_id
    )
    return len(ready)


@shared_task(
    name="notices.tasks.deliver_notices",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_notices(notice_ids: list[int]) -> None:
    notices_deliver(notice_ids)


@shared_task(name="notices.tasks.outbox_relay", ignore_result=True)
def outbox_relay_task() -> int:
    return len(outbox_relay())
