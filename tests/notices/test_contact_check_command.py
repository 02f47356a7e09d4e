"""Tests of the ``contact_check`` management command (no database needed)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

SHARED_SCENARIOS = Path(settings.BASE_DIR).parent / "shared" / "compliance" / "scenarios.jsonl"
EXTRA_SCENARIOS = Path(__file__).resolve().parent / "scenarios_extra.jsonl"

GOOD_LINE = json.dumps(
    {
        "id": "night-call",
        "jurisdiction": "CN",
        "consumer": {"timezones": ["Asia/Shanghai"]},
        "history": [],
        "proposed": {"at": "2026-04-07T22:00:00+08:00", "channel": "call", "debts": ["A"]},
        "expect": {"verdict": "blocked", "reasons": ["TIME_WINDOW"], "next_allowed_at": "2026-04-08T00:00:00Z"},
    }
)


def run(*args: str, stdin: str | None = None) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    options: dict[str, Any] = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command("contact_check", *args, **options)
    return out.getvalue().splitlines(), err.getvalue()


def write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "scenarios.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.skipif(not SHARED_SCENARIOS.exists(), reason="shared scenarios not present")
def test_shared_scenarios_all_pass() -> None:
    lines, _ = run(str(SHARED_SCENARIOS), "--check")

    scenario_ids = [json.loads(line)["id"] for line in SHARED_SCENARIOS.read_text().splitlines() if line.strip()]
    assert lines[-1] == f"{len(scenario_ids)} passed, 0 failed"
    results = [json.loads(line) for line in lines[:-1]]
    assert [result["id"] for result in results] == scenario_ids
    assert all(list(result) == ["id", "verdict", "reasons", "next_allowed_at"] for result in results)


def test_extra_scenarios_all_pass() -> None:
    lines, err = run(str(EXTRA_SCENARIOS), "--check")
    count = sum(1 for line in EXTRA_SCENARIOS.read_text().splitlines() if line.strip())
    assert lines[-1] == f"{count} passed, 0 failed", err


def test_prints_one_verdict_per_line_without_summary(tmp_path: Path) -> None:
    lines, _ = run(write(tmp_path, GOOD_LINE, "", "   ", GOOD_LINE.replace("night-call", "again")))

    assert [json.loads(line) for line in lines] == [
        {
            "id": "night-call",
            "verdict": "blocked",
            "reasons": ["TIME_WINDOW"],
            "next_allowed_at": "2026-04-08T08:00:00+08:00",
        },
        {
            "id": "again",
            "verdict": "blocked",
            "reasons": ["TIME_WINDOW"],
            "next_allowed_at": "2026-04-08T08:00:00+08:00",
        },
    ]


def test_reads_standard_input_with_dash() -> None:
    lines, _ = run("-", "--check", stdin=GOOD_LINE + "\n")
    assert lines[-1] == "1 passed, 0 failed"
    assert json.loads(lines[0])["id"] == "night-call"


def test_failed_expectation_exits_1(tmp_path: Path) -> None:
    wrong = GOOD_LINE.replace('"verdict": "blocked", "reasons"', '"verdict": "allowed", "reasons"')
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("contact_check", write(tmp_path, GOOD_LINE, wrong), "--check", stdout=out, stderr=err)

    assert excinfo.value.returncode == 1
    assert out.getvalue().splitlines()[-1] == "1 passed, 1 failed"
    assert "line 2" in err.getvalue()


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
        (GOOD_LINE.replace("2026-04-07T22:00:00+08:00", "2026-04-07T22:00:00"), "no UTC offset"),
        (GOOD_LINE.replace("2026-04-07T22:00:00+08:00", "not-a-date"), "invalid ISO-8601"),
        (GOOD_LINE.replace('"channel": "call"', '"channel": "fax"'), "proposed.channel"),
        (GOOD_LINE.replace('"jurisdiction": "CN"', '"jurisdiction": "XX"'), "jurisdiction"),
        (GOOD_LINE.replace('"proposed"', '"proposal"'), "missing key 'proposed'"),
        (GOOD_LINE.replace('"expect"', '"expected"'), "missing key 'expect'"),
    ],
)
def test_malformed_line_exits_2_naming_the_line(tmp_path: Path, bad_line: str, message: str) -> None:
    out = io.StringIO()
    path = write(tmp_path, GOOD_LINE, "", bad_line)

    with pytest.raises(CommandError) as excinfo:
        call_command("contact_check", path, "--check", stdout=out, stderr=io.StringIO())

    assert excinfo.value.returncode == 2
    assert "line 3" in str(excinfo.value)
    assert message in str(excinfo.value)
    assert out.getvalue() == ""  # nothing judged when the input is bad


def test_missing_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as excinfo:
        call_command("contact_check", str(tmp_path / "absent.jsonl"), stdout=io.StringIO())
    assert excinfo.value.returncode == 2


def test_exit_codes_from_the_command_line(tmp_path: Path) -> None:
    manage = Path(settings.BASE_DIR) / "manage.py"

    def exit_code(*lines: str) -> tuple[int, str]:
        completed = subprocess.run(
            [sys.executable, str(manage), "contact_check", write(tmp_path, *lines), "--check"],
            capture_output=True,
            text=True,
            check=False,
        )
        return completed.returncode, completed.stdout + completed.stderr

    assert exit_code(GOOD_LINE)[0] == 0
    assert exit_code(GOOD_LINE.replace('"blocked"', '"allowed"'))[0] == 1
    code, output = exit_code(GOOD_LINE, "{oops")
    assert code == 2
    assert "line 2" in output


CONTACT_RULE_SCENARIOS = Path(__file__).resolve().parent / "scenarios_contact_rules.jsonl"
NEW_REASON_CODES = {
    "THIRD_PARTY_PURPOSE",
    "LOCATION_REPEATED",
    "EMPLOYER_PROHIBITS",
    "WORK_EMAIL",
    "POSTCARD",
    "ENVELOPE_LANGUAGE",
    "TIME_BARRED_SUIT_THREAT",
}


def test_contact_rule_scenarios_pass_and_report_the_new_reason_codes() -> None:
    lines, err = run(str(CONTACT_RULE_SCENARIOS), "--check")
    count = sum(1 for line in CONTACT_RULE_SCENARIOS.read_text().splitlines() if line.strip())
    assert lines[-1] == f"{count} passed, 0 failed", err
    reported = {reason for line in lines[:-1] for reason in json.loads(line)["reasons"]}
    assert NEW_REASON_CODES <= reported
