"""Counters per fixed time window, kept in the cache (Redis in production).

One primitive for the request limits (login codes, checkouts) and for aggregating repeated
refusals, so that a flood of requests costs a cache increment each, not a database row.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def _now() -> float:
    return time.time()


def _key(scope: str, key: str, suffix: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}:{suffix}"


def _incr(cache_key: str, *, timeout: int, by: int = 1) -> int:
    cache.add(cache_key, 0, timeout=timeout)
    try:
        return int(cache.incr(cache_key, by))
    except ValueError:  # expired between add and incr
        cache.set(cache_key, by, timeout=timeout)
        return by


@dataclass(frozen=True)
class WindowHit:
    """The ``count``-th hit of ``key`` in the window that started at ``window_start``."""

    count: int
    window_start: float
    window_seconds: int

    @property
    def first(self) -> bool:
        return self.count == 1


def window_hit(scope: str, key: str, *, window_seconds: int) -> WindowHit:
    """Count one hit of ``key`` (e.g. an IP address) in the current window of ``scope``."""
    index = int(_now() // window_seconds)
    count = _incr(_key(scope, key, str(index)), timeout=window_seconds + 60)
    return WindowHit(count=count, window_start=index * window_seconds, window_seconds=window_seconds)


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` hits per ``window_seconds`` for each key of ``scope``."""

    scope: str
    limit: int
    window_seconds: int

    def hit(self, key: str) -> WindowHit:
        return window_hit(self.scope, key, window_seconds=self.window_seconds)

    def exceeded(self, hit: WindowHit) -> bool:
        return hit.count > self.limit

    def first_excess(self, hit: WindowHit) -> bool:
        """The first hit over the limit in its window (the one worth recording)."""
        return hit.count == self.limit + 1


# Pending counts are kept this long waiting for the next window's report.
PENDING_SECONDS = 7 * 24 * 3600


def pending_add(scope: str, key: str) -> int:
    """Add one to the not-yet-reported count of ``key``; the new total."""
    return _incr(_key(scope, key, "pending"), timeout=PENDING_SECONDS)


def pending_take(scope: str, key: str, count: int) -> None:
    """``count`` of the pending hits have been reported."""
    _incr(_key(scope, key, "pending"), timeout=PENDING_SECONDS, by=-count)


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def throttle_request(
    request: HttpRequest,
    checks: Sequence[tuple[Limit, str]],
    *,
    on_first_excess: Callable[[Limit, WindowHit], None],
) -> HttpResponse | None:
    """Count this request against each (limit, key); ``None`` while all are within their limit,
    else the 429 page. ``on_first_excess`` runs once per limit and window (to audit it)."""
    hits = [(limit, limit.hit(key)) for limit, key in checks if key]
    exceeded = [(limit, hit) for limit, hit in hits if limit.exceeded(hit)]
    if not exceeded:
        return None
    for limit, hit in exceeded:
        if limit.first_excess(hit):
            on_first_excess(limit, hit)
    retry_after = max(int(hit.window_start + hit.window_seconds - _now()) + 1 for _limit, hit in exceeded)
    minutes = max(1, -(-retry_after // 60))
    message = ngettext(
        "Too many attempts. Please wait %(minutes)s minute and try again.",
        "Too many attempts. Please wait %(minutes)s minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, "rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
