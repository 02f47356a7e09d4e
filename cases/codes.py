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
    # The workbench
    NOT_ALLOWED = "workbench_not_allowed"
    CONTACT_BLOCKED = "contact_blocked"
    NOT_OVERDUE = "account_not_overdue"
    PROMISE_DETAILS = "promise_details_missing"
    PROMISE_OPEN = "promise_already_open"
    REASON_MISSING = "reason_missing"
    ASSIGNEE_INVALID = "assignee_invalid"
    NOTHING_SELECTED = "nothing_selected"
    VIEW_NAME = "saved_view_name"
    REQUEST_NOT_OPEN = "request_not_open"
    OWN_REQUEST = "own_request_decision"
    REQUEST_OPEN = "request_already_open"
    WAIVER_AMOUNT = "waiver_amount"
    WAIVER_NOTHING = "waiver_nothing_to_waive"
    HOLD_OPEN = "hold_already_open"
    LEGAL_BLOCKED = "legal_referral_blocked"
    AGENCY_NOT_FOUND = "agency_not_found"
    AGENCY_UNLICENSED = "agency_unlicensed"
    PLACEMENT_EXISTS = "placement_exists"
    PLACEMENT_PERIOD = "placement_period"
    PLACEMENT_NOT_ACTIVE = "placement_not_active"
    NO_NEXT_ACCOUNT = "no_next_account"


class CasesAction(StrEnum):
    PII_VIEWED = "pii.viewed"
    VISIT_CALL_REQUESTED = "visit.call_requested"
    VISIT_SCHEDULED = "visit.scheduled"
    CALL_LOGGED = "call.logged"
    ASSIGNMENT_SET = "assignment.set"
    SAVED_VIEW_SAVED = "saved_view.saved"
    SAVED_VIEW_DELETED = "saved_view.deleted"
    WAIVER_REQUESTED = "waiver_request.created"
    WAIVER_APPROVED = "waiver_request.approved"
    WAIVER_REJECTED = "waiver_request.rejected"
    VISIT_REQUESTED = "visit_request.created"
    VISIT_REQUEST_DECIDED = "visit_request.decided"
    LEGAL_REFERRED = "legal_referral.created"
    AGENCY_SAVED = "agency.saved"
    TEAM_SAVED = "team.saved"
    MEMBERS_SET = "members.set"
    PLACEMENT_CREATED = "placement.created"
    PLACEMENT_RECALLED = "placement.recalled"
