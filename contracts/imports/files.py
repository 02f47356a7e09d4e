"""Reading an uploaded CSV or XLSX file into a dataset, judged by content, not by name."""

from __future__ import annotations

import csv
import io
import zipfile

import tablib
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX

from core.errors import ApplicationError

from ..codes import ContractsError

MAX_FILE_BYTES = 5 * 1024 * 1024
# Uncompressed size limit for XLSX parts: a 5 MB zip may not expand into gigabytes.
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
XLSX_MAIN_CONTENT_TYPE = f"{XLSX.CONTENT_TYPE}.main+xml"


def _refuse(code: ContractsError, message: str) -> ApplicationError:
    return ApplicationError(code=code, message=message, field="file")


def dataset_from_upload(*, content: bytes, filename: str) -> tablib.Dataset:
    """Parse an uploaded file into a dataset, judging the file by its content, not its name.

    A ``.csv`` must be UTF-8 text (a byte-order mark is fine); an ``.xlsx`` must be a zip
    whose content types declare an Excel workbook. Anything else is refused.
    """
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(ContractsError.FILE_TOO_LARGE, _("The file is larger than %(limit)s MB.") % {"limit": 5})
    if not content.strip():
        raise _refuse(ContractsError.FILE_EMPTY, _("The file is empty."))
    name = filename.lower()
    if name.endswith(".csv"):
        return _csv_dataset(content)
    if name.endswith(".xlsx"):
        return _xlsx_dataset(content)
    raise _refuse(ContractsError.FILE_TYPE, _("Upload a .csv or .xlsx file."))


def _csv_dataset(content: bytes) -> tablib.Dataset:
    not_text = _("This file is not a UTF-8 CSV file. Save it as “CSV UTF-8” and try again.")
    if b"\x00" in content or content.startswith(b"PK\x03\x04"):
        raise _refuse(ContractsError.NOT_CSV, not_text)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(ContractsError.NOT_CSV, not_text) from exc
    # csv.reader directly rather than tablib's CSV import, which drops blank lines and so
    # would shift the row numbers staff see in the error table away from their spreadsheet's.
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _refuse(ContractsError.NOT_CSV, _("The CSV file could not be read.")) from exc
    if not rows:
        raise _refuse(ContractsError.FILE_EMPTY, _("The file is empty."))
    headers, *body = rows
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for number, row in enumerate(body, start=2):
        if any(cell.strip() for cell in row[width:]):
            raise _refuse(
                ContractsError.NOT_CSV, _("Row %(row)s has more cells than the header row.") % {"row": number}
            )
        dataset.append((row + [""] * width)[:width])
    return dataset


def _xlsx_dataset(content: bytes) -> tablib.Dataset:
    not_xlsx = _("This file is not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED_BYTES:
                raise _refuse(ContractsError.FILE_TOO_LARGE, _("The workbook is too large once unpacked."))
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise _refuse(ContractsError.NOT_XLSX, not_xlsx) from exc
    if XLSX_MAIN_CONTENT_TYPE.encode() not in types:
        raise _refuse(ContractsError.NOT_XLSX, not_xlsx)
    try:
        return XLSX().create_dataset(content)
    except StopIteration as exc:
        raise _refuse(ContractsError.FILE_EMPTY, _("The file is empty.")) from exc
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise _refuse(ContractsError.NOT_XLSX, not_xlsx) from exc
