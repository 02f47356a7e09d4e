"""Live progress of a background import, kept in the ``progress`` cache.

The import writes everything in one transaction (all or nothing), so its rows — and any
progress written to the database — are invisible until it commits. The progress therefore
lives in a cache every process can read: Redis in production, a file-based cache under var/
in the embedded default (the web process and the worker are separate processes there too).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches

TTL_SECONDS = 24 * 3600


def _key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


def progress_set(job_id: int, *, phase: str, done: int, total: int) -> None:
    caches["progress"].set(_key(job_id), {"phase": phase, "done": done, "total": total}, TTL_SECONDS)


def progress_get(job_id: int) -> dict[str, Any] | None:
    value = caches["progress"].get(_key(job_id))
    return value if isinstance(value, dict) else None


def progress_clear(job_id: int) -> None:
    caches["progress"].delete(_key(job_id))
