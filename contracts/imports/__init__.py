"""Staff import of customers, contracts and repayment history from CSV or XLSX files.

Parsing uses django-import-export's tablib formats; every record is created through the
ordinary services (``customer_create``, ``contract_create``, ``payment_post``), so an
imported row gets exactly the checks, ledger effects and audit events of one entered by
hand. An import is all-or-nothing: every row is checked first, then all rows run inside
one transaction, and nothing is kept if any row fails (or if it is a dry run).

One module per step: ``files`` reads the upload, ``columns`` knows each kind's columns and
cell formats, ``customer_rows``, ``contract_rows`` and ``payment_rows`` check and create one
kind's rows, ``run`` is the service, ``jobs`` runs it in the background (``progress``: its
live progress). Every name callers use is importable from here.
"""

from __future__ import annotations

from .columns import COLUMNS, CONTRACTS, CUSTOMERS, KIND_CHOICES, NAIVE_TIMEZONE, PAYMENTS, template_dataset
from .files import MAX_FILE_BYTES, MAX_XLSX_UNCOMPRESSED_BYTES, dataset_from_upload
from .jobs import import_job_create, import_job_get, import_job_progress, import_job_run, import_jobs_recent
from .report import ImportReport, RowError, RowResult
from .run import IMPORT_PERMISSION, MAX_ROWS, contracts_import

__all__ = [
    "COLUMNS",
    "CONTRACTS",
    "CUSTOMERS",
    "IMPORT_PERMISSION",
    "KIND_CHOICES",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "NAIVE_TIMEZONE",
    "PAYMENTS",
    "ImportReport",
    "RowError",
    "RowResult",
    "contracts_import",
    "dataset_from_upload",
    "import_job_create",
    "import_job_get",
    "import_job_progress",
    "import_job_run",
    "import_jobs_recent",
    "template_dataset",
]
