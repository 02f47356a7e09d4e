"""Stable codes of the contracts app: error codes and audit actions.

The values are stored (audit events, import reports, API answers) and matched by clients,
so they never change; add members, do not rename them.
"""

from __future__ import annotations

from enum import StrEnum


class ContractsError(StrEnum):
    # Lookups
    CONTRACT_NOT_FOUND = "contract_not_found"
    PAYMENT_NOT_FOUND = "payment_not_found"
    QUOTE_DATE_OUT_OF_RANGE = "quote_date_out_of_range"
    BULK_TOO_LARGE = "bulk_too_large"
    IMPORT_JOB_NOT_FOUND = "import_job_not_found"
    INSTALLMENT_NOT_FOUND = "installment_not_found"
    PLAN_NOT_FOUND = "plan_not_found"
    # Contracts
    TERM_OUT_OF_RANGE = "term_out_of_range"
    FIRST_DUE_BEFORE_START = "first_due_before_start"
    INVALID_SCHEDULE = "invalid_schedule"
    # The cost of credit (``contracts.cost_cap``)
    LPR_MISSING = "lpr_missing"
    COST_CAP_ABOVE_REGIME = "cost_cap_above_regime"
    RATE_ABOVE_REGIME = "rate_above_regime"
    # Payments and refunds
    NAIVE_DATETIME = "naive_datetime"
    PAYMENT_BEFORE_START = "payment_before_start"
    AMOUNT_EXCEEDS_PAYOFF = "amount_exceeds_payoff"
    REFERENCE_CONFLICT = "reference_conflict"
    CREDIT_NEGATIVE = "credit_negative"
    REFUND_EXCEEDS_CREDIT = "refund_exceeds_credit"
    # Repayment plans
    PLAN_MONTHS_OUT_OF_RANGE = "plan_months_out_of_range"
    PLAN_NOT_POSSIBLE = "plan_not_possible"
    PLAN_ALREADY_OPEN = "plan_already_open"
    NOTHING_TO_RESTRUCTURE = "nothing_to_restructure"
    APPROVAL_NOT_ALLOWED = "approval_not_allowed"
    APPROVAL_BY_PROPOSER = "approval_by_proposer"
    PLAN_NOT_PROPOSED = "plan_not_proposed"
    PLAN_CANNOT_ACTIVATE = "plan_cannot_activate"
    PLAN_CANNOT_CANCEL = "plan_cannot_cancel"
    PLAN_TRANSITION_NOT_ALLOWED = "plan_transition_not_allowed"
    # Promises to pay
    PROMISE_IN_PAST = "promise_in_past"
    # On-site service
    SERVICE_TRANSITION_NOT_ALLOWED = "service_transition_not_allowed"
    NO_ONSITE_SERVICE = "no_onsite_service"
    NOTICE_TOO_EARLY = "notice_too_early"
    NOTICE_PERIOD_RUNNING = "notice_period_running"
    # Uploaded files (plan evidence, ``contracts.evidence``; import files)
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
    FILE_EMPTY = "file_empty"
    FILE_TYPE = "file_type"
    NOT_CSV = "not_csv"
    NOT_XLSX = "not_xlsx"
    # Import: the request and the file's shape
    IMPORT_KIND_UNKNOWN = "import_kind_unknown"
    IMPORT_FORBIDDEN = "import_forbidden"
    COLUMN_MISSING = "column_missing"
    COLUMN_UNKNOWN = "column_unknown"
    COLUMN_DUPLICATE = "column_duplicate"
    COLUMN_UNNAMED = "column_unnamed"
    TOO_MANY_ROWS = "too_many_rows"
    # Import: one row's values (the report's row errors)
    REQUIRED = "required"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"
    INVALID_INTEGER = "invalid_integer"
    INVALID_DATE = "invalid_date"
    INVALID_DATETIME = "invalid_datetime"
    INVALID_CHOICE = "invalid_choice"
    INVALID_TIMEZONE = "invalid_timezone"
    IDENTIFIER_MISSING = "identifier_missing"
    INVALID_EMAIL = "invalid_email"
    EMAIL_TAKEN = "email_taken"
    INVALID_PHONE = "invalid_phone"
    PHONE_TAKEN = "phone_taken"
    INVALID_NATIONAL_ID = "invalid_national_id"
    NATIONAL_ID_TAKEN = "national_id_taken"
    CUSTOMER_UNKNOWN = "customer_unknown"
    PRODUCT_UNKNOWN = "product_unknown"
    TERMS_UNKNOWN = "terms_unknown"
    NUMBER_TAKEN = "number_taken"
    CONTRACT_UNKNOWN = "contract_unknown"
    RECEIVED_IN_FUTURE = "received_in_future"
    # Limitation of actions (12 CFR 1006.26(b))
    TIME_BARRED_LEGAL_ACTION = "time_barred_legal_action"
    LIMITATION_PERIOD_OVERLAP = "limitation_period_overlap"
    LIMITATION_PERIOD_DATES = "limitation_period_dates"
    LIMITATION_PERIOD_YEARS = "limitation_period_years"
    TIME_BARRED_REASON_REQUIRED = "time_barred_reason_required"
    # The early-warning model
    RISK_HISTORY_TOO_SHORT = "risk_history_too_short"
    # Import: a row refused while it was being written
    INVALID = "invalid"
    CONFLICT = "conflict"


class ContractsAction(StrEnum):
    PRODUCT_CREATED = "product.created"
    PRODUCT_CHANGED = "product.changed"
    LPR_RECORDED = "lpr.recorded"
    LPR_CHANGED = "lpr.changed"
    STATE_CAP_RECORDED = "state_cap.recorded"
    STATE_CAP_CHANGED = "state_cap.changed"
    TERMS_PUBLISHED = "terms.published"
    CONTRACT_CREATED = "contract.created"
    PAYMENT_POSTED = "payment.posted"
    PAYMENT_REVERSED = "payment.reversed"
    CREDIT_REFUNDED = "credit.refunded"
    LEDGER_ADJUSTED = "ledger.adjusted"
    SWEEP_RANGE_DONE = "sweep.range_done"
    IMPORT_COMPLETED = "import.completed"
    IMPORT_QUEUED = "import.queued"
    IMPORT_JOB_FINISHED = "import.job_finished"
    PLAN_PROPOSED = "plan.proposed"
    PLAN_APPROVED = "plan.approved"
    # A plan's status change is ``plan.<status>``, one per PlanStatus it can move to.
    PLAN_ACTIVE = "plan.active"
    PLAN_KEPT = "plan.kept"
    PLAN_BROKEN = "plan.broken"
    PLAN_CANCELLED = "plan.cancelled"
    PLAN_REJECTED = "plan.rejected"
    PROMISE_RECORDED = "promise.recorded"
    # The sweep decides a promise as ``promise.<status>``.
    PROMISE_KEPT = "promise.kept"
    PROMISE_BROKEN = "promise.broken"
    # On-site service changes are ``service.<state>``, one per ServiceState it can move to.
    SERVICE_NOTICE_GIVEN = "service.notice_given"
    SERVICE_SUSPENDED = "service.suspended"
    SERVICE_RESTORED = "service.restored"
    HOLD_PLACED = "hold.placed"
    HOLD_RELEASED = "hold.released"
    LIMITATION_PERIOD_SAVED = "limitation_period.saved"
    GOVERNING_LAW_SET = "contract.governing_law_set"
    TIME_BARRED_FLAG_SET = "contract.time_barred_flag_set"
    RISK_SCORED = "risk.scored"
    RISK_MODEL_TRAINED = "risk_model.trained"
