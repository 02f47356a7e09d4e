"""API clients and tokens for tests, made through the services."""

from __future__ import annotations

import itertools

from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import ApiClient, ApiToken
from accounts.models_api import ApiScope
from accounts.services.api_access import api_client_save, api_token_issue

_n = itertools.count(1)
ALL_SCOPES = list(ApiScope.values)


def make_token(
    scopes: list[str] | None = None, *, client: ApiClient | None = None, rate: int = 600
) -> tuple[ApiToken, str]:
    with transaction.atomic():
        client = client or api_client_save(actor=None, name=f"loan-core-{next(_n)}", rate_per_minute=rate)
        return api_token_issue(actor=None, client=client, name="test", scopes=ALL_SCOPES if scopes is None else scopes)


def token_client(scopes: list[str] | None = None, **kwargs: object) -> APIClient:
    token, raw = make_token(scopes, **kwargs)  # type: ignore[arg-type]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.token = token  # type: ignore[attr-defined]
    api.raw_token = raw  # type: ignore[attr-defined]
    return api
