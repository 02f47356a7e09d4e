"""Idempotent API writes: the same ``Idempotency-Key`` gets the same answer.

The first request with a key runs the operation and its answer (status and body) is stored
with the key in the operation's own transaction; a repeat with the same key and the same body
gets that stored answer again and changes nothing. The same key with a different body is
refused (422 ``idempotency_key_reused``). Keys belong to their client (or signed-in user), so
two clients never collide. Two concurrent first requests serialise on the unique key: the
second waits, then returns the first one's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from core.errors import ApplicationError

from .api_auth import request_token
from .codes import AccountsError
from .models_api import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(ApplicationError):
    http_status = 422


def request_owner(request: Request) -> str:
    token = request_token(request)
    if token is not None:
        return f"client:{token.client_id}"
    return f"user:{request.user.pk}"


def request_key(request: Request) -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(
            code=AccountsError.IDEMPOTENCY_KEY_MISSING,
            message=_("Send an Idempotency-Key header (1 to 255 characters) with this request."),
            field=HEADER,
        )
    return key


def _digest(operation: str, data: Any) -> str:
    text = json.dumps({"op": operation, "data": data}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotentRequest, digest: str) -> Response:
    if stored.request_digest != digest:
        raise IdempotencyKeyReused(
            code=AccountsError.IDEMPOTENCY_KEY_REUSED,
            message=_("This Idempotency-Key was already used for a different request."),
            field=HEADER,
        )
    response = Response(stored.body, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    request: Request, *, operation: str, data: Any, run: Callable[[str], tuple[int, dict[str, Any]]]
) -> Response:
    """Run ``run(key)`` once per key; ``run`` returns (status, body) and must do its writes in
    the current transaction. ``data`` is what identifies the request (its validated input)."""
    owner, key = request_owner(request), request_key(request)
    digest = _digest(operation, data)
    stored = IdempotentRequest.objects.filter(owner=owner, key=key).first()
    if stored is not None:
        return _replay(stored, digest)
    try:
        with transaction.atomic():
            status, body = run(key)
            IdempotentRequest.objects.create(
                owner=owner, key=key, operation=operation, request_digest=digest, status_code=status, body=body
            )
    except IntegrityError:
        # A concurrent request with the same key committed first: its answer is the answer.
        stored = IdempotentRequest.objects.filter(owner=owner, key=key).first()
        if stored is None:
            raise
        return _replay(stored, digest)
    return Response(body, status=status)
