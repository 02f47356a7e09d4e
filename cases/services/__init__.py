"""Every write of the cases app: one function per business action, each audited.

One module per concern: ``visits`` (field visits, notice records, the mail viewer), ``calls``
(calls and promises through the compliance engine), ``assignment`` (assignment, saved views),
``requests`` (fee waivers, visit requests, legal referral, holds), ``agencies`` (placement,
recall, commission), ``field_visits`` (approval, authorisation letter, report), ``guarantees``
(third-party guarantee claims and their payout), ``pii`` (unmasking with a reason)."""

from __future__ import annotations

from .agencies import agency_save, members_recorded, placement_create, placement_recall, placement_recovered
from .assignment import accounts_assign, saved_view_delete, saved_view_save, team_save
from .calls import call_log
from .field_visits import (
    visit_authorisation_letter,
    visit_report_file,
    visit_request_approve,
    visit_request_decide,
    visit_request_reject,
    visit_sheet_open,
)
from .guarantees import (
    GUARANTEE_CHANNEL,
    guarantee_add,
    guarantee_claim_decide,
    guarantee_claim_package,
    guarantee_claim_payout,
    guarantee_claim_prepare,
    guarantee_claim_submit,
    guarantee_claim_withdraw,
)
from .legal import (
    legal_bundle_make,
    legal_case_close,
    legal_case_enforce,
    legal_case_file,
    legal_case_judgment,
    legal_case_open,
    legal_case_refer,
)
from .pii import customer_unmask
from .requests import (
    STAFF_HOLD_REASONS,
    account_hold_place,
    legal_referral_create,
    visit_request_create,
    waiver_request_approve,
    waiver_request_create,
    waiver_request_reject,
)
from .visits import NoticeRecord, mail_viewer_open, notice_record_view, visit_request_call, visit_schedule

__all__ = [
    "GUARANTEE_CHANNEL",
    "STAFF_HOLD_REASONS",
    "NoticeRecord",
    "account_hold_place",
    "accounts_assign",
    "agency_save",
    "call_log",
    "customer_unmask",
    "guarantee_add",
    "guarantee_claim_decide",
    "guarantee_claim_package",
    "guarantee_claim_payout",
    "guarantee_claim_prepare",
    "guarantee_claim_submit",
    "guarantee_claim_withdraw",
    "legal_bundle_make",
    "legal_case_close",
    "legal_case_enforce",
    "legal_case_file",
    "legal_case_judgment",
    "legal_case_open",
    "legal_case_refer",
    "legal_referral_create",
    "mail_viewer_open",
    "members_recorded",
    "notice_record_view",
    "placement_create",
    "placement_recall",
    "placement_recovered",
    "saved_view_delete",
    "saved_view_save",
    "team_save",
    "visit_authorisation_letter",
    "visit_report_file",
    "visit_request_approve",
    "visit_request_call",
    "visit_request_create",
    "visit_request_decide",
    "visit_request_reject",
    "visit_schedule",
    "visit_sheet_open",
    "waiver_request_approve",
    "waiver_request_create",
    "waiver_request_reject",
]
