"""What an import reports: each row's errors or each row created, and how rows are checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RowError:
    row: int  # spreadsheet row number: the header is row 1
    column: str
    message: str
    code: str


@dataclass
class RowResult:
    row: int
    values: list[str]
    reference: str = ""
    created: bool = True


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    total_rows: int = 0
    columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created_count(self) -> int:
        return sum(1 for r in self.rows if r.created)

    @property
    def unchanged_count(self) -> int:
        return sum(1 for r in self.rows if not r.created)

    def add_error(self, row: int, column: str, message: str, code: str) -> None:
        self.errors.append(RowError(row=row, column=column, message=str(message), code=str(code)))


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str, code: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.code = code


class _Rollback(Exception):
    """Raised to leave the import transaction without keeping anything."""


def _check_each(
    records: list[tuple[int, dict[str, Any]]],
    report: ImportReport,
    check: Callable[[int, dict[str, Any]], dict[str, Any]],
) -> list[tuple[int, dict[str, Any]]]:
    prepared = []
    for row_number, values in records:
        try:
            prepared.append((row_number, check(row_number, values)))
        except _RowInvalid as exc:
            report.add_error(row_number, exc.column, exc.message, exc.code)
    return prepared
