"""Staff roles as groups with permissions (the table later apps extend)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    FIELD_OFFICER = "field_officer", _("Field officer")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    AGENCY = "agency", _("External agency")
    ADMIN = "admin", _("Administrator")


STAFF_AREA = "accounts.access_staff_area"
VIEW_PII = "accounts.view_customer_pii"
# Notice templates, escalation ladders and contact-rule tightening (notices admin).
NOTICE_RULES = [
    "notices.manage_templates",
    "notices.add_noticetemplate",
    "notices.view_noticetemplate",
    "notices.view_escalationladder",
    "notices.change_escalationladder",
    "notices.view_ladderstep",
    "notices.add_ladderstep",
    "notices.change_ladderstep",
    "notices.view_contactruletightening",
    "notices.add_contactruletightening",
    "notices.change_contactruletightening",
]
# The holiday calendar SLA deadlines count with (appeals admin): compliance enters each year.
HOLIDAY_CALENDAR = [
    "appeals.view_calendaryear",
    "appeals.add_calendaryear",
    "appeals.change_calendaryear",
    "appeals.view_calendarday",
    "appeals.add_calendarday",
    "appeals.change_calendarday",
    "appeals.delete_calendarday",
]
# The dated table of limitation periods (contracts admin) and the manual time-barred mark.
LIMITATION_PERIODS = [
    "contracts.view_limitationperiod",
    "contracts.add_limitationperiod",
    "contracts.change_limitationperiod",
]
FLAG_TIME_BARRED = "contracts.flag_time_barred"
# Disputes, complaints, hardship requests and appeals (staff case pages).
CASE_HANDLE = "appeals.handle_case"
CASE_APPROVE_REMEDY = "appeals.approve_case_remedy"
CASE_SLA_REPORT = "appeals.view_sla_report"
# The API with a portal session: the scope's permission (accounts.api_<scope>).
API_READ = ["accounts.api_contracts_read", "accounts.api_eligibility_read", "accounts.api_events_read"]
API_ALL = [*API_READ, "accounts.api_contracts_write", "accounts.api_payments_write", "accounts.api_appeals_write"]
# API clients, their tokens and the webhook outbox (accounts admin): administrators.
API_ADMIN = [
    "accounts.view_apiclient",
    "accounts.add_apiclient",
    "accounts.change_apiclient",
    "accounts.view_apitoken",
    "accounts.add_apitoken",
    "accounts.change_apitoken",
    "accounts.view_webhookendpoint",
    "accounts.view_webhookdelivery",
    "accounts.change_webhookdelivery",
]
# Authorising a field visit (上门走访): supervisors and administrators only.
VISIT_APPROVE = "cases.approve_visit"
# Going on a field visit as one of its two officers: the officer's own visits and reports.
VISIT_CARRY_OUT = "cases.carry_out_visit"
# The workbench: working overdue accounts (queue, calls, promises, requests), assigning them,
# placing them with external agencies; approving a fee waiver.
WORK_ACCOUNTS = "cases.work_accounts"
ASSIGN_ACCOUNTS = "cases.assign_accounts"
PLACE_WITH_AGENCY = "cases.place_with_agency"
WAIVER_APPROVE = "contracts.approve_waiver"
# Agencies and teams are kept in the admin by supervisors and administrators.
WORKBENCH_DIRECTORY = [
    "cases.view_agency",
    "cases.add_agency",
    "cases.change_agency",
    "cases.view_team",
    "cases.add_team",
    "cases.change_team",
    "cases.view_agencyplacement",
]
# The portfolio dashboards and reports (supervisors, compliance, management = administrators).
REPORTS_VIEW = "contracts.view_portfolio_reports"
# The legal route (lawyer's letters, referral bundles, court cases) and guarantee claims.
LEGAL_ROUTE = "cases.manage_legal_route"

# Permission codenames ("app_label.codename") granted to each role. Permissions that do
# not exist (an app not yet migrated) are skipped by roles_sync and picked up next time.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: [
        STAFF_AREA,
        VIEW_PII,
        "accounts.view_customerprofile",
        "appeals.handle_case",
        WORK_ACCOUNTS,
        VISIT_CARRY_OUT,
    ],
    Role.SUPERVISOR: [
        "appeals.handle_case",
        "appeals.approve_case_remedy",
        "appeals.view_sla_report",
        STAFF_AREA,
        VIEW_PII,
        "accounts.view_customerprofile",
        "audit.view_auditevent",
        "contracts.approve_waiver",
        FLAG_TIME_BARRED,
        "notices.view_notice",
        CASE_HANDLE,
        CASE_APPROVE_REMEDY,
        CASE_SLA_REPORT,
        VISIT_APPROVE,
        VISIT_CARRY_OUT,
        WORK_ACCOUNTS,
        ASSIGN_ACCOUNTS,
        PLACE_WITH_AGENCY,
        *WORKBENCH_DIRECTORY,
        REPORTS_VIEW,
        LEGAL_ROUTE,
    ],
    Role.FIELD_OFFICER: [STAFF_AREA, VIEW_PII, VISIT_CARRY_OUT],
    Role.COMPLIANCE_OFFICER: [
        "appeals.handle_case",
        "appeals.approve_case_remedy",
        "appeals.view_sla_report",
        STAFF_AREA,
        VIEW_PII,
        "accounts.view_customerprofile",
        "audit.view_auditevent",
        "django_celery_beat.view_periodictask",
        "notices.view_notice",
        *NOTICE_RULES,
        *HOLIDAY_CALENDAR,
        *LIMITATION_PERIODS,
        FLAG_TIME_BARRED,
        CASE_HANDLE,
        CASE_SLA_REPORT,
        CASE_APPROVE_REMEDY,
        *API_READ,
        REPORTS_VIEW,
    ],
    # Agencies see only the accounts placed with them, with personal data masked.
    Role.AGENCY: [STAFF_AREA, WORK_ACCOUNTS],
    Role.ADMIN: [
        "appeals.handle_case",
        "appeals.approve_case_remedy",
        "appeals.view_sla_report",
        STAFF_AREA,
        VIEW_PII,
        "accounts.view_customerprofile",
        "accounts.change_customerprofile",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_staffprofile",
        "accounts.add_staffprofile",
        "accounts.change_staffprofile",
        "audit.view_auditevent",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "contracts.approve_waiver",
        "contracts.import_contracts",
        "notices.view_notice",
        *NOTICE_RULES,
        *HOLIDAY_CALENDAR,
        *LIMITATION_PERIODS,
        FLAG_TIME_BARRED,
        CASE_HANDLE,
        CASE_APPROVE_REMEDY,
        CASE_SLA_REPORT,
        VISIT_APPROVE,
        VISIT_CARRY_OUT,
        *API_ALL,
        *API_ADMIN,
        WORK_ACCOUNTS,
        ASSIGN_ACCOUNTS,
        PLACE_WITH_AGENCY,
        *WORKBENCH_DIRECTORY,
        REPORTS_VIEW,
        LEGAL_ROUTE,
    ],
}
