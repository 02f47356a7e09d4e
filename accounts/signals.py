"""Framework hooks only: authentication events become audit events."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.codes import AccountsAction
from audit.services import audit_record_atomic

from .identifiers import safe_identifier


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record_atomic(action=AccountsAction.AUTH_LOGIN, actor=user, obj=user, subject_user_id=user.pk)


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record_atomic(action=AccountsAction.AUTH_LOGOUT, actor=user, obj=user, subject_user_id=user.pk)


def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_record_atomic(
        action=AccountsAction.AUTH_LOGIN_FAILED,
        actor=None,
        object_type="accounts.user",
        data={"identifier": safe_identifier(credentials.get("username", ""))},
        system="anonymous",
    )


def _on_locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    audit_record_atomic(
        action=AccountsAction.AUTH_LOCKED_OUT,
        actor=None,
        object_type="accounts.user",
        data={"identifier": username or ""},
        system="axes",
    )


def connect() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="audit_locked_out")
