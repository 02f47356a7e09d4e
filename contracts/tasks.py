"""Thin Celery wrappers: ids in, the service does the work (a job runs once: a finished or
running job is skipped)."""

from __future__ import annotations

from celery import shared_task

from .imports.jobs import import_job_run


@shared_task(name="contracts.tasks.import_job_run", ignore_result=True, acks_late=True)
def import_job_run_task(job_id: int) -> str:
    return import_job_run(job_id=job_id)
