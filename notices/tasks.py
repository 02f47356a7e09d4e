"""Thin Celery wrappers: ids and ISO dates in, services do the work; all idempotent."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.dates import business_yesterday

from .retention_job import retention_run
from .services import nightly_range_run, nightly_run_start, notices_deliver, outbox_relay
from .services.case_messages import service_restored_notify
from .services.validation import validation_notices_due


@shared_task(name="notices.tasks.sweep_and_notify", ignore_result=True, acks_late=True)
def sweep_and_notify(business_date: str | None = None) -> int:
    """Nightly: one task per block of contract ids for the business date (default yesterday).

    Sending the same night again sends only the ranges not done yet (none once the night is
    finished); a range sent twice still runs once."""
    day = dt.date.fromisoformat(business_date) if business_date else business_yesterday()
    run = nightly_run_start(business_date=day)
    done = set(run.done_ranges.values_list("first_contract_id", flat=True))
    ranges = [(first, last) for first, last in run.ranges() if first not in done]
    for first, last in ranges:
        sweep_and_notify_range_task.delay(day.isoformat(), first, last)
    return len(ranges)


@shared_task(
    name="notices.tasks.sweep_and_notify_range",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep_and_notify_range_task(business_date: str, first_id: int, last_id: int) -> int:
    """One range of the night, once (a redelivered or repeated task finds it done)."""
    return nightly_range_run(business_date=dt.date.fromisoformat(business_date), first_id=first_id, last_id=last_id)


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


@shared_task(name="notices.tasks.validation_notices_due", ignore_result=True)
def validation_notices_due_task() -> int:
    """US debts in collection without a validation notice get one (idempotent)."""
    return len(validation_notices_due())


@shared_task(name="notices.tasks.retention_run", ignore_result=True, acks_late=True)
def retention_run_task(on_date: str | None = None) -> int:
    """The daily retention job (``notices.retention_job``); returns the customers anonymised."""
    day = dt.date.fromisoformat(on_date) if on_date else timezone.localdate()
    return retention_run(on_date=day).customers_anonymised


@shared_task(name="notices.tasks.service_restored_notify", ignore_result=True, acks_late=True)
def service_restored_notify_task(contract_id: int, restored_on: str) -> int:
    """Tell the customer that on-site service is back (queued by ``contracts`` after commit)."""
    return len(service_restored_notify(contract_id=contract_id, restored_on=dt.date.fromisoformat(restored_on)))
