from django.urls import path

from . import views, views_appeals, views_contracts, views_import, views_outbox, views_reports, views_validation

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("contracts/<int:pk>/", views_contracts.contract_detail, name="contract_detail"),
    path("validation/<int:pk>/", views_validation.validation_notice_page, name="validation_notice"),
    path(
        "validation/<int:pk>/responses/<int:response_pk>/verify/",
        views_validation.verification_send_view,
        name="verification_send",
    ),
    path("import/", views_import.import_view, name="import"),
    path("import/template/<slug:kind>.csv", views_import.import_template_view, name="import_template"),
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
