"""API clients, their tokens and webhook endpoints: created, changed and revoked here only.

A token's secret is shown once, when it is issued; only its SHA-256 is stored. A webhook
endpoint's signing secret is stored encrypted (the delivery needs it to sign) and shown to the
client once, when the endpoint is registered.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from core.errors import ApplicationError, NotFoundError

from ..api_auth import TOKEN_PREFIX, token_hash
from ..codes import AccountsAction, AccountsError
from ..crypto import encrypt_text
from ..models import User
from ..models_api import ApiClient, ApiScope, ApiToken, WebhookEndpoint, WebhookEventType
from ..webhook_targets import literal_address_forbidden


def _clean_scopes(scopes: list[str]) -> list[str]:
    known = set(ApiScope.values)
    unknown = sorted(set(scopes) - known)
    if unknown:
        raise ApplicationError(
            code=AccountsError.API_SCOPE_UNKNOWN,
            message=_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)},
            field="scopes",
        )
    return sorted(set(scopes))


@transaction.atomic
def api_client_save(
    *,
    actor: User | None,
    client: ApiClient | None = None,
    name: str,
    description: str = "",
    rate_per_minute: int = 600,
    is_active: bool = True,
) -> ApiClient:
    """Create or change a client. Deactivating it refuses all of its tokens at once."""
    created = client is None
    client = client or ApiClient()
    client.name, client.description = name.strip(), description.strip()
    client.rate_per_minute, client.is_active = rate_per_minute, is_active
    client.save()
    audit_record(
        action=AccountsAction.API_CLIENT_SAVED,
        actor=actor,
        obj=client,
        data={"name": client.name, "created": created, "active": is_active, "rate_per_minute": rate_per_minute},
    )
    return client


@transaction.atomic
def api_token_issue(*, actor: User | None, client: ApiClient, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token for ``client``; returns the row and the secret (shown once, never stored)."""
    scopes = _clean_scopes(scopes)
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        client=client,
        name=name.strip() or "token",
        prefix=prefix,
        key_hash=token_hash(raw),
        scopes=scopes,
        created_by=actor,
    )
    audit_record(
        action=AccountsAction.API_TOKEN_ISSUED,
        actor=actor,
        obj=token,
        data={"client": client.name, "name": token.name, "prefix": prefix, "scopes": scopes},
    )
    return token, raw


@transaction.atomic
def api_token_scopes_set(*, actor: User | None, token: ApiToken, scopes: list[str]) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    before = list(token.scopes)
    token.scopes = _clean_scopes(scopes)
    token.save(update_fields=["scopes"])
    audit_record(
        action=AccountsAction.API_TOKEN_SCOPES_CHANGED,
        actor=actor,
        obj=token,
        data={"prefix": token.prefix, "scopes_before": before, "scopes": token.scopes},
    )
    return token


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoked at once and for good (idempotent)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AccountsAction.API_TOKEN_REVOKED,
            actor=actor,
            obj=token,
            data={"client": token.client.name, "prefix": token.prefix},
        )
    return token


def _clean_webhook(url: str, events: list[str]) -> tuple[str, list[str]]:
    parts = urlsplit(url.strip())
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ApplicationError(
            code=AccountsError.WEBHOOK_URL_INVALID,
            message=_("Give an absolute https:// URL."),
            field="url",
        )
    if literal_address_forbidden(parts.hostname):
        raise ApplicationError(
            code=AccountsError.WEBHOOK_URL_INVALID,
            message=_("Webhooks go to public addresses only, not to a private or local network."),
            field="url",
        )
    unknown = sorted(set(events) - set(WebhookEventType.values))
    if unknown or not events:
        raise ApplicationError(
            code=AccountsError.WEBHOOK_EVENT_UNKNOWN,
            message=_("Choose one or more of the documented events."),
            field="events",
        )
    return url.strip(), sorted(set(events))


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User | None, client: ApiClient, url: str, events: list[str]
) -> tuple[WebhookEndpoint, str]:
    """Register a URL for some events; returns the endpoint and its signing secret (shown once)."""
    url, events = _clean_webhook(url, events)
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    endpoint = WebhookEndpoint.objects.create(
        client=client, url=url, events=events, secret_encrypted=encrypt_text(secret)
    )
    audit_record(
        action=AccountsAction.WEBHOOK_SAVED,
        actor=actor,
        obj=endpoint,
        data={"client": client.name, "url": url, "events": events, "created": True},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, actor: User | None, endpoint: WebhookEndpoint, url: str, events: list[str], is_active: bool
) -> WebhookEndpoint:
    url, events = _clean_webhook(url, events)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.url, endpoint.events, endpoint.is_active = url, events, is_active
    endpoint.save(update_fields=["url", "events", "is_active"])
    audit_record(
        action=AccountsAction.WEBHOOK_SAVED,
        actor=actor,
        obj=endpoint,
        data={"client": endpoint.client.name, "url": url, "events": events, "active": is_active},
    )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: User | None, client: ApiClient, endpoint_id: int) -> None:
    """A client removes one of its own endpoints (its pending deliveries go with it)."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, client=client).first()
    if endpoint is None:
        raise NotFoundError(code=AccountsError.WEBHOOK_NOT_FOUND, message=_("Webhook not found."))
    audit_record(
        action=AccountsAction.WEBHOOK_DELETED,
        actor=actor,
        obj=endpoint,
        data={"client": client.name, "url": endpoint.url},
    )
    endpoint.delete()
