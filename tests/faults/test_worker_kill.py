"""``kill -9`` of a Celery worker while two workers deliver 2,000 emails through the product's
outbox to a real SMTP server (bench/dispatch.py, on a disposable PostgreSQL database and a
Redis broker): counted at the server, none is lost, and a message sent twice carries the same
Message-ID (at-least-once for the rows the dead worker held, as the delivery design allows)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.celery_runtime import BASE

MESSAGES = 2000


def _server_url(name: str) -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.celery_worker
@pytest.mark.owner_only  # creates and drops a database of its own
def test_a_worker_killed_mid_delivery_loses_nothing(tmp_path):
    redis_base = os.environ["REDIS_URL"].rsplit("/", 1)[0]
    database = f"fairdue_faults_kill_{os.getpid()}"
    env = {**os.environ, "DELIVERY_LEASE_SECONDS": "5", "FAIRDUE_VAR_DIR": str(tmp_path / "var")}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [
            sys.executable,
            "bench/dispatch.py",
            f"--messages={MESSAGES}",
            "--workers=2",
            "--kill-worker-after=0.5",
            "--bare-messages=50",
            f"--database-url={_server_url(database)}",
            f"--broker-url={redis_base}/9",
            "--timeout=240",
        ],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    try:
        assert run.returncode == 0, run.stderr[-4000:]
        result = json.loads(run.stdout.strip().splitlines()[-1])
    finally:
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import psycopg; c = psycopg.connect({_server_url('postgres')!r}, autocommit=True);"
                f"c.execute('DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)')",
            ],
            check=False,
            timeout=60,
        )
    assert result["messages"] == MESSAGES
    assert result["in_flight_at_kill"] > 0, result  # it died holding rows (not before or after the work)
    assert result["lost"] == 0, result
    # Only rows the dead worker held can go out twice, and then with their original Message-ID
    # (the server counts by Message-ID, so a duplicate here is a second copy of the same message).
    assert 0 <= result["duplicates"] <= result["in_flight_at_kill"], result
    assert result["recovered_seconds"] < 60, result
