"""Who and where an audit event comes from, set per request (or per task)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    request_id: str = ""
    ip_address: str | None = None
    # Who acts when no user does: an API client ("api:<name>"), set by its authentication.
    system_label: str = ""


_EMPTY = AuditContext()
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=_EMPTY)


def get_context() -> AuditContext:
    return _current.get()


def set_context(ctx: AuditContext) -> contextvars.Token[AuditContext]:
    return _current.set(ctx)


def reset_context(token: contextvars.Token[AuditContext]) -> None:
    _current.reset(token)
