"""/api/v1/cases/: GET lists, POST files (one APIView per operation, routed by method), <pk>/
reads one."""

from __future__ import annotations

from django.urls import path

from core.api import routed

from .api import CaseDetailApi, CaseFileApi, CaseListApi

app_name = "cases_api"

urlpatterns = [
    path("", routed("CasesApi", get=CaseListApi, post=CaseFileApi).as_view(), name="list"),
    path("<int:pk>/", CaseDetailApi.as_view(), name="detail"),
]
