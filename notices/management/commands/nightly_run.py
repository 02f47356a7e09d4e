"""Run the nightly batch now (what beat starts at 00:30): sweep and ladder for a business date.

    manage.py nightly_run                  # yesterday, every range in this process
    manage.py nightly_run --date 2026-03-31
    manage.py nightly_run --queue          # hand the night to the Celery workers, as beat does

Idempotent like the night itself: a night already finished does nothing, a half-done one runs
only the ranges still missing. Notices ready to send are queued for delivery after each range
commits (the worker sends them; the outbox relay picks up any whose task was lost).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.dates import business_yesterday
from notices.models import NightlyRun
from notices.services import nightly_range_run, nightly_run_start
from notices.tasks import sweep_and_notify


class Command(BaseCommand):
    help = "Run the nightly sweep and escalation ladder now (default: for yesterday)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="business date to close, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--queue", action="store_true", help="queue the ranges for the Celery workers")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else business_yesterday()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        if options["queue"]:
            queued = sweep_and_notify.delay(day.isoformat())
            self.stdout.write(f"Night {day}: queued for the workers (task {queued.id}).")
            return
        run = nightly_run_start(business_date=day)
        ready = 0
        for first, last in run.ranges():
            ready += nightly_range_run(business_date=day, first_id=first, last_id=last)
        run = NightlyRun.objects.get(pk=run.pk)
        state = "finished" if run.is_finished else f"{run.ranges_done}/{run.ranges_total} ranges done"
        self.stdout.write(
            self.style.SUCCESS(
                f"Night {day}: {state}, {run.contracts_done} contracts, {run.notices} notices "
                f"({ready} new ones ready to send now)."
            )
        )
