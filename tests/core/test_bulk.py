"""core.bulk.copy_insert: the rows a save would write, with their keys, on every backend."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_event_build
from core.bulk import copy_insert
from core.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_copy_insert_writes_what_a_save_writes_and_sets_the_keys():
    at = timezone.make_aware(dt.datetime(2026, 11, 25, 21, 30))
    saved = Heartbeat.objects.create(name="saved", last_seen_at=at)
    rows = copy_insert(Heartbeat, [Heartbeat(name=f"copied-{n}", last_seen_at=at, count=n) for n in range(3)])
    assert [r.pk for r in rows] == sorted(r.pk for r in rows) and rows[0].pk > saved.pk
    assert not any(r._state.adding for r in rows)
    stored = {h.pk: h for h in Heartbeat.objects.filter(pk__in=[r.pk for r in rows])}
    assert [(stored[r.pk].name, stored[r.pk].last_seen_at, stored[r.pk].count) for r in rows] == [
        (f"copied-{n}", at, n) for n in range(3)
    ]


def test_copy_insert_keeps_json_and_text_exactly():
    with transaction.atomic():
        events = [
            audit_event_build(action="notice.scheduled", actor=None, data={"amount": "12.30", "n": n, "zh": "逾期\t\\"})
            for n in range(2)
        ]
        created = copy_insert(AuditEvent, events)
    stored = AuditEvent.objects.in_bulk([e.pk for e in created])
    assert [stored[e.pk].data for e in created] == [e.data for e in events]
    assert [stored[e.pk].occurred_at for e in created] == [e.occurred_at for e in events]


def test_copy_insert_of_nothing_writes_nothing():
    before = Heartbeat.objects.count()
    assert copy_insert(Heartbeat, []) == []
    assert Heartbeat.objects.count() == before
