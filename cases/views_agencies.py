"""Staff (supervisors): agencies with their placements and commission, recall; decisions on fee
waiver requests (field-visit requests: ``views_visits``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from accounts.models import User
from accounts.roles import PLACE_WITH_AGENCY, WAIVER_APPROVE
from core.errors import ApplicationError

from .forms import DecisionForm, ReasonForm
from .selectors_agencies import agencies_overview, waiver_requests_open
from .services import placement_recall, waiver_request_approve, waiver_request_reject


@staff_required(perm=PLACE_WITH_AGENCY)
@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/agencies.html", {"agencies": agencies_overview(), "recall_form": ReasonForm()})


@staff_required(perm=PLACE_WITH_AGENCY)
@require_POST
def placement_recall_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the reason (at least 5 characters)."))
        return redirect("staff:agencies")
    try:
        placement = placement_recall(actor=request.user, placement_id=pk, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Account %(number)s recalled; commission %(amount)s.")
            % {"number": placement.contract.number, "amount": placement.commission},
        )
    return redirect("staff:agencies")


@staff_required(perm=WAIVER_APPROVE)
@require_GET
def waiver_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/waiver_requests.html", {"requests": waiver_requests_open(), "form": DecisionForm()})


@staff_required(perm=WAIVER_APPROVE)
@require_POST
def waiver_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("staff:waiver_requests")
    try:
        if form.cleaned_data["decision"] == "approve":
            waiver_request_approve(actor=user, request_id=pk, note=form.cleaned_data["note"])
            messages.success(request, _("Waiver approved and applied."))
        else:
            waiver_request_reject(actor=user, request_id=pk, note=form.cleaned_data["note"])
            messages.success(request, _("Waiver rejected."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("staff:waiver_requests")
