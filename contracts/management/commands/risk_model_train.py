"""Train and evaluate the early-warning model on the portfolio's history; write its report.

Example:
    python manage.py risk_model_train                 # history up to yesterday
    python manage.py risk_model_train --history-to 2026-11-30 --step-days 7
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.services import risk_model_train
from core.dates import business_today
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Train the early-warning model (probability of 30 days past due in the next cycle) on the portfolio's "
        "own history, evaluate it against the rule score on held-out contracts (AUC, calibration) and write the "
        "model report. The version is used by the nightly scoring only if it beats the rule score."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--history-to", help="Last business date of the history (default: yesterday).")
        parser.add_argument("--step-days", type=int, default=7, help="Days between observation days (default 7).")
        parser.add_argument(
            "--test-share", type=float, default=0.25, help="Share of contracts held out for evaluation (0.1–0.5)."
        )
        parser.add_argument("--report", help="Report file (default: RISK_MODEL_REPORT_DIR/risk_model_v<N>.md).")

    def handle(self, *args: object, **options: object) -> None:
        raw = options.get("history_to")
        try:
            history_to = dt.date.fromisoformat(str(raw)) if raw else business_today() - dt.timedelta(days=1)
        except ValueError as exc:
            raise CommandError(f"--history-to: not a date (YYYY-MM-DD): {raw}") from exc
        step_days = int(options["step_days"])  # type: ignore[call-overload]
        test_share = float(options["test_share"])  # type: ignore[arg-type]
        if not 1 <= step_days <= 92:
            raise CommandError("--step-days: between 1 and 92")
        if not 0.1 <= test_share <= 0.5:
            raise CommandError("--test-share: between 0.1 and 0.5")
        try:
            version = risk_model_train(actor=None, history_to=history_to, step_days=step_days, test_share=test_share)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        target = Path(str(options.get("report") or "")) if options.get("report") else None
        target = target or Path(settings.RISK_MODEL_REPORT_DIR) / f"risk_model_v{version.version}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(version.report, encoding="utf-8")
        self.stdout.write(version.report)
        self.stdout.write(f"Report written to {target}")
