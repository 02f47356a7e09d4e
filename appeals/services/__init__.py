"""Disputes, complaints, hardship requests and appeals: every write, audited.

Collection stops while the customer is heard (see ``filing``); the workflow after filing is in
``workflow``, SLA clocks in ``sla_clock``, the
holiday calendar they count with in ``calendar``; ``appeals.rules`` says who may act on a case now.
Remedies change the ledger only through ``contracts.services``.
"""

from .calendar import DayEntry, calendar_days_update, calendar_seed, calendar_year_update
from .common import HOLD_FOR_KIND, PREFIX, second_approval_threshold, sla_policy
from .filing import case_appeal, case_file, evidence_view_record
from .sla_clock import sla_check
from .workflow import (
    case_acknowledge,
    case_appeal_decide,
    case_close,
    case_investigate,
    case_remedy_approve,
    case_resolve,
)

__all__ = [
    "HOLD_FOR_KIND",
    "PREFIX",
    "DayEntry",
    "calendar_days_update",
    "calendar_seed",
    "calendar_year_update",
    "case_acknowledge",
    "case_appeal",
    "case_appeal_decide",
    "case_close",
    "case_file",
    "case_investigate",
    "case_remedy_approve",
    "case_resolve",
    "evidence_view_record",
    "second_approval_threshold",
    "sla_check",
    "sla_policy",
]
