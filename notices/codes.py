"""Stable codes of the notices app: error codes of ``ApplicationError`` and audit actions.

The values are stored (audit events, API answers) and matched by clients, so they never
change; add members, do not rename them. The compliance engine's reason codes are its own
enum (``notices.compliance.ReasonCode``).
"""

from __future__ import annotations

from enum import StrEnum


class NoticesError(StrEnum):
    MESSAGE_NOT_FOUND = "message_not_found"
    NOTICE_NOT_FOUND = "notice_not_found"
    CONTACT_WAS_BLOCKED = "contact_was_blocked"
    OUTCOME_ALREADY_RECORDED = "outcome_already_recorded"
    TEMPLATE_UNKNOWN_PURPOSE = "template_unknown_purpose"
    TEMPLATE_NOT_ACTIVE = "template_not_active"
    TEMPLATE_UNKNOWN_CHANNEL = "template_unknown_channel"
    TEMPLATE_UNKNOWN_LOCALE = "template_unknown_locale"
    TEMPLATE_MISSING_FIELDS = "template_missing_fields"
    TEMPLATE_INVALID = "template_invalid"
    TEMPLATE_FORBIDDEN_TAG = "template_forbidden_tag"
    TEMPLATE_SYNTAX_ERROR = "template_syntax_error"
    # Record retention (12 CFR 1006.100)
    RECORDS_UNDER_RETENTION = "records_under_retention"
    RECORDS_DELETE_UNGUARDED = "records_delete_unguarded"
    RECORDS_NOT_COMMUNICATIONS = "records_not_communications"
    VALIDATION_NOT_US = "validation_not_us"
    VALIDATION_NOTICE_NOT_FOUND = "validation_notice_not_found"
    VALIDATION_RESPONSE_EMPTY = "validation_response_empty"
    VALIDATION_RESPONSE_REASON = "validation_response_reason"
    VALIDATION_RESPONSE_DATE = "validation_response_date"
    VALIDATION_RESPONSE_AMOUNT = "validation_response_amount"
    VALIDATION_RESPONSE_NOT_FOUND = "validation_response_not_found"
    VERIFICATION_NOT_OWED = "verification_not_owed"
    VERIFICATION_FORBIDDEN = "verification_forbidden"


class NoticesAction(StrEnum):
    NOTICE_SCHEDULED = "notice.scheduled"
    # A delivery attempt ends in ``notice.<status>``, one per NoticeStatus.
    NOTICE_PENDING = "notice.pending"
    NOTICE_DEFERRED = "notice.deferred"
    NOTICE_SENT = "notice.sent"
    NOTICE_DELIVERED = "notice.delivered"
    NOTICE_FAILED = "notice.failed"
    NOTICE_DROPPED = "notice.dropped"
    NOTICE_SKIPPED = "notice.skipped"
    NOTICE_READ = "notice.read"
    CONTACT_ALLOWED = "contact.allowed"
    CONTACT_BLOCKED = "contact.blocked"
    CONTACT_OUTCOME = "contact.outcome"
    TEMPLATE_SAVED = "template.saved"
    LADDER_CREATED = "ladder.created"
    LADDER_CHANGED = "ladder.changed"
    LADDER_DEFAULTS_INSTALLED = "ladder.defaults_installed"
    CONTACT_RULES_TIGHTENED = "contact_rules.tightened"
    CONTACT_RULES_CHANGED = "contact_rules.changed"
    SMS_RECEIPT_RECORDED = "sms.receipt_recorded"
    SMS_RECEIPT_REJECTED = "sms.receipt_rejected"
    NIGHTLY_RUN_STARTED = "nightly_run.started"
    NIGHTLY_RUN_FINISHED = "nightly_run.finished"
    RECORDS_DELETED = "records.deleted"
    RECORDS_DELETE_REFUSED = "records.delete_refused"
    VALIDATION_NOTICE_ISSUED = "validation_notice.issued"
    VALIDATION_NOTICE_SENT = "validation_notice.sent"
    VALIDATION_RESPONSE_RECORDED = "validation_response.recorded"
    VERIFICATION_SCHEDULED = "verification.scheduled"
