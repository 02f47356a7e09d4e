"""The guard on communication records (12 CFR 1006.100): a notice, contact attempt, in-app
message, call task or delivery receipt is deleted only through
``notices.retention.communication_records_delete``, which checks the retention window, audits and
opens the guard for its own delete. Any other ``.delete()`` on these models, on a row or a
queryset, raises ``ConflictError`` (``records_delete_unguarded``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from core.errors import ConflictError

from .codes import NoticesError

_deletion_allowed: ContextVar[bool] = ContextVar("communication_records_deletion_allowed", default=False)


@contextlib.contextmanager
def deletion_allowed() -> Iterator[None]:
    """Open the guard for the retention service's own delete (nothing else may use it)."""
    token = _deletion_allowed.set(True)
    try:
        yield
    finally:
        _deletion_allowed.reset(token)


def _refuse() -> None:
    if not _deletion_allowed.get():
        raise ConflictError(
            code=NoticesError.RECORDS_DELETE_UNGUARDED,
            message=_(
                "Communication records are kept for at least three years after the last collection activity; "
                "they can only be deleted through the retention check."
            ),
        )


class RetainedQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse()
        return super().delete()


class RetainedRecord(models.Model):
    """Base of the communication record models: ``delete()`` goes through the guard."""

    objects = RetainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse()
        return super().delete(*args, **kwargs)
