"""The sealer as a Celery task: on beat every few seconds, and nudged after each audited commit."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import audit_seal_all


@shared_task(
    name="audit.tasks.audit_seal",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def audit_seal_task(full: bool = False) -> int:
    """Idempotent: sealed events are never sealed again; a second sealer waits its turn."""
    return audit_seal_all(full=full)
