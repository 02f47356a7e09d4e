"""Thin Celery wrappers around the sweep (ids and ISO dates in, services do the work)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .services import delinquency_sweep_range, sweep_ranges


@shared_task(name="contracts.tasks.delinquency_sweep", ignore_result=True)
def delinquency_sweep_task(business_date: str | None = None) -> int:
    """Nightly: queue one range task per block of contract ids for the business date
    (default: yesterday, the last complete day). Returns the number of ranges queued."""
    day = dt.date.fromisoformat(business_date) if business_date else timezone.localdate() - dt.timedelta(days=1)
    ranges = sweep_ranges()
    for first, last in ranges:
        delinquency_sweep_range_task.delay(day.isoformat(), first, last)
    return len(ranges)


@shared_task(
    name="contracts.tasks.delinquency_sweep_range",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def delinquency_sweep_range_task(business_date: str, first_id: int, last_id: int) -> None:
    """Idempotent: contracts already accrued through the date are skipped."""
    delinquency_sweep_range(business_date=dt.date.fromisoformat(business_date), first_id=first_id, last_id=last_id)
