"""The demo's past, lived day by day through the real services.

``demo_history_run`` walks every business date from the first demo contract's start to
yesterday. Each day: the customers' and staff's actions of that day (contract signings,
payments, a promise, a plan, a dispute, a visit) at noon; the night's batch as beat starts it
(``nightly_run_start`` and one ``nightly_range_run`` per range: sweep, then ladder) at 00:30
the next morning; then the real delivery service sends the notices due by 09:30 that morning
(in-app messages, letters with their PDFs, SMS and email files, call tasks). The process clock
is moved to each of those moments (``time_machine``), so the compliance engine, the outbox and
the audit trail see the same times they would have seen live: quiet hours defer, the SMS
limits count per day, and every record carries the day it happened.

Only the demo loader moves the clock, in its own management command process; it never runs
in the web or worker processes. The per-number SMS pacing (a real-time token bucket, on Redis
the server's clock) is set aside while replaying, since the replayed days are hours apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import time_machine
from django.test.utils import override_settings
from django.utils import timezone

from notices.selectors import notices_due_ids
from notices.services import nightly_range_run, nightly_run_start, notices_deliver

NIGHT = dt.time(0, 30)  # beat's nightly sweep-and-notify (CELERY_BEAT_SCHEDULE)
MORNING = dt.time(9, 30)  # after the quiet hours in Shanghai, still evening in Chicago
NOON = dt.time(12, 0)

Action = Callable[[], object]  # what it returns is not used


@dataclass
class Timeline:
    """What happens on which day; an action may schedule later ones (a signed contract's
    payments)."""

    events: dict[dt.date, list[Action]] = field(default_factory=lambda: defaultdict(list))
    living: dt.date | None = None  # the day whose actions are running

    def at(self, day: dt.date, action: Action) -> None:
        if self.living is not None and day <= self.living:
            if day < self.living:
                raise ValueError(f"an action for {day} scheduled on {self.living}: the past cannot change")
            self.events[day].append(action)  # later today: runs after the current one
        else:
            self.events[day].append(action)

    def take(self, day: dt.date) -> list[Action]:
        self.living = day
        return self.events.get(day, [])

    def done(self, day: dt.date) -> None:
        self.events.pop(day, None)

    def first_day(self) -> dt.date | None:
        return min(self.events, default=None)


@dataclass
class HistoryResult:
    days: int = 0
    notices_sent: int = 0


def local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _travel(moment: dt.datetime) -> time_machine.travel:
    # Never into the future: the last night's delivery may fall after the real now.
    return time_machine.travel(min(moment, timezone.now()), tick=False)


def demo_history_run(*, timeline: Timeline, first_day: dt.date, last_day: dt.date) -> HistoryResult:
    """Live every date from ``first_day`` to ``last_day`` (both included). Re-running a date
    already lived changes nothing: its night is on record and its notices exist."""
    result = HistoryResult()
    day = first_day
    while day <= last_day:
        actions = timeline.take(day)
        if actions:
            with _travel(local_moment(day, NOON)):
                index = 0
                while index < len(actions):  # an action may add another for the same day
                    actions[index]()
                    index += 1
        timeline.done(day)
        next_day = day + dt.timedelta(days=1)
        with _travel(local_moment(next_day, NIGHT)):
            run = nightly_run_start(business_date=day)
            for first, last in run.ranges():
                nightly_range_run(business_date=day, first_id=first, last_id=last)
        with _travel(local_moment(next_day, MORNING)), override_settings(SMS_PER_NUMBER_PER_MINUTE=0):
            statuses = notices_deliver(notices_due_ids(now=timezone.now()))
        result.notices_sent += sum(1 for s in statuses.values() if s in ("sent", "delivered"))
        result.days += 1
        day = next_day
    return result
