"""Staff (supervisors): agencies with their placements and commission, recall; decisions on fee
waiver and field-visit requests."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from accounts.models import User
from accounts.roles import PLACE_WITH_AGENCY, VISIT_APPROVE, WAIVER_APPROVE
from core.errors import ApplicationError

from .forms import DecisionForm, ReasonForm, VisitDecisionForm
from .selectors_agencies import agencies_overview, visit_officer_choices, visit_requests_open, waiver_requests_open
from .services import placement_recall, visit_request_decide, waiver_request_approve, waiver_request_reject


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


@staff_required(perm=VISIT_APPROVE)
@require_GET
def visit_requests(request: HttpRequest) -> HttpResponse:
    officers = visit_officer_choices()
    rows = [(r, VisitDecisionForm(prefix=f"v{r.pk}", officers=officers)) for r in visit_requests_open()]
    return render(request, "staff/visit_requests.html", {"rows": rows})


@staff_required(perm=VISIT_APPROVE)
@require_POST
def visit_request_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = VisitDecisionForm(request.POST, prefix=f"v{pk}", officers=visit_officer_choices())
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("staff:visit_requests")
    data = form.cleaned_data
    try:
        decided = visit_request_decide(
            actor=request.user,  # type: ignore[arg-type]
            request_id=pk,
            approve=data["decision"] == "approve",
            officer_ids=[int(v) for v in data["officers"]],
            note=data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        if decided.visit is not None:
            messages.success(request, _("Visit authorised."))
        else:
            messages.success(request, _("Visit request rejected."))
    return redirect("staff:visit_requests")
