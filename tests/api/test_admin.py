from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import ApiClient, ApiToken
from accounts.roles import Role
from tests.accounts.factories import make_staff
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


def test_admin_creates_a_token_shown_once_and_revokes_it():
    admin = Client()
    login_verified_staff(admin, make_staff(Role.ADMIN))
    response = admin.post(
        "/admin/accounts/apiclient/add/",
        {
            "name": "loan-core",
            "description": "",
            "rate_per_minute": "600",
            "is_active": "on",
            "tokens-TOTAL_FORMS": "0",
            "tokens-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    client = ApiClient.objects.get(name="loan-core")
    response = admin.post(
        "/admin/accounts/apitoken/add/",
        {"client": client.pk, "name": "dispatch", "scopes": ["eligibility:read"]},
        follow=True,
    )
    text = response.content.decode()
    raw = re.search(r"fd_[0-9a-f]+_[A-Za-z0-9_\-]+", text).group(0)
    token = ApiToken.objects.get(client=client)
    assert token.scopes == ["eligibility:read"] and raw not in token.key_hash
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/service-eligibility", {"customer": "C00000000"}).status_code == 404
    assert raw not in admin.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    admin.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/service-eligibility", {"customer": "C00000000"}).status_code == 401


def test_agents_cannot_reach_the_token_admin():
    agent = Client()
    login_verified_staff(agent, make_staff(Role.AGENT))
    assert agent.get("/admin/accounts/apitoken/").status_code in (302, 403)
