"""How systems and people authenticate to ``/api/v1/``, and what they may do there.

- ``ApiTokenAuthentication``: ``Authorization: Bearer fd_<prefix>_<secret>``. The token is
  found by its prefix and compared by SHA-256 (constant time); a revoked token or an inactive
  client is refused. ``request.auth`` is the ``ApiToken``; ``request.user`` is anonymous
  (a system is not a person), and audit events name ``api:<client>``.
- ``HasScope("eligibility:read")``: a token needs the scope (write scopes imply reading what
  they write); a session (the portal's own pages, staff tools) needs the permission the scope
  maps to and, for staff, a session verified with the second factor.
- ``ApiClientRateThrottle``: per client (``ApiClient.rate_per_minute``), per user for sessions.

Any API view of any app uses these (issue #17's field-service endpoint reuses them).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from audit.context import AuditContext, get_context, set_context
from core.throttle import window_hit

from .models_api import ApiScope, ApiToken

TOKEN_PREFIX = "fd_"
# Staff using the API with their portal session need the permission each scope maps to.
SCOPE_PERMISSIONS: dict[str, str] = {scope.value: f"accounts.api_{scope.value.replace(':', '_')}" for scope in ApiScope}


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """``fd_<prefix>_<secret>`` → (prefix, whole token); None when it is not of that shape."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    prefix, sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not prefix or not secret:
        return None
    return prefix, raw


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        parts = split_token(raw.strip())
        if parts is None:
            raise exceptions.AuthenticationFailed(_("Invalid API token."))
        prefix, whole = parts
        token = ApiToken.objects.select_related("client").filter(prefix=prefix).first()
        if (
            token is None
            or not hmac.compare_digest(token.key_hash, token_hash(whole))
            or token.revoked_at is not None
            or not token.client.is_active
        ):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        ctx = get_context()
        set_context(
            AuditContext(request_id=ctx.request_id, ip_address=ctx.ip_address, system_label=f"api:{token.client.name}")
        )
        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class PortalSessionAuthentication(SessionAuthentication):
    """The portal's own session, with DRF's CSRF check for unsafe methods."""


def request_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class ScopePermission(BasePermission):
    """The check behind ``HasScope``: the token's scope, or the session user's mapped permission
    (with a verified second factor for staff)."""

    scope: str = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request_token(request)
        if token is not None:
            self.message = _("This token lacks the scope %(scope)s.") % {"scope": self.scope}
            return token.has_scope(self.scope)
        user = request.user
        if not (user and user.is_authenticated):
            return False
        self.message = _("Your account may not use this operation.")
        if user.is_staff and not getattr(user, "is_verified", lambda: False)():
            self.message = _("Verify your sign-in with the second factor first.")
            return False
        return bool(user.has_perm(SCOPE_PERMISSIONS[self.scope]))


@cache
def HasScope(scope: str) -> type[ScopePermission]:
    """``permission_classes = [HasScope("payments:write")]``."""
    if scope not in SCOPE_PERMISSIONS:
        raise ValueError(f"unknown API scope {scope!r}")
    name = "HasScope_" + scope.replace(":", "_")
    return type(name, (ScopePermission,), {"scope": scope, "__doc__": f"Needs the scope {scope}."})


def scope_require(request: Request, scope: str) -> None:
    """The same check inside a view, when the scope depends on the input."""
    permission = HasScope(scope)()
    if not permission.has_permission(request, None):
        raise exceptions.PermissionDenied(permission.message)


class ApiClientRateThrottle(BaseThrottle):
    """A fixed one-minute window per client (its own rate) or per signed-in user."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request_token(request)
        if token is not None:
            key, limit = f"client:{token.client_id}", token.client.rate_per_minute
        elif request.user and request.user.is_authenticated:
            key, limit = f"user:{request.user.pk}", settings.API_SESSION_RATE_PER_MINUTE
        else:
            return True  # refused by authentication anyway
        hit = window_hit("api", key, window_seconds=60)
        if hit.count > limit:
            self.retry_after = max(1, int(hit.window_start + 60 - timezone.now().timestamp()) + 1)
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "accounts.api_auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "fd_<prefix>_<secret>",
            "description": "A client token created in the admin; each operation names the scope it needs.",
        }
