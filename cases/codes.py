"""Stable codes of the cases app: errors its services raise and actions its audit events
record. Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class CasesError(StrEnum):
    VISIT_NOT_FOUND = "visit_not_found"
    VISIT_NOT_SCHEDULED = "visit_not_scheduled"
    VISIT_NOT_ALLOWED = "visit_not_allowed"
    VISIT_OFFICERS = "visit_officers"
    VISIT_NOT_DELINQUENT = "visit_not_delinquent"
    VISIT_BLOCKED = "visit_blocked"


class CasesAction(StrEnum):
    PII_VIEWED = "pii.viewed"
    VISIT_CALL_REQUESTED = "visit.call_requested"
    VISIT_SCHEDULED = "visit.scheduled"
