"""The customer's case pages, mounted by the portal under ``/me/appeals/`` in its namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.case_list, name="appeals"),
    path("new/", views.case_new, name="appeal_new"),
    path("<int:pk>/", views.case_detail, name="appeal"),
    path("evidence/<int:pk>/", views.evidence_download, name="appeal_evidence"),
]
