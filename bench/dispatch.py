"""Benchmark: delivering N email notices through the outbox and real Celery workers (not a test).

    .venv/bin/python bench/dispatch.py --messages 20000 [--workers 2] [--smtp-port P]
                                       [--sms-gateway-rate R] [--kill-worker-after S]
                                       [--bare-messages M] [--database-url URL] [--broker-url URL]

Each run uses a fresh disposable PostgreSQL database (default fairdue_dispatch, dropped and
migrated) and a Redis broker database it empties. It opens N customers whose local time is
inside every contact window right now, and schedules one email each through the product's own
outbox (``notice_prepare``: the active default template rendered, the compliance engine's
verdict; ``notices_write``; ``delivery_enqueue`` after commit). Then W ``celery -A portal worker``
processes and one beat (the relay) deliver them to the SMTP server on 127.0.0.1:P; without
``--smtp-port`` it starts its own aiosmtpd server (``bench/dispatch_servers.py``) that counts
messages by Message-ID. ``seconds`` runs from the first message the server accepted to the last.
In the same run, on the same server, a bare ``smtplib`` client sends the same messages (the
first M, default min(N, 20000)) over one connection: ``bare_smtplib_rate``, and ``ratio``.

``--kill-worker-after S``: S seconds into the delivery, at the first instant it holds rows,
``kill -9`` of the first worker (and its pool); reports the rows it had claimed (in flight),
lost messages, duplicates (each with the same Message-ID as its original, by construction of
the count) and the seconds until every row it held was sent by the others.

``--sms-gateway-rate R``: the notices are SMS instead, through ``HttpSmsGateway`` to a local
stub that accepts R requests per second (429 above); reports sent/s against R and the most
messages one number received in any minute. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import zoneinfo
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

BASE = Path(__file__).resolve().parents[1]
for path in (BASE, BASE / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from sweep import machine, start_workers, stop_workers, wait_ready  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fairdue_dispatch"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/10"
SERVERS = BASE / "bench" / "dispatch_servers.py"
FINAL = ("sent", "delivered", "failed", "dropped", "skipped")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def daytime_zone() -> str:
    """A fixed-offset IANA zone where it is early afternoon now: every contact window is open."""
    now = dt.datetime.now(dt.UTC)
    offset = (14 - now.hour) % 24
    offset = offset - 24 if offset > 12 else offset
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # Etc/GMT-8 is UTC+8


def open_customers(count: int, *, sms: bool) -> list[Any]:
    from accounts.models import CustomerProfile, User

    zone = "Asia/Shanghai" if sms else daytime_zone()
    zoneinfo.ZoneInfo(zone)
    users = User.objects.bulk_create(
        [User(email=f"d{n}@dispatch.bench", password="!", full_name=f"Bench {n}") for n in range(count)],
        batch_size=5000,
    )
    profiles = [
        CustomerProfile(
            user=user,
            customer_number=f"D{n:09d}",
            legal_name=f"测试客户{n}",
            email=user.email or "",
            phone=f"+86139{n:08d}" if sms else "",
            timezone=zone,
        )
        for n, user in enumerate(users)
    ]
    return CustomerProfile.objects.bulk_create(profiles, batch_size=5000)


def schedule(profiles: list[Any], channel: str) -> int:
    """One notice per customer through the product's outbox, in chunks (one transaction each)."""
    from django.db import transaction
    from django.utils import timezone, translation

    from notices.delivery_inputs import batch_inputs_load
    from notices.models import Notice, NoticeStatus, Purpose
    from notices.selectors import active_template, opt_out_text
    from notices.services.outbox import delivery_enqueue, notice_prepare, notices_write

    # The default texts: an overdue reminder by email, a reminder before the due date by SMS.
    purpose = Purpose.PRE_DUE_REMINDER if channel == "sms" else Purpose.OVERDUE_REMINDER
    template = active_template(purpose, channel, "zh-hans")
    assert template is not None, "no default template"
    with translation.override(template.locale):
        opt_out = opt_out_text(channel)
    pending = 0
    for start in range(0, len(profiles), 2000):
        chunk = profiles[start : start + 2000]
        now = timezone.now()
        stubs = [Notice(customer=p, contract=None) for p in chunk]
        inputs = batch_inputs_load(stubs, now=now)
        prepared = []
        for profile, stub in zip(chunk, stubs, strict=True):
            context = {
                "customer_name": profile.legal_name,
                "company_name": "Fairdue",
                "contract_number": f"B{profile.pk:08d}",
                "amount_due": "1,234.50",
                "due_date": "2026-12-09",
                "days_overdue": "3",
                "deadline": "2026-12-09",
                "pay_url": "https://fairdue.example/pay/",
                "dispute_url": "https://fairdue.example/me/appeals/new/",
                "opt_out": opt_out,
            }
            prepared.append(
                notice_prepare(
                    profile=profile,
                    contract=None,
                    step=None,
                    purpose=purpose,
                    channel=channel,
                    key=f"bench:{profile.pk}:{channel}",
                    template=template,
                    context=context,
                    now=now,
                    system="bench",
                    judge=partial(inputs.judge, stub),
                )
            )
        with transaction.atomic():
            written = notices_write(prepared, now=now)
            ready = [n.pk for n in written if n.status == NoticeStatus.PENDING]
            delivery_enqueue(ready)
        pending += len(ready)
    return pending


def start_server(kind: str, port: int, stats: Path, rate: float = 0.0) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(SERVERS), kind, "--port", str(port), "--stats", str(stats)]
    if kind == "sms":
        command += ["--rate", str(rate)]
    process = subprocess.Popen(command, cwd=BASE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return process
        time.sleep(0.2)
    raise SystemExit(f"the {kind} server did not start")


def read_stats(stats: Path) -> dict[str, Any]:
    return json.loads(stats.read_text())


def bare_smtplib(port: int, count: int) -> float:
    """The floor: the same messages (as the product built them) over one plain connection."""
    from django.conf import settings
    from django.core.mail import EmailMessage

    from notices.models import Notice

    messages = []
    for notice in Notice.objects.filter(channel="email").order_by("pk")[:count]:
        email = EmailMessage(
            subject=notice.subject,
            body=notice.body,
            to=[notice.recipient],
            headers={"Message-ID": f"<bare-{notice.pk}@bench>", "X-Fairdue-Notice": str(notice.pk)},
        )
        messages.append((notice.recipient, email.message().as_bytes(linesep="\r\n")))
    sender = settings.DEFAULT_FROM_EMAIL
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.sendmail(sender, ["reset@bench.invalid"], b"Subject: reset\r\n\r\nreset\r\n")
        start = time.perf_counter()
        for recipient, raw in messages:
            client.sendmail(sender, [recipient], raw)
        seconds = time.perf_counter() - start
        client.sendmail(sender, ["reset@bench.invalid"], b"Subject: reset\r\n\r\nreset\r\n")
    return len(messages) / seconds


def in_flight_of(pids: list[int]) -> list[int]:
    from notices.models import Notice

    rows = Notice.objects.filter(status="sending").values_list("pk", "claimed_by")
    return [pk for pk, claim in rows if any(f":{pid}:" in claim for pid in pids)]


def kill_worker(worker: Any) -> tuple[list[int], float] | None:
    """``kill -9`` of the worker and its pool while it holds rows (claimed, not recorded): those rows.

    The worker is frozen first (``SIGSTOP``) so the rows it holds cannot change while they are read;
    holding none at that instant, it is let go again (``SIGCONT``) and None is returned, to try later.
    """
    pids = worker.pids()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)
    held = in_flight_of(pids)
    if not held:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        return None
    for pid in reversed(pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return held, time.monotonic()


def wait_done(expected: int, workers: list[Any], *, timeout: float, kill_after: float | None) -> dict[str, Any]:
    from notices.models import Notice

    found: dict[str, Any] = {} if kill_after is None else {"in_flight_at_kill": 0}
    start = time.monotonic()
    killed_at = None
    held: list[int] = []
    while True:
        waiting_to_kill = kill_after is not None and killed_at is None
        time.sleep(0.05 if waiting_to_kill and time.monotonic() - start >= kill_after else 0.5)
        elapsed = time.monotonic() - start
        if waiting_to_kill and elapsed >= kill_after and (killed := kill_worker(workers[0])) is not None:
            held, killed_at = killed
            found["in_flight_at_kill"] = len(held)
            print(f"killed {workers[0].name} with {len(held)} rows in flight", file=sys.stderr)
        recovered = killed_at is not None and not Notice.objects.filter(pk__in=held, status="sending").exists()
        if recovered and killed_at is not None and "recovered_seconds" not in found:
            found["recovered_seconds"] = round(time.monotonic() - killed_at, 1)
        done = Notice.objects.filter(status__in=FINAL).count()
        if done >= expected and (killed_at is None or "recovered_seconds" in found):
            found["delivery_wall_seconds"] = round(elapsed, 1)
            return found
        if elapsed > timeout:
            raise SystemExit(f"only {done} of {expected} notices done within {timeout:.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--smtp-port", type=int)
    parser.add_argument("--sms-gateway-rate", type=float)
    parser.add_argument("--kill-worker-after", type=float)
    parser.add_argument("--bare-messages", type=int)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DISPATCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--broker-url", default=DEFAULT_BROKER_URL, help="a Redis database this run may empty")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    sms = args.sms_gateway_rate is not None
    channel = "sms" if sms else "email"

    fresh_database(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="fairdue-dispatch-"))
    servers: list[subprocess.Popen[bytes]] = []
    smtp_stats = work / "smtp.json"
    smtp_port = args.smtp_port
    if smtp_port is None:
        smtp_port = free_port()
        servers.append(start_server("smtp", smtp_port, smtp_stats))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "REDIS_URL": args.broker_url.rsplit("/", 1)[0] + "/11",
        "FAIRDUE_VAR_DIR": str(work / "var"),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    sms_stats = work / "sms.json"
    if sms:
        sms_port = free_port()
        servers.append(start_server("sms", sms_port, sms_stats, args.sms_gateway_rate))
        env.update(
            {
                "SMS_BACKEND": "notices.channels.sms.HttpSmsGateway",
                "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/send",
                "SMS_GATEWAY_KEY_ID": "bench",
                "SMS_GATEWAY_SECRET": "bench-secret",
                "SMS_GATEWAY_RATE": str(args.sms_gateway_rate),
                "SMS_DAILY_LIMIT_PER_NUMBER": "10",
            }
        )
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from notices.defaults import install_defaults
    from portal.celery import app

    try:
        call_command("migrate", verbosity=0)
        install_defaults()
        redis.Redis.from_url(args.broker_url).flushdb()
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        t0 = time.perf_counter()
        profiles = open_customers(args.messages, sms=sms)
        pending = schedule(profiles, channel)
        schedule_seconds = time.perf_counter() - t0
        print(f"scheduled {pending} of {args.messages} in {schedule_seconds:.1f}s", file=sys.stderr)
        workers = start_workers(args.workers, env, work)
        beat = subprocess.Popen(
            [
                *[sys.executable, "-m", "celery", "-A", "portal", "beat"],
                "--loglevel=WARNING",
                f"--schedule={work}/beat",
            ],
            cwd=BASE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_ready(app, workers)
            found = wait_done(pending, workers, timeout=args.timeout, kill_after=args.kill_worker_after)
            time.sleep(2)  # a late duplicate would arrive now
        finally:
            beat.terminate()
            stop_workers([w for w in workers if w.process.poll() is None])
        result: dict[str, Any] = {"bench": "dispatch", "channel": channel, "messages": pending, **machine()}
        result["workers"] = args.workers
        result["schedule_seconds"] = round(schedule_seconds, 1)
        result.update(found)
        if sms:
            servers[-1].terminate()
            servers[-1].wait(10)
            figures = read_stats(sms_stats)
            seconds = (figures["last"] or 0) - (figures["first"] or 0)
            rate = (figures["unique"] - 1) / seconds if seconds > 0 else 0.0
            result.update(
                {
                    "seconds": round(seconds, 2),
                    "rate": round(rate, 1),
                    "gateway_limit": args.sms_gateway_rate,
                    "share_of_limit": round(rate / args.sms_gateway_rate, 3),
                    "refused_429": figures["rejected"],
                    "busiest_second": figures["busiest_second"],
                    "max_per_number_per_minute": figures["max_per_number_per_minute"],
                    "per_number_cap_per_minute": float(os.environ.get("SMS_PER_NUMBER_PER_MINUTE", "2")),
                    "duplicates": figures["duplicates"],
                    "lost": pending - figures["unique"],
                }
            )
        elif args.smtp_port is None:
            figures = read_stats(smtp_stats)
            seconds = (figures["last"] or 0) - (figures["first"] or 0)
            rate = (figures["unique"] - 1) / seconds if seconds > 0 else 0.0
            bare_count = args.bare_messages or min(pending, 20000)
            bare = bare_smtplib(smtp_port, bare_count)
            result.update(
                {
                    "seconds": round(seconds, 2),
                    "rate": round(rate, 1),
                    "bare_smtplib_messages": bare_count,
                    "bare_smtplib_rate": round(bare, 1),
                    "ratio": round(rate / bare, 3),
                    "duplicates": figures["duplicates"],
                    "duplicated_ids": figures["duplicated_ids"][:5],
                    "lost": pending - figures["unique"],
                }
            )
        else:
            from django.db.models import Max, Min

            from notices.models import Notice

            span = Notice.objects.filter(status="sent").aggregate(first=Min("sent_at"), last=Max("sent_at"))
            seconds = (span["last"] - span["first"]).total_seconds() if span["first"] else 0.0
            result.update({"seconds": round(seconds, 2), "rate": round(pending / seconds, 1) if seconds else 0.0})
            result.update({"bare_smtplib_rate": None, "ratio": None, "duplicates": None})
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
