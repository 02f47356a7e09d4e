"""Celery beat schedules the heartbeat and a real worker runs it (no eager mode)."""

from __future__ import annotations

import pytest

from core.models import Heartbeat
from tests.celery_runtime import celery_processes, wait_for


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_beat_schedules_and_worker_runs_the_heartbeat(tmp_path):
    assert not Heartbeat.objects.exists()
    with celery_processes(tmp_path, beat=True, extra_env={"FAIRDUE_HEARTBEAT_SECONDS": "1"}):
        wait_for(lambda: Heartbeat.objects.filter(name="beat", count__gte=2).exists(), timeout=180, logs=tmp_path)
    beat = Heartbeat.objects.get(name="beat")
    assert beat.count >= 2
