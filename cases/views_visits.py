"""Staff: field visits (上门走访). An agent or supervisor requests a visit on its own page (the
preconditions shown as they stand); a supervisor reviews and decides it (two officers with
badges, a lawful slot) and downloads the authorisation letter; the officers, on their phones,
see only their own visits, open one (the customer's name and address: audited) and file the
report. Each POST calls one service."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from accounts.models import User
from accounts.roles import STAFF_AREA, VISIT_APPROVE, VISIT_CARRY_OUT, WORK_ACCOUNTS
from core.errors import ApplicationError, ForbiddenError, NotFoundError
from core.forms import form_add_application_error

from .codes import CasesError
from .forms import VisitDecisionForm
from .forms_field import VisitReportForm, VisitRequestPageForm
from .selectors_agencies import visit_officer_choices, visit_requests_open
from .selectors_visits import VisitSheet, visit_request_review, visit_request_start, visits_for_officer
from .services import (
    visit_authorisation_letter,
    visit_report_file,
    visit_request_create,
    visit_request_decide,
    visit_sheet_open,
)
from .services._common import account_for_actor


def _in_zone(local: dt.datetime, zone: str) -> dt.datetime:
    """A form's wall-clock time read as the customer's local time."""
    return timezone.make_aware(local.replace(tzinfo=None), zoneinfo.ZoneInfo(zone))


@staff_required(perm=WORK_ACCOUNTS)
@require_http_methods(["GET", "POST"])
def visit_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    contract = account_for_actor(user, pk)
    form = VisitRequestPageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit_request_create(
                actor=user,
                contract_id=contract.pk,
                proposed_for=_in_zone(data["proposed_for"], contract.customer.timezone),
                reason=data["reason"],
                address=data["address"],
                address_verification=data["address_verification"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Visit requested; a supervisor authorises it."))
            url = reverse("staff:customer_detail", args=[contract.customer_id])
            return redirect(f"{url}#account-{contract.pk}")
    chosen = str(form.data.get("address_verification", "")) if form.is_bound else ""
    start = visit_request_start(contract=contract, address_verification=chosen)
    return render(
        request,
        "staff/visits/request_new.html",
        {"start": start, "contract": contract, "form": form, "zone": contract.customer.timezone},
        status=400 if form.is_bound else 200,
    )


@staff_required(perm=VISIT_APPROVE)
@require_GET
def visit_requests(request: HttpRequest) -> HttpResponse:
    officers = visit_officer_choices()
    rows = [(r, VisitDecisionForm(prefix=f"v{r.pk}", officers=officers)) for r in visit_requests_open()]
    return render(request, "staff/visit_requests.html", {"rows": rows})


@staff_required(perm=VISIT_APPROVE)
@require_http_methods(["GET", "POST"])
def visit_request_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's page: the preconditions now, the slot, the officers; approve or reject."""
    review = visit_request_review(pk=pk)
    officers = visit_officer_choices()
    prefix = f"v{pk}"
    zone = review.timezone_name
    if request.method == "POST":
        form = VisitDecisionForm(request.POST, prefix=prefix, officers=officers)
        if form.is_valid():
            data = form.cleaned_data
            approve = data["decision"] == "approve"
            try:
                decided = visit_request_decide(
                    actor=request.user,  # type: ignore[arg-type]
                    request_id=pk,
                    approve=approve,
                    officer_ids=[int(v) for v in data["officers"]],
                    scheduled_for=_in_zone(data["scheduled_for"], zone) if data.get("scheduled_for") else None,
                    note=data["note"],
                )
            except ApplicationError as exc:
                if isinstance(exc, NotFoundError | ForbiddenError):
                    raise
                form_add_application_error(form, exc)
            else:
                if decided.visit is not None:
                    messages.success(request, _("Visit authorised; the customer has been told."))
                else:
                    messages.success(request, _("Visit request rejected."))
                return redirect("staff:visit_request_decide", pk=pk)
        review = visit_request_review(pk=pk)  # the engine's reasons may have been recorded
        status = 400
    else:
        form = VisitDecisionForm(
            prefix=prefix, officers=officers, initial={"scheduled_for": review.local_time.replace(tzinfo=None)}
        )
        status = 200
    return render(request, "staff/visits/request_review.html", {"review": review, "form": form}, status=status)


@staff_required(perm=STAFF_AREA)
@require_GET
def visit_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The authorisation letter (PDF) for the visit's officers and supervisors (audited)."""
    pdf = visit_authorisation_letter(actor=request.user, visit_id=pk)  # type: ignore[arg-type]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="FV-{pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required(perm=VISIT_CARRY_OUT)
@require_GET
def my_visits(request: HttpRequest) -> HttpResponse:
    upcoming, past = visits_for_officer(user=request.user)  # type: ignore[arg-type]
    return render(request, "staff/visits/mine.html", {"upcoming": upcoming, "past": past})


def _render_sheet(
    request: HttpRequest, sheet: VisitSheet, form: VisitReportForm, *, disclosure: bool = False, status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "staff/visits/detail.html",
        {"sheet": sheet, "visit": sheet.visit, "form": form, "disclosure": disclosure},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(perm=VISIT_CARRY_OUT)
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = visit_sheet_open(actor=request.user, visit_id=pk)  # type: ignore[arg-type]
    return _render_sheet(request, sheet, VisitReportForm(initial={"identity_shown": True}))


@staff_required(perm=VISIT_CARRY_OUT)
@require_POST
def visit_report(request: HttpRequest, pk: int) -> HttpResponse:
    form = VisitReportForm(request.POST)
    disclosure = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            visit_report_file(
                actor=request.user,  # type: ignore[arg-type]
                visit_id=pk,
                identity_shown=data["identity_shown"],
                consent_to_enter=data["consent_to_enter"],
                met=data["met"],
                outcome=data["outcome"],
                notes=data["notes"],
                third_party_relation=data["third_party_relation"],
                follow_up_on=data["follow_up_on"],
                follow_up_action=data["follow_up_action"],
                promise_amount=data["promise_amount"],
                promise_date=data["promise_date"],
            )
        except ApplicationError as exc:
            if isinstance(exc, NotFoundError | ForbiddenError):
                raise
            disclosure = exc.code == CasesError.VISIT_THIRD_PARTY_DISCLOSURE
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Visit report filed."))
            return redirect("staff:my_visits")
    sheet = visit_sheet_open(actor=request.user, visit_id=pk)  # type: ignore[arg-type]
    return _render_sheet(request, sheet, form, disclosure=disclosure, status=400)
