from django.urls import path

from . import (
    views,
    views_agencies,
    views_appeals,
    views_case,
    views_contracts,
    views_import,
    views_outbox,
    views_reports,
    views_validation,
    views_workbench,
)

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:pk>/", views_case.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/unmask/", views_case.customer_unmask_view, name="customer_unmask"),
    path("accounts/<int:pk>/<slug:action>/", views_case.account_action, name="account_action"),
    path("queue/", views_workbench.queue, name="queue"),
    path("queue/next/", views_workbench.queue_next, name="queue_next"),
    path("queue/assign/", views_workbench.queue_assign, name="queue_assign"),
    path("queue/views/", views_workbench.saved_view_save_view, name="saved_view_save"),
    path("queue/views/<int:pk>/delete/", views_workbench.saved_view_delete_view, name="saved_view_delete"),
    path("agencies/", views_agencies.agencies, name="agencies"),
    path("placements/<int:pk>/recall/", views_agencies.placement_recall_view, name="placement_recall"),
    path("waivers/", views_agencies.waiver_requests, name="waiver_requests"),
    path("waivers/<int:pk>/", views_agencies.waiver_request_decide, name="waiver_request_decide"),
    path("contracts/<int:pk>/", views_contracts.contract_detail, name="contract_detail"),
    path("validation/<int:pk>/", views_validation.validation_notice_page, name="validation_notice"),
    path(
        "validation/<int:pk>/responses/<int:response_pk>/verify/",
        views_validation.verification_send_view,
        name="verification_send",
    ),
    path("import/", views_import.import_view, name="import"),
    path("import/template/<slug:kind>.csv", views_import.import_template_view, name="import_template"),
    path("import/jobs/<int:pk>/", views_import.import_job_view, name="import_job"),
    path("outbox/", views_outbox.outbox, name="outbox"),
    path("outbox/<int:pk>/", views_outbox.notice_detail, name="notice_detail"),
    path("mail/", views_outbox.mail_viewer, name="mail_viewer"),
    path("appeals/", views_appeals.queue, name="appeal_queue"),
    path("appeals/<int:pk>/", views_appeals.case_page, name="appeal_case"),
    path("appeals/evidence/<int:pk>/", views_appeals.evidence_view, name="appeal_case_evidence"),
    path("appeals/new/<int:customer_pk>/", views_appeals.file_for_customer, name="appeal_file_for_customer"),
    path("appeals/report/", views_appeals.report, name="appeal_sla_report"),
    path("reports/", views_reports.report, name="reports"),
    path("reports/<slug:name>/", views_reports.report, name="report"),
]
