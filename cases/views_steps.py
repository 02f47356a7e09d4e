"""What the workflow pages share (guarantee claims, legal cases): one form per next step, and
the POST of a step — validate its form, call its service, on success say the new status and go
back to the record, otherwise show the page again with the bound form and its errors (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.errors import ApplicationError, NotFoundError
from core.forms import form_add_application_error

Bound = tuple[str, forms.Form] | None


def step_forms(actions: list[str], form_classes: dict[str, Any], bound: Bound) -> dict[str, forms.Form]:
    """An unbound form for each step allowed now, or the bound one of the step just tried."""
    found: dict[str, forms.Form] = {name: form_classes[name](prefix=name) for name in actions}
    if bound is not None and bound[0] in found:
        found[bound[0]] = bound[1]
    return found


def step_post(
    request: HttpRequest,
    pk: int,
    action: str,
    *,
    form_classes: dict[str, Any],
    services: dict[str, Callable[[Any, int, dict[str, Any]], Any]],
    render_page: Callable[[HttpRequest, int, Bound, int], HttpResponse],
    detail_url: str,
    done: Callable[[Any], str],
) -> HttpResponse:
    if action not in services:
        raise Http404
    form = form_classes[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            record = services[action](request.user, pk, form.cleaned_data)
        except NotFoundError:
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, done(record))
            return redirect(detail_url, pk=pk)
    return render_page(request, pk, (action, form), 400)
