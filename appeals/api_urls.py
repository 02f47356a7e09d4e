"""/api/v1/cases/: GET lists, POST files (two APIViews on one path), <pk>/ reads one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import path

from .api import CaseDetailApi, CaseFileApi, CaseListApi

app_name = "cases_api"


def by_method(**views: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Route one path to one APIView per HTTP method (one view per operation)."""
    handlers = {method.upper(): view for method, view in views.items()}

    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        view = handlers.get(request.method or "")
        if view is None and request.method in ("HEAD", "OPTIONS"):
            view = handlers.get("GET")
        if view is None:
            return HttpResponseNotAllowed(sorted(handlers))
        return view(request, *args, **kwargs)

    # DRF views are csrf_exempt for Django's middleware and enforce CSRF themselves for
    # session-authenticated requests; the router must not add a second, different check.
    dispatch.csrf_exempt = True  # type: ignore[attr-defined]
    return dispatch


urlpatterns = [
    path("", by_method(get=CaseListApi.as_view(), post=CaseFileApi.as_view()), name="list"),
    path("<int:pk>/", CaseDetailApi.as_view(), name="detail"),
]
