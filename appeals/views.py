"""Customer pages for disputes, complaints, hardship requests and appeals.

Views parse input, call one selector or service, render. Coded errors from the services
are shown in the form; a refused filing creates nothing (``case_file`` checks everything
before it writes).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import customer_required
from accounts.selectors import customer_profile_for_user
from contracts.evidence import EVIDENCE_ACCEPT, MAX_EVIDENCE_FILES
from contracts.selectors import contracts_for_customer
from core.errors import ApplicationError
from core.forms import form_add_application_error

from .files import evidence_file_response
from .forms import AppealForm, CaseFileForm, initial_from_query
from .models import FiledVia
from .selectors import case_get_for_customer, cases_for_customer, evidence_get_for_customer
from .services import case_appeal, case_file


@customer_required
def case_list(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "appeals/customer/case_list.html",
        {"profile": profile, "cases": list(cases_for_customer(profile=profile))},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    contracts = contracts_for_customer(customer=profile)
    if request.method == "POST":
        form = CaseFileForm(request.POST, request.FILES, contracts=contracts)
        if form.is_valid():
            try:
                case = case_file(
                    actor=request.user,  # type: ignore[arg-type]
                    customer=profile,
                    filed_via=FiledVia.PORTAL,
                    **form.case_file_kwargs(),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(
                    request,
                    _("We have received your case %(reference)s. You can follow it on this page.")
                    % {"reference": case.reference},
                )
                return redirect("portal:appeal", pk=case.pk)
    else:
        form = CaseFileForm(initial=initial_from_query(request.GET), contracts=contracts)
    return render(
        request,
        "appeals/customer/case_new.html",
        {"form": form, "profile": profile, "max_files": MAX_EVIDENCE_FILES, "accept": EVIDENCE_ACCEPT},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case as the customer sees it; a POST appeals the decision."""
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    case = case_get_for_customer(profile=profile, pk=pk)
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case_appeal(actor=request.user, case_id=case.pk, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(
                request, _("Your appeal was received. Someone who did not take the first decision reviews it.")
            )
            return redirect("portal:appeal", pk=case.pk)
    return render(
        request,
        "appeals/customer/case_detail.html",
        {"profile": profile, "case": case, "appeal_form": form},
    )


@customer_required  # type: ignore[arg-type]
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    evidence = evidence_get_for_customer(profile=profile, pk=pk)
    return evidence_file_response(actor=request.user, evidence=evidence, inline=False)  # type: ignore[arg-type]
