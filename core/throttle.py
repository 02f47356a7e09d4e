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
        value = cache.incr(cache_key, by)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, by, timeout=timeout)
        return by
    # None: the cache is unreachable (its errors are logged and ignored). Nothing is counted, so
    # nothing is limited until it is back; the requests themselves keep working.
    return 0 if value is None else int(value)


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


# --- token buckets (rates that hold across processes) -----------------------------------------
_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = (cost - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return tostring(wait)
"""


def _redis_client() -> object | None:
    client = getattr(cache, "client", None)  # django-redis (production, CI)
    if client is not None and hasattr(client, "get_client"):
        return client.get_client(write=True)
    inner = getattr(cache, "_cache", None)
    get_client = getattr(inner, "get_client", None)
    if get_client is None or "redis" not in type(cache).__module__:
        return None
    return get_client(write=True)


def bucket_take(scope: str, key: str, *, rate: float, capacity: float, cost: float = 1.0) -> float:
    """Take ``cost`` tokens from the bucket of ``key`` (refilled at ``rate`` per second up to
    ``capacity``): 0.0 when taken, else the seconds to wait before trying again (nothing taken).

    On Redis one Lua script does it atomically with the server's clock, so the rate holds for
    every process sharing the cache; other caches (local memory: one process) keep the state as
    a cache value, good enough where there is one process."""
    cache_key = _key(scope, key, "bucket")
    client = _redis_client()
    if client is not None:
        answer = client.eval(_BUCKET_SCRIPT, 1, cache.make_key(cache_key), rate, capacity, cost)  # type: ignore[attr-defined]
        return float(answer.decode() if isinstance(answer, bytes) else answer)
    now = _now()
    tokens, at = cache.get(cache_key) or (capacity, now)
    tokens = min(capacity, tokens + max(0.0, now - at) * rate)
    wait = 0.0
    if tokens >= cost:
        tokens -= cost
    else:
        wait = (cost - tokens) / rate
    cache.set(cache_key, (tokens, now), timeout=int(capacity / rate) + 60)
    return wait
