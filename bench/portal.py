"""Benchmark: the customer pages under load, served as in production (not a test).

    .venv/bin/python bench/portal.py [--customers 64] [--contracts-each 4] [--connections 32]
                                     [--duration 20] [--workers 2] [--database-url URL]
                                     [--redis-url redis://127.0.0.1:6379/14] [--reset]
                                     [--write docs/BENCHMARKS.md]

A disposable PostgreSQL database (default ``fairdue_ops_bench``, created and migrated if
missing) gets N customers made through the product's own services: each with K loans of 24
installments, a part payment on each, swept to yesterday (penalty interest and late fees on
the overdue ones), and a repayment plan request on one. gunicorn then serves the app exactly
as production would (``DJANGO_ENV=production``: DEBUG off, the full middleware stack,
whitenoise with collected static files, Redis cache and sessions, W sync workers), and the
bench signs every customer in through the real login page (CSRF and all) to get one session
cookie each. wrk (``apt-get install wrk``) then runs, one after another in the same run, at C
connections for D seconds each:

- the login page (anonymous GET: the baseline);
- the dashboard ``/me/`` and the contract page ``/me/contracts/<id>/``, each request with the
  next customer's session cookie (``bench/portal_wrk.lua`` rotates them; any answer other than
  200 is counted and fails the run, so a lost session cannot pass as a fast redirect).

It prints req/s, p50 and p99 for each, the ratios to the login page, the machine's load
(``uptime``) before and after, and with ``--write`` puts them in docs/BENCHMARKS.md. When a
target is missed (a page below 0.5x the login page's req/s, or p99 above 3x its p99) it adds an
in-process profile of that page (cProfile, top functions by cumulative time) under the figures.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from bench.sweep import ensure_database, machine  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fairdue_ops_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
LUA = BASE / "bench" / "portal_wrk.lua"
PASSWORD = "Bench-portal-2026"
SECTION = "## Customer pages under load (`bench/portal.py`)"
SECTION_TEXT = """
{section}

`bench/portal.py`: gunicorn as in production (`DJANGO_ENV=production`, DEBUG off, every
middleware, whitenoise, Redis cache and sessions, sync workers) on PostgreSQL; N customers made
through the services (K loans of 24 installments each, part-paid, swept to yesterday, a plan
request), each signed in through the login page. wrk at C connections, one page after another
in the same run: the login page (anonymous), the dashboard and the contract page (every request
with the next customer's session cookie; anything but a 200 fails the run). Targets: dashboard
and contract page each at least 0.5x the login page's req/s, p99 at most 3x its p99.
"""


@dataclass
class Figures:
    page: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int


def build_env(args: argparse.Namespace, static_root: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    redis_base = args.redis_url.rsplit("/", 1)[0]
    redis_db = int(args.redis_url.rsplit("/", 1)[1])
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": args.database_url,
            "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "REDIS_URL": args.redis_url,
            "CELERY_BROKER_URL": f"{redis_base}/{redis_db + 1}",
            "DJANGO_SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy; wrk talks plain HTTP
            "STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
            "FAIRDUE_VAR_DIR": str(static_root.parent / "var"),
            "DJANGO_SILENCED_SYSTEM_CHECKS": "appeals.W001",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    return env


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> list[tuple[str, int]]:
    """Migrate, make the customers (unless they are there), return (login, contract id) pairs."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    return customers_ready(args)


def customers_ready(args: argparse.Namespace) -> list[tuple[str, int]]:
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import User
    from accounts.services import customer_create
    from contracts.models import Contract
    from contracts.services import delinquency_sweep_range, payment_post, plan_propose
    from portal.demo import _demo_products, _terms

    _demo_products()
    logins = [f"bench{n:05d}@bench.fairdue.example" for n in range(args.customers)]
    existing = set(User.objects.filter(email__in=logins).values_list("email", flat=True))
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    made = 0
    for n, email in enumerate(logins):
        if email in existing:
            continue
        profile = customer_create(actor=None, legal_name=f"压测客户{n}", password=PASSWORD, email=email)
        for k in range(args.contracts_each):
            overdue = (n + k) % 2 == 0
            start = today - dt.timedelta(days=(200 if overdue else 20) + 7 * k)
            contract = contract_create_for(profile, start, Decimal("24000.00"), _terms("demo-loan"))
            payment_post(
                actor=None,
                contract_id=contract.pk,
                channel="bank_transfer",
                external_reference=f"bench-{contract.pk}",
                amount=Decimal("300.00"),
                received_at=timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=30), dt.time(12))),
            )
            delinquency_sweep_range(business_date=yesterday, first_id=contract.pk, last_id=contract.pk)
            if k == 0 and overdue:
                plan_propose(actor=None, contract_id=contract.pk, months=6, reason="压测", on=today)
        made += 1
    if made:
        print(f"made {made} customers with {args.contracts_each} contracts each")
    first_contract = {
        email: pk
        for pk, email in Contract.objects.filter(customer__user__email__in=logins)
        .order_by("-pk")
        .values_list("pk", "customer__user__email")
    }
    return [(email, first_contract[email]) for email in logins]


def contract_create_for(profile: Any, start: dt.date, principal: Any, terms: Any) -> Any:
    from django.utils import timezone

    from contracts.services import contract_create

    return contract_create(
        actor=None,
        customer=profile,
        terms=terms,
        principal=principal,
        term=24,
        start_date=start,
        signed_at=timezone.make_aware(dt.datetime.combine(start, dt.time(12))),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Any:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=BASE, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            else:
                raise RuntimeError("gunicorn did not answer /healthz within 60 s")
            yield process
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            if process.poll() is None:
                process.kill()


def _cookies(response: Any) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in(base_url: str, login: str) -> str:
    """A real session through the login page: GET (CSRF cookie and token), POST the form."""
    opener = urllib.request.build_opener(_NoRedirect)
    page = opener.open(f"{base_url}/accounts/login/", timeout=30)
    jar = _cookies(page)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    body = urllib.parse.urlencode(
        {"username": login, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/accounts/login/",
        data=body,
        headers={"Cookie": f"csrftoken={jar['csrftoken']}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        answer = opener.open(request, timeout=30)
    except urllib.error.HTTPError as redirect:  # the 302 after a successful sign-in
        answer = redirect
    jar.update(_cookies(answer))
    if answer.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in of {login} failed with HTTP {answer.status}")
    return f"sessionid={jar['sessionid']}"


def check_page(base_url: str, path: str, cookie: str) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"{base_url}{path}", headers={"Cookie": cookie})
    try:
        status = opener.open(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise RuntimeError(f"{path} answered {status} before the run")


def run_wrk(args: argparse.Namespace, url: str, page: str, targets: Path | None) -> Figures:
    env = dict(os.environ)
    if targets is not None:
        env["FAIRDUE_BENCH_TARGETS"] = str(targets)
    command = [
        "wrk",
        "--threads",
        str(min(args.connections, os.cpu_count() or 2)),
        "--connections",
        str(args.connections),
        "--duration",
        f"{args.duration}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA),
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("FAIRDUE "))
    values = dict(part.split("=", 1) for part in line.split()[1:])
    return Figures(
        page=page,
        requests_per_second=float(values["rps"]),
        p50_ms=float(values["p50"]) / 1000,
        p99_ms=float(values["p99"]) / 1000,
        requests=int(values["requests"]),
        bad=int(values["bad"]),
    )


def profile_page(path: str, login: str, requests: int = 50) -> str:
    """cProfile of the page in this process (same settings), top 25 by cumulative time."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/accounts/login/", {"username": login, "password": PASSWORD})
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def write_results(path: Path, result: dict[str, Any], profiles: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n" + SECTION_TEXT.format(section=SECTION)
    head, _, tail = text.partition(SECTION)
    body, sep, rest = tail.partition("\n## ")
    lines = [body.rstrip("\n"), ""]
    m = result["machine"]
    lines.append(
        f"### {result['date']}: {m['cpu']}, {m['cores']} cores; N = {result['customers']} customers × "
        f"{result['contracts_each']} contracts; {result['connections']} connections, {result['duration']} s per page, "
        f"{result['workers']} gunicorn workers"
    )
    lines += ["", f"Load before: `{result['load_before']}`; after: `{result['load_after']}`", ""]
    lines += ["| page | req/s | p50 ms | p99 ms | req/s ÷ login | p99 ÷ login | requests | not 200 |"]
    lines += ["| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in result["pages"]:
        lines.append(
            f"| {row['page']} | {row['requests_per_second']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['rps_ratio']:.2f} | {row['p99_ratio']:.2f} | {row['requests']} | {row['bad']} |"
        )
    lines.append("")
    verdict = "met" if result["targets_met"] else "**missed**"
    lines.append(f"Targets (≥ 0.5× the login page's req/s, p99 ≤ 3× its p99): {verdict}.")
    for page, profile in profiles.items():
        lines += ["", f"Profile of {page} (in process, 50 requests, by cumulative time):", "", "```", profile, "```"]
    lines.append("")
    path.write_text(head + SECTION + "\n".join(lines) + (sep + rest if sep else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=64)
    parser.add_argument("--contracts-each", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--reset", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--write", type=Path, help="put the figures in this Markdown file (docs/BENCHMARKS.md)")
    args = parser.parse_args()

    if args.reset:
        import psycopg

        parsed = urllib.parse.urlparse(args.database_url)
        admin = urllib.parse.urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')
    ensure_database(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="fairdue-bench-portal-"))
    env = build_env(args, work / "static")
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=False, capture_output=True)
    accounts = prepare_database(args, env)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    load_before = uptime()
    with gunicorn(env, port, args.workers, work / "gunicorn.log"):
        sessions = [(sign_in(base_url, login), contract) for login, contract in accounts]
        for cookie, contract in sessions[:3]:
            check_page(base_url, "/me/", cookie)
            check_page(base_url, f"/me/contracts/{contract}/", cookie)
        dashboard_targets = work / "dashboard.tsv"
        dashboard_targets.write_text("".join(f"{cookie}\t/me/\n" for cookie, _ in sessions))
        contract_targets = work / "contract.tsv"
        contract_targets.write_text("".join(f"{cookie}\t/me/contracts/{pk}/\n" for cookie, pk in sessions))
        login_page = run_wrk(args, f"{base_url}/accounts/login/", "login page", None)
        dashboard = run_wrk(args, f"{base_url}/me/", "dashboard", dashboard_targets)
        contract_page = run_wrk(args, f"{base_url}/me/contracts/", "contract page", contract_targets)
    load_after = uptime()
    pages = []
    targets_met = True
    profiles: dict[str, str] = {}
    for figures in (login_page, dashboard, contract_page):
        row = figures.__dict__ | {
            "rps_ratio": figures.requests_per_second / login_page.requests_per_second,
            "p99_ratio": figures.p99_ms / login_page.p99_ms,
        }
        if figures is not login_page and (row["rps_ratio"] < 0.5 or row["p99_ratio"] > 3):
            targets_met = False
            path = "/me/" if figures is dashboard else f"/me/contracts/{accounts[0][1]}/"
            profiles[figures.page] = profile_page(path, accounts[0][0])
        pages.append(row)
    if any(f.bad for f in (dashboard, contract_page)):
        raise SystemExit(f"requests answered other than 200: dashboard {dashboard.bad}, contract {contract_page.bad}")
    result = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "customers": args.customers,
        "contracts_each": args.contracts_each,
        "connections": args.connections,
        "duration": args.duration,
        "workers": args.workers,
        "load_before": load_before,
        "load_after": load_after,
        "pages": pages,
        "targets_met": targets_met,
    }
    for row in pages:
        print(
            f"{row['page']:>14}: {row['requests_per_second']:8.1f} req/s  p50 {row['p50_ms']:7.1f} ms  "
            f"p99 {row['p99_ms']:7.1f} ms  (÷ login: {row['rps_ratio']:.2f} req/s, {row['p99_ratio']:.2f} p99)"
        )
    print(f"load before: {load_before}\nload after:  {load_after}")
    if args.write:
        write_results(args.write, result, profiles)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
