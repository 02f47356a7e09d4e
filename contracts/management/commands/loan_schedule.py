"""Print a repayment schedule computed by contracts.schedules (no database access).

Example:
    python manage.py loan_schedule --principal 10000 --annual-rate 0.18 --term 12 \
        --method annuity --first-due 2026-01-31 --format json
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.schedules import MAX_TERM, MIN_TERM, ScheduleLine, ScheduleMethod, build_schedule

# Bad input exits with 2, the same status argparse uses for usage errors.
USAGE_ERROR = 2
FORMATS = ("table", "json")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Command(BaseCommand):
    help = "Print a repayment schedule as a table or JSON. Nothing is read from or written to the database."

    # Pure computation: unrelated project checks or pending migrations must not block it.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        # Values are parsed in handle() rather than by argparse so that
        # call_command() keyword arguments get the same validation and exit status.
        methods = ", ".join(m.value for m in ScheduleMethod)
        parser.add_argument(
            "--principal",
            help="Amount financed, at most 2 decimals (for subscription: the periodic fee).",
        )
        parser.add_argument(
            "--annual-rate",
            default="0",
            help="Annual interest rate as a fraction between 0 and 1, e.g. 0.18 for 18%% (default 0).",
        )
        parser.add_argument("--term", help=f"Number of monthly periods, {MIN_TERM}-{MAX_TERM}.")
        parser.add_argument(
            "--method", default=ScheduleMethod.ANNUITY.value, help=f"One of: {methods} (default annuity)."
        )
        parser.add_argument("--first-due", help="First due date, YYYY-MM-DD; later ones fall on the same day monthly.")
        parser.add_argument("--format", default="table", help="Output format: table (default) or json.")

    def handle(self, *args: Any, **options: Any) -> None:
        output_format = str(options["format"])
        if output_format not in FORMATS:
            raise _usage_error(f"--format must be one of: {', '.join(FORMATS)}; got {output_format!r}")
        try:
            lines = build_schedule(
                principal=_parse_decimal(options["principal"], "--principal"),
                annual_rate=_parse_decimal(options["annual_rate"], "--annual-rate"),
                term=_parse_term(options["term"]),
                method=str(options["method"]),
                first_due=_parse_date(options["first_due"]),
            )
        except (ValueError, TypeError) as exc:
            raise _usage_error(str(exc)) from exc

        if output_format == "json":
            self.stdout.write(json.dumps([_as_json(line) for line in lines], indent=2))
        else:
            self.stdout.write(_as_table(lines))


def _usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def _require(value: object, option: str) -> str:
    if value is None or str(value).strip() == "":
        raise _usage_error(f"{option} is required")
    return str(value).strip()


def _parse_decimal(value: object, option: str) -> Decimal:
    # Floats are rejected: their repr may not be the amount the caller meant.
    if isinstance(value, float):
        raise _usage_error(f"{option} must be given as a string or Decimal, not float")
    text = _require(value, option)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _usage_error(f"{option} must be a decimal number such as 10000 or 0.18, got {text!r}") from None


def _parse_term(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _require(value, "--term")
    try:
        if not text.isdigit():
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise _usage_error(f"--term must be a whole number between {MIN_TERM} and {MAX_TERM}, got {text!r}") from None


def _parse_date(value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = _require(value, "--first-due")
    # fromisoformat alone would also accept forms like 20260131 or 2026-W05-6.
    if ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise _usage_error(f"--first-due must be a valid date in YYYY-MM-DD format, got {text!r}")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _as_json(line: ScheduleLine) -> dict[str, object]:
    return {
        "seq": line.seq,
        "due_date": line.due_date.isoformat(),
        "principal": _money(line.principal),
        "interest": _money(line.interest),
        "total": _money(line.total),
    }


def _as_table(lines: list[ScheduleLine]) -> str:
    header = ("Seq", "Due date", "Principal", "Interest", "Total")
    rows = [
        (str(line.seq), line.due_date.isoformat(), _money(line.principal), _money(line.interest), _money(line.total))
        for line in lines
    ]
    totals = (
        "",
        "Total",
        _money(sum((line.principal for line in lines), Decimal(0))),
        _money(sum((line.interest for line in lines), Decimal(0))),
        _money(sum((line.total for line in lines), Decimal(0))),
    )
    widths = [max(len(row[i]) for row in (header, *rows, totals)) for i in range(len(header))]

    def render(row: tuple[str, ...]) -> str:
        # Numbers right-aligned so the decimal points line up; the date column left-aligned.
        return "  ".join(
            cell.ljust(w) if i == 1 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([render(header), rule, *(render(row) for row in rows), rule, render(totals)])
