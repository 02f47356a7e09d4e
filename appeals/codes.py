"""Stable codes of the appeals app: errors its services raise and actions its audit events
record. Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class AppealsError(StrEnum):
    ALREADY_DECIDED = "case_already_decided"
    APPEAL_NOT_ALLOWED = "appeal_not_allowed"
    APPROVAL_NOT_ALLOWED = "approval_not_allowed"
    APPROVER_IS_REVIEWER = "approver_is_reviewer"
    CASE_NOT_FOUND = "case_not_found"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    CASE_TRANSITION_NOT_ALLOWED = "case_transition_not_allowed"
    CONTRACT_NOT_FOUND = "contract_not_found"
    CONTRACT_REQUIRED = "contract_required"
    DESCRIPTION_REQUIRED = "description_required"
    EVIDENCE_NOT_FOUND = "evidence_not_found"
    INVALID_CATEGORY = "invalid_category"
    NOTHING_TO_APPROVE = "nothing_to_approve"
    REASON_REQUIRED = "reason_required"
    REASONS_REQUIRED = "reasons_required"
    REMEDY_NEEDS_CONTRACT = "remedy_needs_contract"
    REMEDY_ON_REJECTION = "remedy_on_rejection"
    REMEDY_PENDING = "remedy_pending"
    REMEDY_WRONG_INSTALLMENT = "remedy_wrong_installment"
    SAME_REVIEWER = "same_reviewer"
    TOO_MANY_FILES = "too_many_files"


class AppealsAction(StrEnum):
    CASE_FILED = "case.filed"
    CASE_ACKNOWLEDGED = "case.acknowledged"
    CASE_INVESTIGATING = "case.investigating"
    CASE_REMEDY_PROPOSED = "case.remedy_proposed"
    CASE_RESOLVED = "case.resolved"
    CASE_APPEALED = "case.appealed"
    CASE_FINAL = "case.final"
    CASE_CLOSED = "case.closed"
    CASE_SLA_BREACHED = "case.sla_breached"
    CASE_SLA_REMINDED = "case.sla_reminded"
    CONTACT_LIMITS_REDUCED = "contact_limits.reduced"
    CONTACT_LIMITS_RESTORED = "contact_limits.restored"
    EVIDENCE_VIEWED = "evidence.viewed"


class CalendarError(StrEnum):
    DAY_OUTSIDE_YEAR = "calendar_day_outside_year"
    DAY_NOT_DIFFERENT = "calendar_day_not_different"
    REFERENCE_REQUIRED = "calendar_reference_required"
    YEAR_NOT_FOUND = "calendar_year_not_found"


class CalendarAction(StrEnum):
    SEEDED = "calendar.seeded"
    YEAR_CHANGED = "calendar.year_changed"
    YEAR_OFFICIAL = "calendar.year_official"
    YEAR_UNOFFICIAL = "calendar.year_unofficial"
    DAYS_CHANGED = "calendar.days_changed"
