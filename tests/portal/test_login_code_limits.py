"""Sign-in code requests are limited per client IP and per number; a clear 429, audited once."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from core import throttle

pytestmark = pytest.mark.django_db

URL = "/accounts/login/code/"


@pytest.fixture(autouse=True)
def fixed_window(monkeypatch):
    monkeypatch.setattr(throttle, "_now", lambda: 3_000_000.0)


def test_many_numbers_from_one_ip_are_limited(settings):
    settings.RATE_LIMIT_LOGIN_CODE_PER_IP = 3
    client = Client(REMOTE_ADDR="192.0.2.10")
    for n in range(3):
        assert client.post(URL, {"phone": f"1391234{n:04d}"}).status_code == 302
    for n in range(3, 6):
        response = client.post(URL, {"phone": f"1391234{n:04d}"})
        assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert 'id="rate-limited"' in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_code_rate_limited").count() == 1
    # Another address is not affected.
    assert Client(REMOTE_ADDR="192.0.2.11").post(URL, {"phone": "13912349999"}).status_code == 302


def test_one_number_from_many_ips_is_limited(settings):
    settings.RATE_LIMIT_LOGIN_CODE_PER_NUMBER = 2
    statuses = [Client(REMOTE_ADDR=f"192.0.2.{n}").post(URL, {"phone": "139 1234 5678"}).status_code for n in range(5)]
    assert statuses == [302, 302, 429, 429, 429]
    # however the number is typed
    assert Client(REMOTE_ADDR="192.0.2.99").post(URL, {"phone": "+8613912345678"}).status_code == 429
    events = AuditEvent.objects.filter(action="auth.login_code_rate_limited")
    assert events.count() == 1 and events.get().data["limit"] == "login_code.number"


def test_the_429_page_is_translated(settings):
    settings.RATE_LIMIT_LOGIN_CODE_PER_NUMBER = 0
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(URL, {"phone": "13912345678"})
    assert response.status_code == 429
    assert "Too many" not in response.content.decode()
