"""Judge contact-compliance scenarios from a JSON-lines file.

Each line is one scenario in the format of ``shared/compliance/scenarios.jsonl``. The
command only parses and prints: every verdict comes from the same engine that guards
real contacts.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from notices.compliance import (
    Expectation,
    ScenarioError,
    evaluate,
    matches_expectation,
    parse_expectation,
    parse_scenario,
)
from notices.compliance.engine import Consumer, HistoryContact, ProposedContact
from notices.compliance.rules import RuleSet

MALFORMED_INPUT_EXIT = 2
FAILED_CHECK_EXIT = 1


@dataclass(frozen=True, slots=True)
class _Scenario:
    line_number: int
    scenario_id: Any
    ruleset: RuleSet
    consumer: Consumer
    history: list[HistoryContact]
    proposed: ProposedContact
    expect: Expectation | None


class Command(BaseCommand):
    help = (
        "Evaluate contact-compliance scenarios (JSON lines) and print one verdict per "
        "line; with --check, compare with each line's 'expect'."
    )
    # Lets tests pass a stream in place of standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE", help="scenario file, or - for standard input")
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare with each line's 'expect', print 'N passed, M failed', exit 1 on failure",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check: bool = options["check"]
        source: str = options["file"]
        if source == "-":
            stream: TextIO = options.get("stdin") or sys.stdin
            scenarios = self._read(stream, check=check)
        else:
            try:
                with Path(source).open(encoding="utf-8-sig") as stream:
                    scenarios = self._read(stream, check=check)
            except OSError as exc:
                raise CommandError(
                    f"cannot read {source}: {exc.strerror or exc}",
                    returncode=MALFORMED_INPUT_EXIT,
                ) from exc

        passed = failed = 0
        for scenario in scenarios:
            verdict = evaluate(scenario.ruleset, scenario.consumer, scenario.history, scenario.proposed)
            result = {"id": scenario.scenario_id, **verdict.as_dict()}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            if scenario.expect is None:
                continue
            if matches_expectation(scenario.expect, verdict):
                passed += 1
            else:
                failed += 1
                self.stderr.write(
                    f"line {scenario.line_number} ({scenario.scenario_id}): "
                    f"expected {_describe(scenario.expect)}, got {json.dumps(verdict.as_dict())}"
                )
        if check:
            self.stdout.write(f"{passed} passed, {failed} failed")
            if failed:
                raise CommandError(
                    f"{failed} scenario(s) did not match their expectation",
                    returncode=FAILED_CHECK_EXIT,
                )

    def _read(self, stream: TextIO, *, check: bool) -> list[_Scenario]:
        """Parse every line before judging any, so bad input prints no partial results."""
        scenarios: list[_Scenario] = []
        for line_number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                scenarios.append(_parse_line(line, line_number, check=check))
            except ScenarioError as exc:
                raise CommandError(f"line {line_number}: {exc}", returncode=MALFORMED_INPUT_EXIT) from exc
        return scenarios


def _parse_line(line: str, line_number: int, *, check: bool) -> _Scenario:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a JSON object")
    ruleset, consumer, history, proposed = parse_scenario(data)
    expect = None
    if check:
        if "expect" not in data:
            raise ScenarioError("missing key 'expect' (needed by --check)")
        expect = parse_expectation(data["expect"])
    return _Scenario(
        line_number=line_number,
        scenario_id=data.get("id"),
        ruleset=ruleset,
        consumer=consumer,
        history=history,
        proposed=proposed,
        expect=expect,
    )


def _describe(expect: Expectation) -> str:
    parts: dict[str, Any] = {}
    if expect.verdict is not None:
        parts["verdict"] = expect.verdict
    parts["reasons ⊇"] = list(expect.reasons)
    if expect.has_next_allowed_at:
        parts["next_allowed_at"] = expect.next_allowed_at.isoformat() if expect.next_allowed_at else None
    return json.dumps(parts, ensure_ascii=False)
