"""Stable codes of the accounts app: errors its services raise and actions its audit events
record. Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class AccountsError(StrEnum):
    CUSTOMER_NOT_FOUND = "customer_not_found"
    CURRENT_TOKEN_INVALID = "current_token_invalid"
    EMAIL_TAKEN = "email_taken"
    INVALID_NATIONAL_ID = "invalid_national_id"
    INVALID_PHONE = "invalid_phone"
    INVALID_TIME_RANGE = "invalid_time_range"
    INVALID_TOKEN = "invalid_token"
    NOT_MAINLAND_MOBILE = "not_mainland_mobile"
    NOT_VERIFIED = "not_verified"
    OPT_OUT_NOT_ALLOWED = "opt_out_not_allowed"
    PHONE_TAKEN = "phone_taken"
    PREFERRED_CHANNEL_REFUSED = "preferred_channel_refused"
    REASON_REQUIRED = "reason_required"
    TWO_FACTOR_ALREADY_SET_UP = "two_factor_already_set_up"
    TWO_FACTOR_RESET_NOT_ALLOWED = "two_factor_reset_not_allowed"
    TWO_FACTOR_RESET_OWN = "two_factor_reset_own"


class AccountsAction(StrEnum):
    AUTH_BACKUP_CODE_USED = "auth.backup_code_used"
    AUTH_BACKUP_CODES_ISSUED = "auth.backup_codes_issued"
    AUTH_LOCKED_OUT = "auth.locked_out"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_CODE_ISSUED = "auth.login_code_issued"
    AUTH_LOGIN_CODE_THROTTLED = "auth.login_code_throttled"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGOUT = "auth.logout"
    AUTH_OTP_FAILED = "auth.otp_failed"
    AUTH_OTP_VERIFIED = "auth.otp_verified"
    AUTH_TOTP_CONFIRMED = "auth.totp_confirmed"
    AUTH_TOTP_REPLACE_FAILED = "auth.totp_replace_failed"
    AUTH_TOTP_REPLACED = "auth.totp_replaced"
    AUTH_TOTP_SETUP_FAILED = "auth.totp_setup_failed"
    AUTH_TOTP_SETUP_REFUSED = "auth.totp_setup_refused"
    AUTH_TOTP_SETUP_STARTED = "auth.totp_setup_started"
    AUTH_TWO_FACTOR_RESET = "auth.two_factor_reset"
    AUTH_TWO_FACTOR_RESET_REFUSED = "auth.two_factor_reset_refused"
    CONTACT_PREFERENCE_UPDATED = "contact_preference.updated"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_EMERGENCY_CONTACT_ADDED = "customer.emergency_contact_added"
    PII_VIEWED = "pii.viewed"
    ROLES_SYNCED = "roles.synced"
    STAFF_CREATED = "staff.created"
    USER_LANGUAGE_SET = "user.language_set"
