"""The servers ``bench/dispatch.py`` delivers to, each run as its own process (not a test).

    python bench/dispatch_servers.py smtp --port P --stats FILE
    python bench/dispatch_servers.py sms --port P --rate R --stats FILE

``smtp``: an aiosmtpd server that accepts every message and counts them by Message-ID (first
and last acceptance time, duplicates). A message to ``reset@bench.invalid`` starts the count
afresh, so the bare smtplib client and the product can be measured on the same server.
``sms``: an HTTP gateway stub that accepts at most R requests per second (a token bucket
holding one second's worth; HTTP 429 above it), counts accepted messages per ``client_ref``
and per number, and records the busiest second and the busiest minute of any one number.
Both write their figures as JSON to FILE when they receive SIGTERM (and every second).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RESET_RECIPIENT = "reset@bench.invalid"


class Figures:
    def __init__(self, stats: Path) -> None:
        self.stats = stats
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.ids: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float | None = None
        self.rejected = 0
        self.per_second: Counter[int] = Counter()
        self.per_number: defaultdict[str, deque[float]] = defaultdict(deque)
        self.max_per_number_minute = 0

    def accept(self, ident: str, number: str = "") -> None:
        now = time.time()
        with self.lock:
            self.ids[ident] += 1
            self.first = self.first or now
            self.last = now
            self.per_second[int(now)] += 1
            if number:
                window = self.per_number[number]
                window.append(now)
                while window and window[0] < now - 60:
                    window.popleft()
                self.max_per_number_minute = max(self.max_per_number_minute, len(window))

    def write(self) -> None:
        with self.lock:
            seconds = sorted(self.per_second)
            full = [self.per_second[s] for s in seconds[1:-1]]  # whole seconds only
            data: dict[str, Any] = {
                "messages": sum(self.ids.values()),
                "unique": len(self.ids),
                "duplicates": sum(n - 1 for n in self.ids.values()),
                "duplicated_ids": sorted(i for i, n in self.ids.items() if n > 1)[:50],
                "first": self.first,
                "last": self.last,
                "rejected": self.rejected,
                "busiest_second": max(full, default=max(self.per_second.values(), default=0)),
                "max_per_number_per_minute": self.max_per_number_minute,
            }
        partial = self.stats.with_suffix(".partial")
        partial.write_text(json.dumps(data))
        partial.replace(self.stats)


def _message_id(content: bytes) -> str:
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line[:11].lower() == b"message-id:":
            return line[11:].strip().decode("ascii", "replace")
    return ""


class SmtpHandler:
    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    async def handle_DATA(self, server: Any, smtp_state: Any, envelope: Any) -> str:
        if RESET_RECIPIENT in envelope.rcpt_tos:
            with self.figures.lock:
                self.figures.reset()
            return "250 OK"
        self.figures.accept(_message_id(envelope.content))
        return "250 OK"


def serve_smtp(port: int, figures: Figures) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(SmtpHandler(figures), hostname="127.0.0.1", port=port)
    controller.start()
    _wait_for_term(figures)
    controller.stop()


class Bucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = rate  # one second's worth
        self.tokens = rate
        self.at = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


def serve_sms(port: int, rate: float, figures: Figures) -> None:
    bucket = Bucket(rate)
    counter = iter(range(1, 10**9))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not bucket.take():
                with figures.lock:
                    figures.rejected += 1
                self._answer(429, b'{"error": "rate"}', {"Retry-After": "1"})
                return
            payload = json.loads(body)
            figures.accept(str(payload.get("client_ref", "")), str(payload.get("to", "")))
            self._answer(200, json.dumps({"message_id": f"gw-{next(counter)}"}).encode())

        def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _wait_for_term(figures)
    server.shutdown()


def _wait_for_term(figures: Figures) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1.0):
        figures.write()
    figures.write()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["smtp", "sms"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args()
    figures = Figures(args.stats)
    figures.write()
    if args.kind == "smtp":
        serve_smtp(args.port, figures)
    else:
        serve_sms(args.port, args.rate, figures)
    sys.exit(0)


if __name__ == "__main__":
    main()
