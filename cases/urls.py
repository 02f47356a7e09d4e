from django.urls import path

from . import views, views_import, views_outbox

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("import/", views_import.import_view, name="import"),
    path("import/template/<slug:kind>.csv", views_import.import_template_view, name="import_template"),
    path("outbox/", views_outbox.outbox, name="outbox"),
    path("outbox/<int:pk>/", views_outbox.notice_detail, name="notice_detail"),
    path("mail/", views_outbox.mail_viewer, name="mail_viewer"),
]
