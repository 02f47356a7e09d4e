"""Staff: a US validation notice, the responses to it (recording a mailed tear-off form), and
sending the verification that lifts the collection hold once it has been sent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from accounts.roles import CASE_HANDLE
from core.errors import ApplicationError
from core.forms import form_add_application_error
from notices.forms import StaffValidationResponseForm
from notices.selectors import validation_notice_get_for_staff
from notices.services.validation import validation_response_record, verification_send


@staff_required(CASE_HANDLE)
def validation_notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    record, responses = validation_notice_get_for_staff(pk=pk)
    form = StaffValidationResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = validation_response_record(
                actor=request.user,  # type: ignore[arg-type]
                validation_notice_id=record.pk,
                dispute_reasons=form.cleaned_data["dispute_reasons"],
                dispute_other=form.cleaned_data["dispute_other"],
                original_creditor_requested=form.cleaned_data["original_creditor_requested"],
                enclosed_amount=form.cleaned_data["enclosed_amount"],
                channel=form.cleaned_data["channel"],
                received_on=form.cleaned_data["received_on"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            if response.hold_id:
                messages.success(request, _("Recorded inside the validation period: collection is on hold."))
            else:
                messages.success(request, _("Recorded after the validation period: no hold under 15 U.S.C. 1692g(b)."))
            return redirect("staff:validation_notice", pk=record.pk)
    return render(request, "staff/validation_notice.html", {"record": record, "responses": responses, "form": form})


@staff_required(CASE_HANDLE)
@require_POST
def verification_send_view(request: HttpRequest, pk: int, response_pk: int) -> HttpResponse:
    record, responses = validation_notice_get_for_staff(pk=pk)
    if response_pk not in {r.pk for r in responses}:
        messages.error(request, _("No such response."))
        return redirect("staff:validation_notice", pk=record.pk)
    try:
        verification_send(actor=request.user, response_id=response_pk)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Verification written; collection resumes once it has been sent."))
    return redirect("staff:validation_notice", pk=record.pk)
