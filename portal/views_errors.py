"""Branded, translated error pages for customers and staff (the staff area keeps its layout).

Wired as ``handler400/403/404/500`` in ``portal.urls``. The 500 page renders without the
request's context processors: whatever broke the request (the database, a session) must not
break the error page too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.errors import ApplicationError

API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """Under /api/ every error is JSON in the API's one shape, also when no view answered
    (an unknown path, a path parameter of the wrong type)."""
    return JsonResponse({"code": code, "message": message}, status=status)


def _render(request: HttpRequest, template: str, status: int, context: dict[str, object] | None = None) -> HttpResponse:
    response = TemplateResponse(request, template, context or {}, status=status)
    return response.render()


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "bad_request", _("The request is not valid."))
    return _render(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A coded refusal carries a message written for the person; a bare PermissionDenied does not.
    reason = exception.message if isinstance(exception, ApplicationError) else ""
    if request.path.startswith(API_PREFIX):
        return _api_error(
            403, "permission_denied", str(reason) or _("You do not have permission to perform this action.")
        )
    return _render(request, "403.html", 403, {"reason": reason})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "not_found", _("Not found."))
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "server_error", _("Something went wrong on our side; try again later."))
    template = loader.get_template("500.html")
    context = {
        "SITE_NAME": "Fairdue",
        "IS_STAFF_AREA": request.path.startswith(("/staff/", "/admin/")),
        "MINIMAL_LAYOUT": True,
    }
    return HttpResponse(template.render(context), status=500)
