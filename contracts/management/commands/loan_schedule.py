"""Print a repayment schedule computed by contracts.schedules (no database access).

Example:
    python manage.py loan_schedule --principal 10000 --annual-rate 0.18 --term 12 \
        --method annuity --first-due 2026-01-31 --format json

Every convention of docs/SCHEDULES.md is an option: --disbursed, --day-count, --every/--unit,
--rounding, --installment-multiple/--installment-rounding, --month-end-roll, --grace-principal,
--grace-interest, --interest-free and --fixed-payment (the term then follows from it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.irr import IrrUndefined
from contracts.schedules import (
    MAX_TERM,
    MIN_TERM,
    DayCount,
    InstallmentRounding,
    PeriodUnit,
    Rounding,
    ScheduleLine,
    ScheduleMethod,
    ScheduleOptions,
    build_schedule,
    schedule_apr,
)

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
        parser.add_argument(
            "--term", help=f"Number of periods, {MIN_TERM}-{MAX_TERM} (may be omitted with --fixed-payment)."
        )
        parser.add_argument(
            "--method", default=ScheduleMethod.ANNUITY.value, help=f"One of: {methods} (default annuity)."
        )
        parser.add_argument("--first-due", help="First due date, YYYY-MM-DD; later ones follow one period apart.")
        parser.add_argument(
            "--disbursed",
            help="Disbursement date, YYYY-MM-DD (default: one period before --first-due); a shorter or longer "
            "first period accrues interest by the day count.",
        )
        parser.add_argument(
            "--day-count",
            default=DayCount.THIRTY_360.value,
            help=f"One of: {_choices(DayCount)} (default 30/360, i.e. rate/12 a month).",
        )
        parser.add_argument("--every", default="1", help="Periods are --every N units long (default 1).")
        parser.add_argument(
            "--unit", default=PeriodUnit.MONTH.value, help=f"One of: {_choices(PeriodUnit)} (default month)."
        )
        parser.add_argument(
            "--rounding",
            default=Rounding.HALF_UP.value,
            help=f"Cents rounding, one of: {_choices(Rounding)} (default half_up).",
        )
        parser.add_argument(
            "--installment-multiple",
            help="Round the level installment to a multiple of this amount; the last installment trues up.",
        )
        parser.add_argument(
            "--installment-rounding",
            default=InstallmentRounding.NEAREST.value,
            help=f"With --installment-multiple: {_choices(InstallmentRounding)} (default nearest).",
        )
        parser.add_argument(
            "--month-end-roll", action="store_true", help="A first due date at a month end keeps month ends."
        )
        parser.add_argument("--grace-principal", default="0", help="The first K periods pay no principal.")
        parser.add_argument(
            "--grace-interest",
            default="0",
            help="The first K periods pay no interest; it is deferred to the first period after the grace.",
        )
        parser.add_argument("--interest-free", default="0", help="The first K periods accrue no interest at all.")
        parser.add_argument(
            "--fixed-payment", help="A fixed amount per period; the term follows from it (--term may be omitted)."
        )
        parser.add_argument("--format", default="table", help="Output format: table (default) or json.")

    def handle(self, *args: Any, **options: Any) -> None:
        output_format = str(options["format"])
        if output_format not in FORMATS:
            raise _usage_error(f"--format must be one of: {', '.join(FORMATS)}; got {output_format!r}")
        schedule_options = _parse_options(options)
        principal = _parse_decimal(options["principal"], "--principal")
        first_due = _parse_date(options["first_due"], "--first-due")
        term = None if options.get("fixed_payment") and _blank(options["term"]) else _parse_term(options["term"])
        method = str(options["method"])
        try:
            lines = build_schedule(
                principal=principal,
                annual_rate=_parse_decimal(options["annual_rate"], "--annual-rate"),
                term=term,
                method=method,
                first_due=first_due,
                options=schedule_options,
            )
        except (ValueError, TypeError) as exc:
            raise _usage_error(str(exc)) from exc
        apr = _apr(method, principal, lines, first_due, schedule_options)

        if output_format == "json":
            self.stdout.write(json.dumps([_as_json(line, apr) for line in lines], indent=2))
        else:
            self.stdout.write(_as_table(lines))


def _choices(enum_type: type[DayCount] | type[PeriodUnit] | type[Rounding] | type[InstallmentRounding]) -> str:
    return ", ".join(member.value for member in enum_type)


_E = TypeVar("_E", DayCount, PeriodUnit, Rounding, InstallmentRounding)


def _enum(enum_type: type[_E], value: object, option: str) -> _E:
    try:
        return enum_type(str(value).strip())
    except ValueError:
        raise _usage_error(f"{option} must be one of: {_choices(enum_type)}; got {value!r}") from None


def _count(value: object, option: str, *, low: int = 0) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = _require(value, option)
        if not text.isdigit():
            raise _usage_error(f"{option} must be a whole number, got {text!r}")
        number = int(text)
    if number < low:
        raise _usage_error(f"{option} must be at least {low}, got {number}")
    return number


def _parse_options(options: dict[str, Any]) -> ScheduleOptions:
    multiple = options.get("installment_multiple")
    fixed = options.get("fixed_payment")
    disbursed = options.get("disbursed")
    return ScheduleOptions(
        disbursed=None if _blank(disbursed) else _parse_date(disbursed, "--disbursed"),
        day_count=_enum(DayCount, options.get("day_count", DayCount.THIRTY_360.value), "--day-count"),
        every=_count(options.get("every", 1), "--every", low=1),
        unit=_enum(PeriodUnit, options.get("unit", PeriodUnit.MONTH.value), "--unit"),
        rounding=_enum(Rounding, options.get("rounding", Rounding.HALF_UP.value), "--rounding"),
        installment_multiple=None if _blank(multiple) else _parse_decimal(multiple, "--installment-multiple"),
        installment_rounding=_enum(
            InstallmentRounding,
            options.get("installment_rounding", InstallmentRounding.NEAREST.value),
            "--installment-rounding",
        ),
        month_end_roll=bool(options.get("month_end_roll", False)),
        grace_principal=_count(options.get("grace_principal", 0), "--grace-principal"),
        grace_interest=_count(options.get("grace_interest", 0), "--grace-interest"),
        interest_free=_count(options.get("interest_free", 0), "--interest-free"),
        fixed_payment=None if _blank(fixed) else _parse_decimal(fixed, "--fixed-payment"),
    )


def _apr(
    method: str, principal: Decimal, lines: list[ScheduleLine], first_due: dt.date, options: ScheduleOptions
) -> Decimal | None:
    """The annual percentage rate by the IRR method; none for a subscription (nothing is lent)."""
    if method == ScheduleMethod.SUBSCRIPTION:
        return None
    try:
        return schedule_apr(
            principal=principal, totals=[line.total for line in lines], first_due=first_due, options=options
        )
    except IrrUndefined:
        return None


def _blank(value: object) -> bool:
    return value is None or value is False or str(value).strip() == ""


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


def _parse_date(value: object, option: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = _require(value, option)
    # fromisoformat alone would also accept forms like 20260131 or 2026-W05-6.
    if ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise _usage_error(f"{option} must be a valid date in YYYY-MM-DD format, got {text!r}")


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _rate(apr: Decimal | None) -> str | None:
    # The annualised rate as a fraction, like --annual-rate (0.180000000000 = 18 %), to 12 places.
    return None if apr is None else f"{apr:.12f}"


def _as_json(line: ScheduleLine, apr: Decimal | None) -> dict[str, object]:
    return {
        "seq": line.seq,
        "due_date": line.due_date.isoformat(),
        "principal": _money(line.principal),
        "interest": _money(line.interest),
        "total": _money(line.total),
        "apr_irr": _rate(apr),
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
