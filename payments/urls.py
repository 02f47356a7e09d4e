from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("sandbox/<uuid:token>/", views.sandbox, name="sandbox"),
    path("callback/sandbox/", views.callback_sandbox, name="callback_sandbox"),
    path("callback/alipay/", views.callback_alipay, name="callback_alipay"),
    path("status/<uuid:token>/", views.status, name="status"),
    path("receipt/<uuid:token>/", views.receipt, name="receipt"),
    path("receipt/<uuid:token>.pdf", views.receipt_download, name="receipt_pdf"),
]
