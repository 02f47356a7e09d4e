"""Background imports: the file is checked and imported by a Celery worker, all or nothing,
with live progress and the same per-row report as the page's import.

``import_job_create`` stores the file's rows on a queued ``ImportJob`` (audited) and queues
``contracts.tasks.import_job_run`` after commit. ``import_job_run`` claims the job (a queued
one, or one whose worker died: its transaction rolled back, so running it again is safe), runs
``contracts_import`` with a progress callback that writes to the progress cache, then records
the outcome (counts, row errors, references) and empties the stored rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import tablib
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiClient, User
from audit.context import AuditContext, get_context, reset_context, set_context
from audit.services import audit_record
from core.errors import ForbiddenError, NotFoundError

from ..codes import ContractsAction, ContractsError
from ..models_imports import ImportJob, ImportJobStatus
from .columns import _columns_for
from .progress import progress_clear, progress_get, progress_set
from .run import IMPORT_PERMISSION, contracts_import

# References of created rows kept on the job (the API answer lists them).
MAX_REFERENCES = 10_000


def _cell(value: Any) -> Any:
    """A cell as JSON: dates and times as ISO text (naive stays naive: Beijing time on import)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def dataset_payload(dataset: tablib.Dataset) -> dict[str, Any]:
    return {
        "headers": [_cell(h) for h in (dataset.headers or [])],
        "rows": [[_cell(v) for v in row] for row in dataset],
    }


def _dataset(payload: dict[str, Any]) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=payload.get("headers") or [])
    for row in payload.get("rows") or []:
        dataset.append(row)
    return dataset


@transaction.atomic
def import_job_create(
    *,
    actor: User | None,
    api_client: ApiClient | None = None,
    kind: str,
    dataset: tablib.Dataset,
    filename: str = "",
    dry_run: bool = False,
) -> ImportJob:
    """Queue a file for import (or, ``dry_run``, for checking only)."""
    _columns_for(kind)
    if actor is not None and not actor.has_perm(IMPORT_PERMISSION):
        raise ForbiddenError(code=ContractsError.IMPORT_FORBIDDEN, message=_("You may not import data."))
    payload = dataset_payload(dataset)
    job = ImportJob.objects.create(
        kind=kind,
        filename=filename[:200],
        dry_run=dry_run,
        created_by=actor,
        api_client=api_client,
        payload=payload,
        total_rows=len(payload["rows"]),
    )
    progress_clear(job.pk)
    audit_record(
        action=ContractsAction.IMPORT_QUEUED,
        actor=actor,
        obj=job,
        data={
            "kind": kind,
            "rows": job.total_rows,
            "dry_run": dry_run,
            "file": job.filename,
            "client": api_client.name if api_client else None,
        },
    )
    transaction.on_commit(lambda: _queue(job.pk), robust=True)
    return job


def _queue(job_id: int) -> None:
    from ..tasks import import_job_run_task

    import_job_run_task.delay(job_id)


@transaction.atomic
def _claim(job_id: int) -> ImportJob | None:
    stale = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    job = (
        ImportJob.objects.select_for_update(of=("self",))
        .filter(pk=job_id)
        .filter(Q(status=ImportJobStatus.QUEUED) | Q(status=ImportJobStatus.RUNNING, started_at__lt=stale))
        .select_related("created_by", "api_client")
        .first()
    )
    if job is None:
        return None
    job.status, job.started_at = ImportJobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    return job


def import_job_run(*, job_id: int) -> str:
    """Run one queued job; returns its status (or "skipped": done already, or running elsewhere)."""
    job = _claim(job_id)
    if job is None:
        return "skipped"

    def progress(phase: str, done: int, total: int) -> None:
        progress_set(job.pk, phase=phase, done=done, total=total)

    ctx = get_context()
    label = f"api:{job.api_client.name}" if job.api_client else ctx.system_label
    token = set_context(AuditContext(request_id=f"import-job-{job.pk}", ip_address=None, system_label=label))
    try:
        report = contracts_import(
            actor=job.created_by, kind=job.kind, dataset=_dataset(job.payload), dry_run=job.dry_run, progress=progress
        )
        return _record(job, report)
    finally:
        reset_context(token)


@transaction.atomic
def _record(job: ImportJob, report: Any) -> str:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    ok = report.ok
    job.status = ImportJobStatus.SUCCEEDED if ok else ImportJobStatus.FAILED
    job.total_rows = report.total_rows
    job.processed_rows = report.total_rows if ok else 0
    job.created_count, job.unchanged_count = report.created_count, report.unchanged_count
    job.errors = [{"row": e.row, "column": e.column, "code": e.code, "message": str(e.message)} for e in report.errors]
    job.references = [r.reference for r in report.rows if r.reference][:MAX_REFERENCES]
    job.payload, job.finished_at = {}, timezone.now()
    job.save()
    progress_set(job.pk, phase="finished", done=job.processed_rows, total=job.total_rows)
    audit_record(
        action=ContractsAction.IMPORT_JOB_FINISHED,
        actor=job.created_by,
        obj=job,
        data={
            "kind": job.kind,
            "status": job.status,
            "dry_run": job.dry_run,
            "rows": job.total_rows,
            "created": job.created_count,
            "errors": len(job.errors),
        },
    )
    return job.status


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """What the progress bar shows: the phase, rows done and in all, percent."""
    if job.finished:
        done, total, phase = job.processed_rows, job.total_rows, "finished"
    else:
        live = progress_get(job.pk) or {}
        phase = str(live.get("phase") or ("queued" if job.status == ImportJobStatus.QUEUED else "checking"))
        done, total = int(live.get("done") or 0), int(live.get("total") or job.total_rows)
    percent = 100 if job.finished else (int(done * 100 / total) if total else 0)
    return {"phase": phase, "done": done, "total": total, "percent": percent}


def import_job_get(*, pk: int) -> ImportJob:
    job = ImportJob.objects.select_related("created_by", "api_client").filter(pk=pk).first()
    if job is None:
        raise NotFoundError(code=ContractsError.IMPORT_JOB_NOT_FOUND, message=_("Import not found."))
    return job


def import_jobs_recent(*, limit: int = 10) -> list[ImportJob]:
    """The latest background imports (staff who may import see them all)."""
    return list(ImportJob.objects.select_related("created_by", "api_client").defer("payload")[:limit])
