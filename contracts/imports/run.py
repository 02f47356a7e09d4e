"""The import service: every row checked first, then all rows in one transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ApplicationError, ForbiddenError
from core.money import MoneyError

from ..codes import ContractsAction, ContractsError
from .columns import CONTRACTS, CUSTOMERS, PAYMENTS, _columns_for, _text
from .contract_rows import _contract_create, _contracts_validate
from .customer_rows import _customer_create, _customers_validate
from .payment_rows import _payment_post, _payments_validate
from .report import ImportReport, RowResult, _Rollback

IMPORT_PERMISSION = "contracts.import_contracts"
MAX_ROWS = 10_000

# Which column a service error code belongs to, so the staff member sees where to look.
_ERROR_COLUMNS: dict[str, str] = {
    MoneyError.INVALID_AMOUNT: "amount",
    MoneyError.AMOUNT_NOT_POSITIVE: "amount",
    MoneyError.AMOUNT_PRECISION: "amount",
    MoneyError.AMOUNT_TOO_LARGE: "amount",
    ContractsError.AMOUNT_EXCEEDS_PAYOFF: "amount",
    ContractsError.REFERENCE_CONFLICT: "reference",
    ContractsError.PAYMENT_BEFORE_START: "received_at",
    ContractsError.NAIVE_DATETIME: "received_at",
    ContractsError.CONTRACT_NOT_FOUND: "contract_number",
    ContractsError.TERM_OUT_OF_RANGE: "term",
    ContractsError.FIRST_DUE_BEFORE_START: "first_due_date",
    ContractsError.INVALID_SCHEDULE: "principal",
    # Codes of ``accounts.services.customer_create`` (the accounts app has no code enum).
    "email_taken": "email",
    "phone_taken": "phone",
    "invalid_phone": "phone",
    "not_mainland_mobile": "phone",
    "invalid_national_id": "national_id",
}


# Called as progress(phase, rows done, rows in all): "checking" once the file is read and its
# rows checked, "importing" as rows are written (inside the import's one transaction).
Progress = Callable[[str, int, int], None]


def contracts_import(
    *, actor: User | None, kind: str, dataset: tablib.Dataset, dry_run: bool, progress: Progress | None = None
) -> ImportReport:
    """Import customers, contracts or repayment history, all or nothing.

    Every row is checked first (format, references to existing customers, products, terms
    and contracts, duplicates within the file); then, in one transaction, each row goes
    through its service. If any row fails the transaction is rolled back and the report
    lists every failing row and column. A dry run does the same and always rolls back, so
    the preview shows exactly what the import would do. Importing payments posts them but
    does not run the delinquency sweep; the next scheduled sweep brings contracts up to date.
    """
    columns = _columns_for(kind)
    if actor is not None and not actor.has_perm(IMPORT_PERMISSION):
        raise ForbiddenError(code=ContractsError.IMPORT_FORBIDDEN, message=_("You may not import data."))
    report = ImportReport(kind=kind, dry_run=dry_run, columns=[str(label) for _n, _r, label in columns])
    records = _rows(dataset, columns, report)
    if report.errors:
        return report
    validate, create = _HANDLERS[kind]
    if progress is not None:
        progress("checking", 0, len(records))
    prepared = validate(records, report)
    if report.errors:
        return report
    total = len(prepared)
    step = max(1, total // 200)  # about 200 progress reports per file, whatever its size
    try:
        with transaction.atomic():
            for done, (row_number, data) in enumerate(prepared, start=1):
                if progress is not None and (done == 1 or done % step == 0 or done == total):
                    progress("importing", done, total)
                try:
                    report.rows.append(create(actor, row_number, data))
                except ApplicationError as exc:
                    report.add_error(row_number, _ERROR_COLUMNS.get(exc.code, ""), exc.message, exc.code)
                except ValidationError as exc:
                    report.add_error(row_number, "", "; ".join(exc.messages), ContractsError.INVALID)
                except IntegrityError:
                    # Another write took the same key while this file was being imported.
                    report.add_error(
                        row_number,
                        "",
                        _("This row conflicts with data saved meanwhile; try again."),
                        ContractsError.CONFLICT,
                    )
            if report.errors or dry_run:
                raise _Rollback
            audit_record(
                action=ContractsAction.IMPORT_COMPLETED,
                actor=actor,
                object_type="contracts.import",
                data={
                    "kind": kind,
                    "rows": report.total_rows,
                    "created": report.created_count,
                    "unchanged": report.unchanged_count,
                },
            )
    except _Rollback:
        if report.errors:
            report.rows = []
    else:
        report.committed = True
    report.errors.sort(key=lambda e: e.row)
    report.rows.sort(key=lambda r: r.row)
    return report


def _rows(
    dataset: tablib.Dataset, columns: list[tuple[str, bool, Promise]], report: ImportReport
) -> list[tuple[int, dict[str, Any]]]:
    """Rows as {column: raw value}, skipping blank lines; header problems are row-1 errors."""
    headers = [_text(h).lower().replace(" ", "_") for h in (dataset.headers or [])]
    known = {name for name, _required, _label in columns}
    for name, required, _label in columns:
        if required and name not in headers:
            report.add_error(1, name, _("This column is missing."), ContractsError.COLUMN_MISSING)
    seen: Counter[str] = Counter(h for h in headers if h)
    for header, count in seen.items():
        if header not in known:
            report.add_error(1, header, _("Unknown column. Use the template's headers."), ContractsError.COLUMN_UNKNOWN)
        elif count > 1:
            report.add_error(1, header, _("This column appears more than once."), ContractsError.COLUMN_DUPLICATE)
    if report.errors:
        return []
    records = []
    for index, row in enumerate(dataset, start=2):
        values = {h: v for h, v in zip(headers, row, strict=False) if h}
        if all(_text(v) == "" for v in row):
            continue
        if any(_text(v) for h, v in zip(headers, row, strict=False) if not h):
            report.add_error(
                index, "", _("This row has a value in a column without a header."), ContractsError.COLUMN_UNNAMED
            )
        records.append((index, values))
    report.total_rows = len(records)
    if not records:
        report.add_error(1, "", _("The file has no rows to import."), ContractsError.FILE_EMPTY)
    elif len(records) > MAX_ROWS:
        report.add_error(
            1,
            "",
            _("A file may hold at most %(limit)s rows; split it.") % {"limit": MAX_ROWS},
            ContractsError.TOO_MANY_ROWS,
        )
    return records


_HANDLERS: dict[str, tuple[Callable[..., list[tuple[int, dict]]], Callable[..., RowResult]]] = {
    CUSTOMERS: (_customers_validate, _customer_create),
    CONTRACTS: (_contracts_validate, _contract_create),
    PAYMENTS: (_payments_validate, _payment_post),
}
