"""Benchmark: the field-service dispatch API at a million contracts (not a test).

    .venv/bin/python bench/portfolio.py --contracts 1000000 --database-url URL   # once
    .venv/bin/python bench/eligibility.py --database-url URL [--connections 8] [--duration 20]
                                          [--workers 2] [--sample 20000] [--write docs/BENCHMARKS.md]
        (--connections takes a comma-separated list, default 2,8: one wrk run each)

On a PostgreSQL database filled by ``bench/portfolio.py`` (its customers and contracts of four
products, the service subscriptions among them allowed, notified, suspended or restored as
the nights left them), the bench issues one API token with the ``eligibility:read`` scope
through the product's own service (its client's rate limit raised so the limiter does not
answer 429 under load), picks ``--sample`` customers at random (a third of them with an on-site
service contract) and asks ``GET /api/v1/service-eligibility?customer=<number>`` of gunicorn
served as in production (``bench/portal.py``'s settings: DEBUG off, every middleware, Redis
cache): first one request at a time from one client (what one dispatch system sees), then wrk
at C connections for D seconds, each request for the next customer of the sample. Any answer
other than 200 fails the run. Target: p99 under 50 ms. Prints the figures; with ``--write``
puts them in docs/BENCHMARKS.md. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

from bench.portal import LUA, build_env, free_port, gunicorn, uptime  # noqa: E402

SECTION = "## Service-eligibility API at a million contracts (`bench/eligibility.py`)"
SECTION_TEXT = """
{section}

`bench/eligibility.py`: `GET /api/v1/service-eligibility?customer=<number>` with a scoped token
(`eligibility:read`), gunicorn as in production on PostgreSQL filled by `bench/portfolio.py`,
every request for another customer of a random sample (a third with an on-site service
contract). One client one request at a time, then wrk at C connections. Target: p99 < 50 ms.
"""
TARGET_P99_MS = 50.0


def prepare(sample: int) -> tuple[str, list[str], dict[str, int]]:
    """The token, the sample of customer numbers, and the counts of the database."""
    import django

    django.setup()
    from django.db import connection

    from accounts.models import ApiClient
    from accounts.services.api_access import api_client_save, api_token_issue

    client = api_client_save(
        actor=None,
        client=ApiClient.objects.filter(name="bench dispatch system").first(),
        name="bench dispatch system",
        rate_per_minute=100_000_000,
    )
    _token, secret = api_token_issue(actor=None, client=client, name="bench", scopes=["eligibility:read"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contracts_contract")
        contracts = cursor.fetchone()[0]
        cursor.execute("SELECT service_state, count(*) FROM contracts_contract GROUP BY 1 ORDER BY 1")
        states = dict(cursor.fetchall())
        cursor.execute(
            """SELECT DISTINCT p.customer_number FROM accounts_customerprofile p
               JOIN contracts_contract c ON c.customer_id = p.id JOIN contracts_product pr ON pr.id = c.product_id
               WHERE pr.kind = 'service_subscription' ORDER BY 1 LIMIT %s""",
            [sample // 3],
        )
        service = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT customer_number FROM accounts_customerprofile TABLESAMPLE SYSTEM (5) LIMIT %s",
            [sample - len(service)],
        )
        others = [row[0] for row in cursor.fetchall()]
    import random

    numbers = service + others
    random.Random(7).shuffle(numbers)
    return secret, numbers, {"contracts": contracts, **{f"service_{k}": v for k, v in states.items()}}


def one_at_a_time(port: int, secret: str, numbers: list[str], requests: int) -> dict[str, float]:
    """Sequential requests over one keep-alive connection: latency as one dispatch system sees it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    for i in range(requests):
        number = numbers[i % len(numbers)]
        start = time.perf_counter()
        conn.request(
            "GET", f"/api/v1/service-eligibility?customer={number}", headers={"Authorization": f"Bearer {secret}"}
        )
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise SystemExit(f"answer {response.status} for {number}: {body[:300]!r}")
    times.sort()
    return {
        "requests": requests,
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
        "max_ms": round(times[-1], 2),
    }


def under_load(
    args: argparse.Namespace, connections: int, port: int, secret: str, numbers: list[str], work: Path
) -> dict[str, Any]:
    targets = work / "eligibility.tsv"
    targets.write_text(
        "".join(f"Bearer {secret}\t/api/v1/service-eligibility?customer={n}\n" for n in numbers), encoding="utf-8"
    )
    env = {**os.environ, "FAIRDUE_BENCH_TARGETS": str(targets), "FAIRDUE_BENCH_HEADER": "Authorization"}
    command = [
        "wrk",
        "--threads",
        str(min(connections, os.cpu_count() or 2)),
        "--connections",
        str(connections),
        "--duration",
        f"{args.duration}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA),
        f"http://127.0.0.1:{port}/",
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("FAIRDUE "))
    values = dict(part.split("=", 1) for part in line.split()[1:])
    if int(values["bad"]):
        raise SystemExit(f"{values['bad']} answers were not 200")
    return {
        "connections": connections,
        "requests_per_second": round(float(values["rps"]), 1),
        "p50_ms": round(float(values["p50"]) / 1000, 2),
        "p99_ms": round(float(values["p99"]) / 1000, 2),
        "requests": int(values["requests"]),
    }


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def write_results(path: Path, result: dict[str, Any]) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + "\n" + SECTION_TEXT.format(section=SECTION)
    head, _, tail = text.partition(SECTION)
    body, sep, rest = tail.partition("\n## ")
    seq = result["one_at_a_time"]
    counts = result["counts"]
    states = ", ".join(f"{k.removeprefix('service_')} {v:,}" for k, v in counts.items() if k.startswith("service_"))
    verdict = "met" if result["target_met"] else "**missed**"
    lines = [
        body.rstrip("\n"),
        "",
        f"### {result['date']}: {result['cpu']}, {result['cores']} cores; N = {counts['contracts']:,} contracts "
        f"(service states: {states}); sample of {result['sample']:,} customers; {result['workers']} gunicorn workers",
        "",
        f"Load before: `{result['load_before']}`; after: `{result['load_after']}`",
        "",
        "| run | requests | req/s | p50 ms | p99 ms |",
        "| --- | --- | --- | --- | --- |",
        f"| one client, one request at a time | {seq['requests']:,} | — | {seq['p50_ms']:.2f} | {seq['p99_ms']:.2f} |",
        *(
            f"| wrk, {load['connections']} connections, {result['duration']} s | {load['requests']:,} | "
            f"{load['requests_per_second']:.0f} | {load['p50_ms']:.2f} | {load['p99_ms']:.2f} |"
            for load in result["under_load"]
        ),
        "",
        f"Target (p99 < {TARGET_P99_MS:.0f} ms, one client and at {result['target_connections']} connections, "
        f"as many as gunicorn workers): {verdict}.",
        "",
    ]
    path.write_text(head + SECTION + "\n".join(lines) + (sep + rest if sep else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--connections", default="2,8")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument("--sequential", type=int, default=3000, help="requests of the one-at-a-time run")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("give the PostgreSQL database bench/portfolio.py filled (--database-url)")
    work = Path(tempfile.mkdtemp(prefix="fairdue-bench-eligibility-"))
    env = build_env(args, work / "static")
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=False, capture_output=True)
    os.environ.update(env)
    secret, numbers, counts = prepare(args.sample)
    port = free_port()
    load_before = uptime()
    with gunicorn(env, port, args.workers, work / "gunicorn.log"):
        one_at_a_time(port, secret, numbers, 200)  # warm both workers
        sequential = one_at_a_time(port, secret, numbers, args.sequential)
        loaded = [
            under_load(args, int(c), port, secret, numbers, work) for c in args.connections.split(",") if c.strip()
        ]
    result = {
        "bench": "eligibility",
        "date": dt.date.today().isoformat(),
        "cpu": cpu(),
        "cores": os.cpu_count(),
        "counts": counts,
        "sample": len(numbers),
        "workers": args.workers,
        "duration": args.duration,
        "one_at_a_time": sequential,
        "under_load": loaded,
        "load_before": load_before,
        "load_after": uptime(),
        "target_connections": args.workers,
        "target_met": sequential["p99_ms"] < TARGET_P99_MS
        and all(load["p99_ms"] < TARGET_P99_MS for load in loaded if load["connections"] <= args.workers),
    }
    print(f"one at a time: p50 {sequential['p50_ms']} ms, p99 {sequential['p99_ms']} ms")
    for load in loaded:
        print(f"wrk {load['connections']} connections: {load['requests_per_second']} req/s, p99 {load['p99_ms']} ms")
    if args.write:
        write_results(args.write, result)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
