"""Deployment checks (``manage.py check --deploy``) for the audit log's keys and privileges."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError

from .grants import audit_table_owned_by_current_role
from .keys import chain_key_configured, signing_key_configured


@register(Tags.security, deploy=True)
def audit_keys_and_role(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    found: list[CheckMessage] = []
    if not chain_key_configured():
        found.append(
            CheckWarning(
                "AUDIT_CHAIN_KEY is not set: the audit chain key is derived from SECRET_KEY.",
                hint="Set AUDIT_CHAIN_KEY to 32+ random bytes kept outside the database (see docs/OPERATIONS.md).",
                id="fairdue.W010",
            )
        )
    if not signing_key_configured():
        found.append(
            CheckWarning(
                "No audit signing key is configured: checkpoints are signed with a key generated on this machine.",
                hint="Set AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE (Ed25519, PEM) and publish its public key.",
                id="fairdue.W011",
            )
        )
    try:
        owns = audit_table_owned_by_current_role()
    except DatabaseError:
        owns = None
    if owns:
        found.append(
            CheckWarning(
                "The application's database role owns the audit table, so it could disable its triggers.",
                hint="Migrate as an owner role and connect as a role set up by `manage.py audit_grants`.",
                id="fairdue.W012",
            )
        )
    return found
