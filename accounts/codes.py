"""Stable codes of the accounts app: errors its services raise and actions its audit events
record. Stored as these strings; translated only for display."""

from __future__ import annotations

from enum import StrEnum


class AccountsError(StrEnum):
    OWN_ROLES = "own_roles"
    USER_CHANGE_FORBIDDEN = "user_change_forbidden"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    EMAIL_TAKEN = "email_taken"
    INVALID_NATIONAL_ID = "invalid_national_id"
    INVALID_PHONE = "invalid_phone"
    INVALID_TIME_RANGE = "invalid_time_range"
    INVALID_TOKEN = "invalid_token"
    NOT_MAINLAND_MOBILE = "not_mainland_mobile"
    OPT_OUT_NOT_ALLOWED = "opt_out_not_allowed"
    PHONE_TAKEN = "phone_taken"
    PREFERRED_CHANNEL_REFUSED = "preferred_channel_refused"
    TOO_MANY_TIME_RANGES = "too_many_time_ranges"


class AccountsAction(StrEnum):
    AUTH_LOCKED_OUT = "auth.locked_out"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_CODE_ISSUED = "auth.login_code_issued"
    AUTH_LOGIN_CODE_THROTTLED = "auth.login_code_throttled"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGOUT = "auth.logout"
    AUTH_OTP_FAILED = "auth.otp_failed"
    AUTH_OTP_VERIFIED = "auth.otp_verified"
    AUTH_TOTP_CONFIRMED = "auth.totp_confirmed"
    AUTH_TOTP_SETUP_FAILED = "auth.totp_setup_failed"
    AUTH_TOTP_SETUP_STARTED = "auth.totp_setup_started"
    CONTACT_PREFERENCE_UPDATED = "contact_preference.updated"
    CUSTOMER_CREATED = "customer.created"
    CUSTOMER_UPDATED = "customer.updated"
    CUSTOMER_EMERGENCY_CONTACT_ADDED = "customer.emergency_contact_added"
    PII_VIEWED = "pii.viewed"
    ROLES_CHANGED = "roles.changed"
    ROLES_SYNCED = "roles.synced"
    USER_CREATED_BY_ADMIN = "user.created_by_admin"
    USER_UPDATED = "user.updated"
    STAFF_CREATED = "staff.created"
    USER_LANGUAGE_SET = "user.language_set"
