"""Tests for the loan_schedule management command (no database access)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MONEY = re.compile(r"\d+\.\d{2}")
# The example's annual rate by the IRR method: the cent rounding of the installments lifts it
# a hair above the nominal 18 % (numpy_financial.irr(flows) * 12 = 0.18000176...).
APR_IRR = "0.180001760268"
EXAMPLE = {
    "principal": "10000",
    "annual_rate": "0.18",
    "term": 12,
    "method": "annuity",
    "first_due": "2026-01-31",
}
EXAMPLE_ARGV = [
    "--principal", "10000", "--annual-rate", "0.18", "--term", "12",
    "--method", "annuity", "--first-due", "2026-01-31",
]  # fmt: skip


def run(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("loan_schedule", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def run_manage_py(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "loan_schedule", *argv],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_example_shape_and_values() -> None:
    rows = json.loads(run(**EXAMPLE, format="json"))

    assert isinstance(rows, list) and len(rows) == 12
    for seq, row in enumerate(rows, start=1):
        assert set(row) == {"seq", "due_date", "principal", "interest", "total", "apr_irr"}
        assert row["seq"] == seq and isinstance(row["seq"], int)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["due_date"])
        for key in ("principal", "interest", "total"):
            assert isinstance(row[key], str) and MONEY.fullmatch(row[key])
        assert Decimal(row["principal"]) + Decimal(row["interest"]) == Decimal(row["total"])

    assert rows[0] == {
        "seq": 1,
        "due_date": "2026-01-31",
        "principal": "766.80",
        "interest": "150.00",
        "total": "916.80",
        "apr_irr": APR_IRR,
    }
    assert rows[-1] == {
        "seq": 12,
        "due_date": "2026-12-31",
        "principal": "903.26",
        "interest": "13.55",
        "total": "916.81",
        "apr_irr": APR_IRR,
    }
    assert [row["due_date"] for row in rows[:3]] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    assert {row["total"] for row in rows[:-1]} == {"916.80"}
    assert sum(Decimal(row["principal"]) for row in rows) == Decimal("10000.00")
    assert sum(Decimal(row["interest"]) for row in rows) == Decimal("1001.61")


def test_argv_style_options_are_parsed_like_the_command_line() -> None:
    assert json.loads(run(*EXAMPLE_ARGV, "--format", "json")) == json.loads(run(**EXAMPLE, format="json"))


def test_table_is_the_default_format_and_shows_totals() -> None:
    output = run(*EXAMPLE_ARGV)
    lines = output.strip().splitlines()
    assert lines[0].split() == ["Seq", "Due", "date", "Principal", "Interest", "Total"]
    assert lines[2].split() == ["1", "2026-01-31", "766.80", "150.00", "916.80"]
    assert lines[13].split() == ["12", "2026-12-31", "903.26", "13.55", "916.81"]
    assert lines[-1].split() == ["Total", "10000.00", "1001.61", "11001.61"]


@pytest.mark.parametrize(
    ("method", "principals", "interest"),
    [
        ("bnpl", ["33.33", "33.33", "33.34"], "0.00"),
        ("subscription", ["100.00", "100.00", "100.00"], "0.00"),
        ("equal_principal", ["33.33", "33.33", "33.34"], None),
    ],
)
def test_other_methods(method: str, principals: list[str], interest: str | None) -> None:
    rows = json.loads(
        run(principal="100", annual_rate="0.12", term=3, method=method, first_due="2028-01-31", format="json")
    )
    assert [row["principal"] for row in rows] == principals
    assert [row["due_date"] for row in rows] == ["2028-01-31", "2028-02-29", "2028-03-31"]
    if interest is not None:
        assert {row["interest"] for row in rows} == {interest}


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"principal": "-100"}, "principal must be greater than 0"),
        ({"principal": "0"}, "principal must be greater than 0"),
        ({"principal": "abc"}, "--principal must be a decimal number"),
        ({"principal": "10.001"}, "at most 2 decimal places"),
        ({"principal": None}, "--principal is required"),
        ({"principal": 100.5}, "not float"),
        ({"annual_rate": "-0.01"}, "annual rate must be between 0 and 1"),
        ({"annual_rate": "1.01"}, "annual rate must be between 0 and 1"),
        ({"annual_rate": "18"}, "annual rate must be between 0 and 1"),
        ({"term": 0}, "term must be between 1 and 600"),
        ({"term": "601"}, "term must be between 1 and 600"),
        ({"term": "twelve"}, "--term must be a whole number"),
        ({"method": "balloon"}, "unknown schedule method 'balloon'"),
        ({"first_due": "2026-02-30"}, "--first-due must be a valid date"),
        ({"first_due": "31/01/2026"}, "--first-due must be a valid date"),
        ({"format": "xml"}, "--format must be one of"),
    ],
)
def test_bad_arguments_raise_command_error_with_status_2(override: dict[str, Any], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)) as excinfo:
        run(**{**EXAMPLE, **override})
    assert excinfo.value.returncode == 2


def test_command_line_example_prints_json() -> None:
    result = run_manage_py(*EXAMPLE_ARGV, "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 12
    assert sum(Decimal(row["principal"]) for row in rows) == Decimal("10000.00")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--principal", "-5", "--term", "12", "--first-due", "2026-01-31"], "principal must be greater than 0"),
        (["--principal", "100", "--term", "12", "--first-due", "2026-13-01"], "--first-due must be a valid date"),
    ],
)
def test_command_line_bad_arguments_exit_2_with_one_line_error(argv: list[str], message: str) -> None:
    result = run_manage_py(*argv)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("CommandError: ")
    assert message in line


def test_command_line_unknown_option_is_an_argparse_error() -> None:
    result = run_manage_py(*EXAMPLE_ARGV, "--bogus")
    assert result.returncode == 2
    assert "unrecognized arguments: --bogus" in result.stderr
