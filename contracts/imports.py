"""Staff import of customers, contracts and repayment history from CSV or XLSX files.

Parsing uses django-import-export's tablib formats; every record is created through the
ordinary services (``customer_create``, ``contract_create``, ``payment_post``), so an
imported row gets exactly the checks, ledger effects and audit events of one entered by
hand. An import is all-or-nothing: every row is checked first, then all rows run inside
one transaction, and nothing is kept if any row fails (or if it is a dry run).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats.base_formats import XLSX

from accounts.crypto import keyed_digest, mask_national_id
from accounts.identifiers import normalise_mainland_mobile, normalise_phone
from accounts.models import CustomerProfile, Jurisdiction, Language, User
from accounts.services import customer_create
from accounts.validators import validate_cn_resident_id
from audit.services import audit_record
from core.errors import ApplicationError, ForbiddenError

from .models import Contract, Product, TermsVersion
from .services import business_date_of, contract_create, parse_amount, payment_post

IMPORT_PERMISSION = "contracts.import_contracts"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# Uncompressed size limit for XLSX parts: a 5 MB zip may not expand into gigabytes.
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
XLSX_MAIN_CONTENT_TYPE = f"{XLSX.CONTENT_TYPE}.main+xml"
# Times without an offset in an import file are Beijing time, whatever the server's zone.
NAIVE_TIMEZONE = zoneinfo.ZoneInfo("Asia/Shanghai")

CUSTOMERS = "customers"
CONTRACTS = "contracts"
PAYMENTS = "payments"

KIND_CHOICES = [
    (CUSTOMERS, gettext_lazy("Customers")),
    (CONTRACTS, gettext_lazy("Contracts")),
    (PAYMENTS, gettext_lazy("Repayment history (payments)")),
]

# Columns of each kind, in template order: (header, required, label shown to staff).
COLUMNS: dict[str, list[tuple[str, bool, Promise]]] = {
    CUSTOMERS: [
        ("legal_name", True, gettext_lazy("Legal name")),
        ("email", False, gettext_lazy("Email")),
        ("phone", False, gettext_lazy("Mobile number")),
        ("national_id", False, gettext_lazy("National ID")),
        ("postal_address", False, gettext_lazy("Postal address")),
        ("timezone", False, gettext_lazy("Time zone")),
        ("language", False, gettext_lazy("Language")),
        ("jurisdiction", False, gettext_lazy("Jurisdiction")),
    ],
    CONTRACTS: [
        ("customer_number", True, gettext_lazy("Customer number")),
        ("product_code", True, gettext_lazy("Product code")),
        ("terms_version", False, gettext_lazy("Terms version")),
        ("principal", True, gettext_lazy("Principal")),
        ("term", True, gettext_lazy("Term (months)")),
        ("start_date", True, gettext_lazy("Start date")),
        ("first_due_date", False, gettext_lazy("First due date")),
        ("contract_number", False, gettext_lazy("Contract number")),
    ],
    PAYMENTS: [
        ("contract_number", True, gettext_lazy("Contract number")),
        ("channel", True, gettext_lazy("Channel")),
        ("reference", True, gettext_lazy("Reference")),
        ("amount", True, gettext_lazy("Amount")),
        ("received_at", True, gettext_lazy("Received at")),
    ],
}

# Which column a service error code belongs to, so the staff member sees where to look.
_ERROR_COLUMNS = {
    "invalid_amount": "amount",
    "amount_not_positive": "amount",
    "amount_precision": "amount",
    "amount_too_large": "amount",
    "amount_exceeds_payoff": "amount",
    "reference_conflict": "reference",
    "payment_before_start": "received_at",
    "naive_datetime": "received_at",
    "contract_not_found": "contract_number",
    "term_out_of_range": "term",
    "first_due_before_start": "first_due_date",
    "invalid_schedule": "principal",
    "email_taken": "email",
    "phone_taken": "phone",
    "invalid_phone": "phone",
    "not_mainland_mobile": "phone",
    "invalid_national_id": "national_id",
}


# --- report -----------------------------------------------------------------------------------
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
        self.errors.append(RowError(row=row, column=column, message=str(message), code=code))


class _RowInvalid(Exception):
    def __init__(self, column: str, message: str, code: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message
        self.code = code


class _Rollback(Exception):
    """Raised to leave the import transaction without keeping anything."""


# --- reading files ------------------------------------------------------------------------------
def _refuse(code: str, message: str) -> ApplicationError:
    return ApplicationError(code=code, message=message)


def dataset_from_upload(*, content: bytes, filename: str) -> tablib.Dataset:
    """Parse an uploaded file into a dataset, judging the file by its content, not its name.

    A ``.csv`` must be UTF-8 text (a byte-order mark is fine); an ``.xlsx`` must be a zip
    whose content types declare an Excel workbook. Anything else is refused.
    """
    if len(content) > MAX_FILE_BYTES:
        raise _refuse("file_too_large", _("The file is larger than %(limit)s MB.") % {"limit": 5})
    if not content.strip():
        raise _refuse("file_empty", _("The file is empty."))
    name = filename.lower()
    if name.endswith(".csv"):
        return _csv_dataset(content)
    if name.endswith(".xlsx"):
        return _xlsx_dataset(content)
    raise _refuse("file_type", _("Upload a .csv or .xlsx file."))


def _csv_dataset(content: bytes) -> tablib.Dataset:
    not_text = _("This file is not a UTF-8 CSV file. Save it as “CSV UTF-8” and try again.")
    if b"\x00" in content or content.startswith(b"PK\x03\x04"):
        raise _refuse("not_csv", not_text)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse("not_csv", not_text) from exc
    # csv.reader directly rather than tablib's CSV import, which drops blank lines and so
    # would shift the row numbers staff see in the error table away from their spreadsheet's.
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _refuse("not_csv", _("The CSV file could not be read.")) from exc
    if not rows:
        raise _refuse("file_empty", _("The file is empty."))
    headers, *body = rows
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for number, row in enumerate(body, start=2):
        if any(cell.strip() for cell in row[width:]):
            raise _refuse("not_csv", _("Row %(row)s has more cells than the header row.") % {"row": number})
        dataset.append((row + [""] * width)[:width])
    return dataset


def _xlsx_dataset(content: bytes) -> tablib.Dataset:
    not_xlsx = _("This file is not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED_BYTES:
                raise _refuse("file_too_large", _("The workbook is too large once unpacked."))
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise _refuse("not_xlsx", not_xlsx) from exc
    if XLSX_MAIN_CONTENT_TYPE.encode() not in types:
        raise _refuse("not_xlsx", not_xlsx)
    try:
        return XLSX().create_dataset(content)
    except StopIteration as exc:
        raise _refuse("file_empty", _("The file is empty.")) from exc
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise _refuse("not_xlsx", not_xlsx) from exc


def template_dataset(kind: str) -> tablib.Dataset:
    """An empty dataset with the headers a file of this kind must have."""
    _columns_for(kind)
    dataset = tablib.Dataset()
    dataset.headers = [name for name, _required, _label in COLUMNS[kind]]
    return dataset


def _columns_for(kind: str) -> list[tuple[str, bool, Promise]]:
    if kind not in COLUMNS:
        raise ApplicationError(code="import_kind_unknown", message=_("Choose what the file contains."))
    return COLUMNS[kind]


# --- cell values ----------------------------------------------------------------------------------
def _text(raw: Any) -> str:
    """Cell text. XLSX numbers come as floats: integral ones are written without ``.0``."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _amount(raw: Any, column: str) -> Decimal:
    # str() of a float is its shortest round-trip decimal form, so 12.345 stays "12.345" and
    # is refused for precision instead of being rounded; no float arithmetic happens here.
    text = _text(raw)
    if not text:
        raise _RowInvalid(column, _("This value is required."), "required")
    try:
        return parse_amount(text, field=column)
    except ApplicationError as exc:
        raise _RowInvalid(column, exc.message, exc.code) from exc


def _positive_int(raw: Any, column: str) -> int:
    text = _text(raw)
    if not text.isdigit() or int(text) < 1:
        raise _RowInvalid(column, _("Enter a whole number such as 12."), "invalid_integer")
    return int(text)


def _date(raw: Any, column: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            raise _RowInvalid(column, _("Enter a date such as 2026-01-31."), "invalid_date")
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(_text(raw))
    except ValueError as exc:
        raise _RowInvalid(column, _("Enter a date such as 2026-01-31."), "invalid_date") from exc


def _aware_datetime(raw: Any, column: str) -> dt.datetime:
    """An ISO 8601 time; one without an offset is taken as Beijing time (Asia/Shanghai)."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time(0, 0))
    else:
        try:
            value = dt.datetime.fromisoformat(_text(raw))
        except ValueError as exc:
            raise _RowInvalid(
                column, _("Enter a date and time such as 2026-01-31T14:30:00+08:00."), "invalid_datetime"
            ) from exc
    if timezone.is_naive(value):
        value = timezone.make_aware(value, NAIVE_TIMEZONE)
    return value


def _required(values: dict[str, Any], column: str, max_length: int | None = None) -> str:
    text = _text(values.get(column))
    if not text:
        raise _RowInvalid(column, _("This value is required."), "required")
    _max_length(text, column, max_length)
    return text


def _max_length(text: str, column: str, max_length: int | None) -> None:
    if max_length is not None and len(text) > max_length:
        raise _RowInvalid(column, _("At most %(limit)s characters are allowed.") % {"limit": max_length}, "too_long")


# --- the service ------------------------------------------------------------------------------------
def contracts_import(*, actor: User | None, kind: str, dataset: tablib.Dataset, dry_run: bool) -> ImportReport:
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
        raise ForbiddenError(code="import_forbidden", message=_("You may not import data."))
    report = ImportReport(kind=kind, dry_run=dry_run, columns=[str(label) for _n, _r, label in columns])
    records = _rows(dataset, columns, report)
    if report.errors:
        return report
    validate, create = _HANDLERS[kind]
    prepared = validate(records, report)
    if report.errors:
        return report
    try:
        with transaction.atomic():
            for row_number, data in prepared:
                try:
                    report.rows.append(create(actor, row_number, data))
                except ApplicationError as exc:
                    report.add_error(row_number, _ERROR_COLUMNS.get(exc.code, ""), exc.message, exc.code)
                except ValidationError as exc:
                    report.add_error(row_number, "", "; ".join(exc.messages), "invalid")
                except IntegrityError:
                    # Another write took the same key while this file was being imported.
                    report.add_error(
                        row_number, "", _("This row conflicts with data saved meanwhile; try again."), "conflict"
                    )
            if report.errors or dry_run:
                raise _Rollback
            audit_record(
                action="import.completed",
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
            report.add_error(1, name, _("This column is missing."), "column_missing")
    seen: Counter[str] = Counter(h for h in headers if h)
    for header, count in seen.items():
        if header not in known:
            report.add_error(1, header, _("Unknown column. Use the template's headers."), "column_unknown")
        elif count > 1:
            report.add_error(1, header, _("This column appears more than once."), "column_duplicate")
    if report.errors:
        return []
    records = []
    for index, row in enumerate(dataset, start=2):
        values = {h: v for h, v in zip(headers, row, strict=False) if h}
        if all(_text(v) == "" for v in row):
            continue
        if any(_text(v) for h, v in zip(headers, row, strict=False) if not h):
            report.add_error(index, "", _("This row has a value in a column without a header."), "column_unnamed")
        records.append((index, values))
    report.total_rows = len(records)
    if not records:
        report.add_error(1, "", _("The file has no rows to import."), "file_empty")
    elif len(records) > MAX_ROWS:
        report.add_error(
            1, "", _("A file may hold at most %(limit)s rows; split it.") % {"limit": MAX_ROWS}, "too_many_rows"
        )
    return records


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


# --- customers ---------------------------------------------------------------------------------------
def _customers_validate(records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> list[tuple[int, dict]]:
    emails: Counter[str] = Counter(_text(v.get("email")).lower() for _row, v in records)
    phones_seen: set[str] = set()
    ids_seen: set[str] = set()
    valid_timezones = zoneinfo.available_timezones()

    def check(row_number: int, values: dict[str, Any]) -> dict[str, Any]:
        legal_name = _required(values, "legal_name", 150)
        jurisdiction = _text(values.get("jurisdiction")).upper() or Jurisdiction.CN
        if jurisdiction not in Jurisdiction.values:
            raise _RowInvalid(
                "jurisdiction",
                _("Use one of: %(choices)s.") % {"choices": ", ".join(Jurisdiction.values)},
                "invalid_choice",
            )
        language = _text(values.get("language")).lower() or Language.ZH_HANS
        if language not in Language.values:
            raise _RowInvalid(
                "language", _("Use one of: %(choices)s.") % {"choices": ", ".join(Language.values)}, "invalid_choice"
            )
        tz_name = _text(values.get("timezone")) or "Asia/Shanghai"
        if tz_name not in valid_timezones:
            raise _RowInvalid("timezone", _("Enter an IANA time zone such as Asia/Shanghai."), "invalid_timezone")
        email = _text(values.get("email")).lower()
        phone_raw = _text(values.get("phone"))
        if not email and not phone_raw:
            raise _RowInvalid("email", _("Give an email address or a mobile number."), "identifier_missing")
        if email:
            _max_length(email, "email", 254)
            try:
                validate_email(email)
            except ValidationError as exc:
                raise _RowInvalid("email", _("Enter a valid email address."), "invalid_email") from exc
            if emails[email] > 1:
                raise _RowInvalid("email", _("This email address appears more than once in the file."), "duplicate")
            if User.objects.filter(email=email).exists():
                raise _RowInvalid("email", _("A user with this email address already exists."), "email_taken")
        phone = ""
        if phone_raw:
            try:
                phone = (
                    normalise_mainland_mobile(phone_raw)
                    if jurisdiction == Jurisdiction.CN
                    else normalise_phone(phone_raw, "US")
                )
            except ValidationError as exc:
                raise _RowInvalid("phone", exc.messages[0], exc.code or "invalid_phone") from exc
            if phone in phones_seen:
                raise _RowInvalid("phone", _("This mobile number appears more than once in the file."), "duplicate")
            phones_seen.add(phone)
            if User.objects.filter(phone=phone).exists():
                raise _RowInvalid("phone", _("A user with this mobile number already exists."), "phone_taken")
        national_id = _text(values.get("national_id")).upper()
        if national_id:
            if jurisdiction == Jurisdiction.CN:
                try:
                    national_id = validate_cn_resident_id(national_id)
                except ValidationError as exc:
                    raise _RowInvalid("national_id", exc.messages[0], "invalid_national_id") from exc
            _max_length(national_id, "national_id", 40)
            digest = keyed_digest(national_id)
            if digest in ids_seen:
                raise _RowInvalid("national_id", _("This national ID appears more than once in the file."), "duplicate")
            ids_seen.add(digest)
            if CustomerProfile.objects.filter(national_id_digest=digest).exists():
                raise _RowInvalid(
                    "national_id", _("A customer with this national ID already exists."), "national_id_taken"
                )
        return {
            "legal_name": legal_name,
            "email": email,
            "phone": phone,
            "national_id": national_id,
            "postal_address": _text(values.get("postal_address")),
            "timezone": tz_name,
            "language": language,
            "jurisdiction": jurisdiction,
        }

    return _check_each(records, report, check)


def _customer_create(actor: User | None, row_number: int, data: dict[str, Any]) -> RowResult:
    profile = customer_create(actor=actor, password=None, **data)
    return RowResult(
        row=row_number,
        values=[
            data["legal_name"],
            data["email"],
            data["phone"],
            mask_national_id(data["national_id"]) if data["national_id"] else "",
            data["postal_address"],
            data["timezone"],
            data["language"],
            data["jurisdiction"],
        ],
        reference=profile.customer_number,
    )


# --- contracts ---------------------------------------------------------------------------------------
def _contracts_validate(records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> list[tuple[int, dict]]:
    customers = CustomerProfile.objects.in_bulk(
        {_text(v.get("customer_number")) for _row, v in records}, field_name="customer_number"
    )
    products = Product.objects.in_bulk({_text(v.get("product_code")) for _row, v in records}, field_name="code")
    terms: dict[tuple[int, int], TermsVersion] = {}
    latest: dict[int, TermsVersion] = {}
    for version in TermsVersion.objects.filter(product__in=products.values()).select_related("product"):
        terms[(version.product_id, version.version)] = version
        if version.product_id not in latest or version.version > latest[version.product_id].version:
            latest[version.product_id] = version
    numbers = [_text(v.get("contract_number")) for _row, v in records]
    in_file: Counter[str] = Counter(n for n in numbers if n)
    taken = set(Contract.objects.filter(number__in=list(in_file)).values_list("number", flat=True))

    def check(row_number: int, values: dict[str, Any]) -> dict[str, Any]:
        customer = customers.get(_required(values, "customer_number"))
        if customer is None:
            raise _RowInvalid("customer_number", _("No customer has this number."), "customer_unknown")
        product = products.get(_required(values, "product_code"))
        if product is None:
            raise _RowInvalid("product_code", _("No product has this code."), "product_unknown")
        version_text = _text(values.get("terms_version"))
        if version_text:
            if not version_text.isdigit():
                raise _RowInvalid("terms_version", _("Enter a whole number such as 12."), "invalid_integer")
            accepted = terms.get((product.pk, int(version_text)))
            if accepted is None:
                raise _RowInvalid("terms_version", _("This product has no such terms version."), "terms_unknown")
        else:
            accepted = latest.get(product.pk)
            if accepted is None:
                raise _RowInvalid("terms_version", _("This product has no published terms."), "terms_unknown")
        principal = _amount(values.get("principal"), "principal")
        term = _positive_int(values.get("term"), "term")
        if not product.min_term <= term <= product.max_term:
            raise _RowInvalid(
                "term",
                _("The term must be between %(low)s and %(high)s months.")
                % {"low": product.min_term, "high": product.max_term},
                "term_out_of_range",
            )
        start_date = _date(values.get("start_date"), "start_date")
        first_due_date = None
        if _text(values.get("first_due_date")):
            first_due_date = _date(values.get("first_due_date"), "first_due_date")
            if first_due_date <= start_date:
                raise _RowInvalid(
                    "first_due_date", _("The first due date must be after the start date."), "first_due_before_start"
                )
        number = _text(values.get("contract_number"))
        if number:
            _max_length(number, "contract_number", 40)
            if number in taken:
                raise _RowInvalid("contract_number", _("A contract with this number already exists."), "number_taken")
            if in_file[number] > 1:
                raise _RowInvalid(
                    "contract_number", _("This contract number appears more than once in the file."), "duplicate"
                )
        return {
            "customer": customer,
            "terms": accepted,
            "principal": principal,
            "term": term,
            "start_date": start_date,
            "first_due_date": first_due_date,
            "number": number or None,
        }

    return _check_each(records, report, check)


def _contract_create(actor: User | None, row_number: int, data: dict[str, Any]) -> RowResult:
    contract = contract_create(actor=actor, **data)
    return RowResult(
        row=row_number,
        values=[
            data["customer"].customer_number,
            data["terms"].product.code,
            str(data["terms"].version),
            str(data["principal"]),
            str(data["term"]),
            data["start_date"].isoformat(),
            contract.first_due_date.isoformat(),
            data["number"] or "",
        ],
        reference=contract.number,
    )


# --- payments (repayment history) ------------------------------------------------------------------------
def _payments_validate(records: list[tuple[int, dict[str, Any]]], report: ImportReport) -> list[tuple[int, dict]]:
    contracts = Contract.objects.in_bulk({_text(v.get("contract_number")) for _row, v in records}, field_name="number")
    now = timezone.now()

    def check(row_number: int, values: dict[str, Any]) -> dict[str, Any]:
        contract = contracts.get(_required(values, "contract_number"))
        if contract is None:
            raise _RowInvalid("contract_number", _("No contract has this number."), "contract_unknown")
        channel = _required(values, "channel", 30)
        reference = _required(values, "reference", 100)
        amount = _amount(values.get("amount"), "amount")
        if not _text(values.get("received_at")):
            raise _RowInvalid("received_at", _("This value is required."), "required")
        received_at = _aware_datetime(values.get("received_at"), "received_at")
        if received_at > now:
            raise _RowInvalid("received_at", _("A payment cannot be dated in the future."), "received_in_future")
        if business_date_of(received_at) < contract.start_date:
            raise _RowInvalid(
                "received_at", _("A payment cannot be dated before the contract started."), "payment_before_start"
            )
        return {
            "contract": contract,
            "channel": channel,
            "external_reference": reference,
            "amount": amount,
            "received_at": received_at,
        }

    prepared = _check_each(records, report, check)
    # Post in the order the money arrived, so each payment meets the ledger as it stood then.
    return sorted(prepared, key=lambda item: (item[1]["received_at"], item[0]))


def _payment_post(actor: User | None, row_number: int, data: dict[str, Any]) -> RowResult:
    contract = data["contract"]
    payment, created = payment_post(
        actor=actor,
        contract_id=contract.pk,
        channel=data["channel"],
        external_reference=data["external_reference"],
        amount=data["amount"],
        received_at=data["received_at"],
    )
    return RowResult(
        row=row_number,
        values=[
            contract.number,
            data["channel"],
            data["external_reference"],
            str(data["amount"]),
            timezone.localtime(data["received_at"], NAIVE_TIMEZONE).isoformat(),
        ],
        reference=str(payment.pk),
        created=created,
    )


_HANDLERS: dict[str, tuple[Callable[..., list[tuple[int, dict]]], Callable[..., RowResult]]] = {
    CUSTOMERS: (_customers_validate, _customer_create),
    CONTRACTS: (_contracts_validate, _contract_create),
    PAYMENTS: (_payments_validate, _payment_post),
}
