"""Unverifiable payment callbacks: refused before anything is written, audited in aggregate."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from core import throttle

pytestmark = pytest.mark.django_db

GARBAGE = {"token": "not-a-token", "status": "paid", "amount": "1.00", "sign": "0" * 64}


def rejected_events():
    return list(AuditEvent.objects.filter(action="payment.callback_rejected").order_by("pk"))


def test_a_hundred_garbage_callbacks_write_one_event_with_the_count(monkeypatch):
    monkeypatch.setattr(throttle, "_now", lambda: 1_000_000.0)
    client = Client(REMOTE_ADDR="203.0.113.7")
    before = AuditEvent.objects.count()
    for _ in range(100):
        assert client.post("/pay/callback/sandbox/", GARBAGE).status_code in (400, 403)
    events = rejected_events()
    assert len(events) == 1 and AuditEvent.objects.count() == before + 1
    assert events[0].data["provider"] == "sandbox" and events[0].data["remote_ip"] == "203.0.113.7"
    assert events[0].data["count"] == 1  # the first refusal is visible at once

    # The next window's first refusal is audited with every refusal since the last event.
    monkeypatch.setattr(throttle, "_now", lambda: 1_000_000.0 + 601)
    client.post("/pay/callback/sandbox/", GARBAGE)
    events = rejected_events()
    assert len(events) == 2 and events[1].data["count"] == 100


def test_each_address_is_counted_on_its_own(monkeypatch):
    monkeypatch.setattr(throttle, "_now", lambda: 2_000_000.0)
    for ip in ("198.51.100.1", "198.51.100.2"):
        for _ in range(3):
            Client(REMOTE_ADDR=ip).post("/pay/callback/sandbox/", GARBAGE)
    seen = {(e.data["provider"], e.data["remote_ip"]) for e in rejected_events()}
    assert len(rejected_events()) == len(seen) == 2
