"""Start a real Celery worker (and beat) against the test database, as production runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

BASE = Path(__file__).resolve().parents[1]


def subprocess_database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or ""
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextmanager
def celery_processes(
    tmp_path: Path, *, beat: bool = False, extra_env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": subprocess_database_url(),
            "FAIRDUE_CELERY_DIR": str(tmp_path / "celery"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    celery = [sys.executable, "-m", "celery", "-A", "portal"]
    commands = [
        [*celery, "worker", "--pool=solo", "--loglevel=INFO", f"--hostname=test-{os.getpid()}-{n}@%h"]
        for n in range(workers)
    ]
    if beat:
        commands.append([*celery, "beat", "--loglevel=INFO", f"--schedule={tmp_path / 'beat-schedule'}"])
    logs = []
    procs = []
    for i, cmd in enumerate(commands):
        log = open(tmp_path / f"celery-{i}.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen(cmd, cwd=BASE, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs:
            log.close()


def wait_for(
    condition: Callable[[], bool], *, timeout: float = 60, interval: float = 0.5, logs: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    detail = ""
    if logs is not None:
        detail = "\n".join(p.read_text()[-3000:] for p in sorted(logs.glob("celery-*.log")))
    raise AssertionError(f"condition not met within {timeout}s\n{detail}")
