"""Branded, translated error pages for customers and staff (the staff area keeps its layout).

Wired as ``handler400/403/404/500`` in ``portal.urls``. The 500 page renders without the
request's context processors: whatever broke the request (the database, a session) must not
break the error page too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.response import TemplateResponse

from core.errors import ApplicationError


def _render(request: HttpRequest, template: str, status: int, context: dict[str, object] | None = None) -> HttpResponse:
    response = TemplateResponse(request, template, context or {}, status=status)
    return response.render()


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A coded refusal carries a message written for the person; a bare PermissionDenied does not.
    reason = exception.message if isinstance(exception, ApplicationError) else ""
    return _render(request, "403.html", 403, {"reason": reason})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    template = loader.get_template("500.html")
    context = {
        "SITE_NAME": "Fairdue",
        "IS_STAFF_AREA": request.path.startswith(("/staff/", "/admin/")),
        "MINIMAL_LAYOUT": True,
    }
    return HttpResponse(template.render(context), status=500)
