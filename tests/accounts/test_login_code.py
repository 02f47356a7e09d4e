from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import LoginCode
from audit.models import AuditEvent
from tests.accounts.factories import make_customer

pytestmark = pytest.mark.django_db


def last_sms_code(phone: str) -> str:
    files = sorted((Path(settings.VAR_DIR) / "sms").rglob("login-*.json"), key=lambda p: p.stat().st_mtime)
    messages = [json.loads(p.read_text()) for p in files]
    body = [m for m in messages if m["to"] == phone][-1]["body"]
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_customer_signs_in_with_an_sms_code(client):
    profile = make_customer(phone="13911112222")
    response = client.post("/accounts/login/code/", {"phone": "139 1111 2222"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/verify/"
    wrong = client.post("/accounts/login/code/verify/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = last_sms_code(profile.phone)
    ok = client.post("/accounts/login/code/verify/", {"code": code})
    assert ok.status_code == 302 and client.session["_auth_user_id"] == str(profile.user_id)
    assert LoginCode.objects.get(user=profile.user).used_at is not None
    assert AuditEvent.objects.filter(action="auth.login", subject_user_id=profile.user_id).exists()
    # A used code cannot be used again.
    client.post("/accounts/logout/")
    client.post("/accounts/login/code/", {"phone": "13911112222"})  # throttled (within a minute): no new code
    assert client.post("/accounts/login/code/verify/", {"code": code}).status_code == 200


def test_unknown_numbers_get_the_same_answer_and_no_code(client):
    response = client.post("/accounts/login/code/", {"phone": "13999998888"}, follow=True)
    assert response.status_code == 200
    assert not LoginCode.objects.exists()
