"""Benchmark: one night of the nightly batch (sweep + ladder) through real Celery workers (not a test).

    .venv/bin/python bench/sweep.py --contracts 20000 [--workers 2] [--business-date 2026-11-25]
                                    [--database-url URL] [--broker-url redis://127.0.0.1:6379/9]
                                    [--skip-floor] [--write docs/BENCHMARKS.md]

Uses a disposable PostgreSQL database (default postgres://postgres@127.0.0.1:5432/fairdue_bench,
created and migrated if missing) and fills it with ``bench/portfolio.py`` unless it already
holds exactly N contracts waiting for the business date D (the portfolio is reset otherwise).
Then starts W ``celery -A portal worker`` processes (one task at a time each) on a Redis
broker database that it empties first, sends ``notices.tasks.sweep_and_notify`` for D, and
waits for the night's record (``notices.NightlyRun``) to say every range is
done: the seconds from sending to that point are the night (sweep and ladder, with the notices
written and their delivery queued). Deliveries go to a queue of their own that these workers
do not consume (delivery has its own benchmark); the run then waits until no task is queued,
unacknowledged or running, and checks that no contract is left behind. It counts the notices
the night wrote, reads each worker's peak memory (VmHWM of its processes), and sends the same
night again, which must change nothing. In the same run, the hand-written SQL floor
``shared/bench/sweep_floor.sql`` does the same kind of night at the same N (its own ``floor``
schema in the same database). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fairdue_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/9"
DEFAULT_BUSINESS_DATE = dt.date(2026, 11, 25)
FLOOR_SQL = BASE.parent / "shared" / "bench" / "sweep_floor.sql"
SECTION = "## Nightly batch (sweep + ladder) through Celery workers"
SECTION_TEXT = """
{section}

`bench/sweep.py --contracts N --workers W`: a portfolio from `bench/portfolio.py` (every 5th
contract overdue 1..180 days, so every ladder step fires), one night for the business date sent
as `notices.tasks.sweep_and_notify` to W real Celery workers (one task at a time each, Redis
broker, PostgreSQL). "Night" runs from sending the task until every contract is accrued through
the date and no message is queued, unacknowledged or running (sweep, ladder and delivery of the
notices it queued). "Peak RSS" is the largest worker process's high-water mark. The re-run sends
the same night again (must change nothing). "Floor" is `shared/bench/sweep_floor.sql` at the same
N in the same run; ratio = night ÷ floor.

| date | contracts | workers | night | notices | peak RSS | re-run | floor | ratio | machine |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
"""
QUEUE_KEYS = ("celery", "celery\x06\x163", "celery\x06\x166", "celery\x06\x169")
DELIVERY_QUEUE = "bench-delivery"


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    peak_kib: dict[int, int] = field(default_factory=dict)  # pid -> VmHWM

    def pids(self) -> list[int]:
        """The worker's parent process and all its descendants (the pool's children)."""
        found = [self.process.pid]
        for pid in found:
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    found.extend(int(child) for child in task.read_text().split())
                except OSError:
                    continue
        return found

    def sample(self) -> None:
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), int(line.split()[1]))
            except OSError:
                continue

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib.values(), default=0) / 1024


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count()}


def ensure_database(url: str) -> None:
    """Create the database named in the URL if it does not exist (connecting to ``postgres``)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def portfolio_ready(contracts: int, business_date: dt.date) -> bool:
    """Exactly N contracts, all accrued through the eve of D and no night of D written yet."""
    from contracts.models import Contract, SweepRun

    eve = business_date - dt.timedelta(days=1)
    total = Contract.objects.count()
    return (
        total == contracts
        and Contract.objects.filter(accrued_through=eve).count() == contracts
        and not SweepRun.objects.filter(business_date=business_date).exists()
    )


def behind(business_date: dt.date) -> int:
    from contracts.models import Contract, ContractStatus

    return Contract.objects.filter(accrued_through__lt=business_date).exclude(status=ContractStatus.PAID_OFF).count()


def broker_busy(redis_client: Any) -> int:
    """Messages queued or delivered but not yet acknowledged (tasks ack late, after they ran)."""
    queued = sum(int(redis_client.llen(key)) for key in QUEUE_KEYS)
    return queued + int(redis_client.hlen("unacked"))


def active_tasks(app: Any, workers: int) -> int | None:
    replies = app.control.inspect(timeout=1.0, limit=workers).active()
    if replies is None:
        return None
    return sum(len(tasks) for tasks in replies.values())


def start_workers(count: int, env: dict[str, str], log_dir: Path) -> list[Worker]:
    workers = []
    for n in range(1, count + 1):
        name = f"bench{n}@%h"
        log = log_dir / f"worker{n}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=WARNING",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                f"--hostname={name}",
                f"--logfile={log}",
            ],
            cwd=BASE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        workers.append(Worker(name=name, process=process, log=log))
    return workers


def wait_ready(app: Any, workers: list[Worker], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for w in workers:
            if w.process.poll() is not None:
                raise SystemExit(f"worker {w.name} exited ({w.process.returncode}); see {w.log}")
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= len(workers):
            return
        time.sleep(0.5)
    raise SystemExit(f"workers did not answer within {timeout:.0f}s; see {workers[0].log}")


def stop_workers(workers: list[Worker]) -> None:
    for w in workers:
        if w.process.poll() is None:
            w.process.terminate()  # warm shutdown of the worker and its pool
    for w in workers:
        try:
            w.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in reversed(w.pids()):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
            w.process.wait(timeout=10)


def run_night(
    *,
    app: Any,
    redis_client: Any,
    workers: list[Worker],
    business_date: dt.date,
    timeout: float,
    poll: float = 0.25,
) -> tuple[float, float]:
    """Send the night and wait until it is done; returns (seconds until the night's record says
    every range is done — sweep and ladder —, seconds until the workers are quiet, which adds
    the delivery of what the ladder queued). A re-run finds the night finished at once, so its
    figure is the seconds until quiet. Polls one row, never the contract table, so the
    measurement does not load the database it measures."""
    from notices.models import NightlyRun

    already = NightlyRun.objects.filter(business_date=business_date, finished_at__isnull=False).exists()
    start = time.perf_counter()
    app.send_task("notices.tasks.sweep_and_notify", args=[business_date.isoformat()])
    poll = min(poll, 0.05) if already else poll
    night_at: float | None = None
    drained_at: float | None = None
    quiet_polls = 0
    while True:
        time.sleep(poll)
        elapsed = time.perf_counter() - start
        for w in workers:
            w.sample()
            if w.process.poll() is not None:
                raise SystemExit(f"worker {w.name} died ({w.process.returncode}); see {w.log}")
        finished = NightlyRun.objects.filter(business_date=business_date, finished_at__isnull=False)
        if night_at is None and not already and finished.exists():
            night_at = elapsed
        busy = broker_busy(redis_client)
        if busy == 0 and drained_at is None:
            drained_at = elapsed  # tasks acknowledge late: nothing queued or unacknowledged = all ran
        elif busy:
            drained_at = None
        if busy == 0 and (already or night_at is not None) and active_tasks(app, len(workers)) == 0:
            quiet_polls += 1
            if quiet_polls >= 2:
                quiet = drained_at if drained_at is not None else time.perf_counter() - start
                remaining = behind(business_date)
                if remaining:
                    raise SystemExit(f"the night finished but {remaining} contracts are behind")
                return (night_at if night_at is not None else quiet), quiet
            continue
        quiet_polls = 0
        if elapsed > timeout:
            raise SystemExit(f"the night did not finish within {timeout:.0f}s")


def run_floor(database_url: str, contracts: int, business_date: dt.date) -> float:
    """The SQL floor at the same N: set-up untimed, then the timed night."""
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    base = ["psql", database_url, "-q", "-X", "-v", f"D={business_date.isoformat()}", "-f", str(FLOOR_SQL)]
    subprocess.run([*base, "-v", f"N={contracts}", "-v", "mode=setup"], check=True, stdout=subprocess.DEVNULL, env=env)
    start = time.perf_counter()
    subprocess.run([*base, "-v", "mode=run"], check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def write_row(path: Path, result: dict[str, Any]) -> None:
    ratio = f"{result['ratio_to_floor']:.1f}" if result["ratio_to_floor"] is not None else "–"
    floor = f"{result['floor_seconds']:.2f} s" if result["floor_seconds"] is not None else "–"
    row = (
        f"| {result['date']} | {result['contracts']:,} | {result['workers']} | {result['seconds']:.1f} s | "
        f"{result['notices']:,} | {result['peak_rss_mib']:.0f} MiB | {result['rerun_seconds']:.2f} s | {floor} | "
        f"{ratio} | {result['machine']['cpu']}, {result['machine']['cores']} cores |"
    )
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n" + SECTION_TEXT.format(section=SECTION)
    head, _, tail = text.partition(SECTION)
    lines = tail.split("\n")
    # the row goes after the last line of the section's own table (its first; later sections
    # have tables of their own)
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    last = first
    while last + 1 < len(lines) and lines[last + 1].startswith("|"):
        last += 1
    lines.insert(last + 1, row)
    path.write_text(head + SECTION + "\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--business-date", type=dt.date.fromisoformat, default=DEFAULT_BUSINESS_DATE)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--broker-url", default=DEFAULT_BROKER_URL, help="a Redis database this run may empty")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds a night may take")
    parser.add_argument("--skip-floor", action="store_true", help="do not run shared/bench/sweep_floor.sql")
    parser.add_argument("--write", type=Path, help="append the result as a table row to this Markdown file")
    args = parser.parse_args()
    day: dt.date = args.business_date

    ensure_database(args.database_url)
    var_dir = tempfile.mkdtemp(prefix="fairdue-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "FAIRDUE_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The night's deliveries wait in their own queue, which these workers do not consume:
        # the figure is the sweep and the ladder (delivery has its own benchmark).
        "CELERY_DELIVERY_QUEUE": DELIVERY_QUEUE,
    }
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from notices.models import Notice
    from portal.celery import app

    generate_seconds = None
    if not portfolio_ready(args.contracts, day):
        from contracts.models import Contract

        start = time.perf_counter()
        command = [sys.executable, str(BASE / "bench" / "portfolio.py"), "--contracts", str(args.contracts)]
        command += ["--business-date", day.isoformat(), "--database-url", args.database_url]
        if Contract.objects.exists():
            command.append("--reset")
        subprocess.run(command, check=True, cwd=BASE, env=env)
        generate_seconds = time.perf_counter() - start
        print(f"portfolio generated in {generate_seconds:.1f}s")
    else:
        print(f"reusing the {args.contracts:,} contracts already waiting for {day}")

    redis_client = redis.Redis.from_url(args.broker_url)
    redis_client.flushdb()
    workers = start_workers(args.workers, env, Path(var_dir))
    try:
        wait_ready(app, workers)
        print(f"{len(workers)} workers ready; sending the night of {day}")
        since = timezone.now()
        seconds, quiet = run_night(
            app=app, redis_client=redis_client, workers=workers, business_date=day, timeout=args.timeout
        )
        notices = Notice.objects.filter(created_at__gte=since).count()
        deliveries_queued = int(redis_client.llen(DELIVERY_QUEUE))
        print(
            f"night (sweep + ladder): {seconds:.2f}s, {notices:,} notices, {args.contracts / seconds:,.0f} "
            f"contracts/s; workers quiet (queued deliveries done) after {quiet:.2f}s"
        )
        rerun_since = timezone.now()
        _, rerun_seconds = run_night(
            app=app, redis_client=redis_client, workers=workers, business_date=day, timeout=args.timeout
        )
        rerun_notices = Notice.objects.filter(created_at__gte=rerun_since).count()
        print(f"re-run of {day}: {rerun_seconds:.2f}s, {rerun_notices} new notices")
        for w in workers:
            w.sample()
    finally:
        stop_workers(workers)
    peak = max(w.peak_mib for w in workers)
    print("peak RSS per worker: " + ", ".join(f"{w.name.split('@')[0]} {w.peak_mib:.0f} MiB" for w in workers))

    floor_seconds = None
    if not args.skip_floor:
        floor_seconds = run_floor(args.database_url, args.contracts, day)
        print(f"floor (sweep_floor.sql): {floor_seconds:.2f}s; ratio {seconds / floor_seconds:.1f}")
    result = {
        "contracts": args.contracts,
        "seconds": round(seconds, 3),
        "quiet_seconds": round(quiet, 3),
        "delivery_tasks_queued": deliveries_queued,
        "notices": notices,
        "peak_rss_mib": round(peak, 1),
        "rerun_seconds": round(rerun_seconds, 3),
        "rerun_notices": rerun_notices,
        "floor_seconds": round(floor_seconds, 3) if floor_seconds is not None else None,
        "ratio_to_floor": round(seconds / floor_seconds, 2) if floor_seconds else None,
        "workers": args.workers,
        "generate_seconds": round(generate_seconds, 1) if generate_seconds is not None else None,
        "business_date": day.isoformat(),
        "machine": machine(),
        "date": dt.date.today().isoformat(),
    }
    if args.write:
        write_row(args.write, result)
        print(f"appended a row to {args.write}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
