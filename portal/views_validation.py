"""Customer pages of a US validation notice: the notice (HTML copy, PDF in English or
Spanish), the dispute / original-creditor form, and consent to electronic delivery."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import customer_required
from accounts.models import ContactPreference, Jurisdiction
from accounts.selectors import customer_profile_for_user
from accounts.services.esign import esign_consent_give, esign_consent_withdraw
from core.errors import ApplicationError
from core.forms import form_add_application_error
from notices.forms import EsignConsentForm, ValidationResponseForm
from notices.selectors import validation_notice_for_customer
from notices.services.validation import validation_response_record
from notices.validation import NOTICE_LOCALES
from notices.validation_pdf import render_validation_pdf
from notices.validation_texts import notice_content


def _locale(request: HttpRequest, default: str) -> str:
    wanted = request.GET.get("lang", default)
    return wanted if wanted in NOTICE_LOCALES else "en"


@customer_required
def validation_notice(request: HttpRequest, pk: int) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    record = validation_notice_for_customer(profile=profile, contract_pk=pk)
    form = ValidationResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = validation_response_record(
                actor=request.user,  # type: ignore[arg-type]
                validation_notice_id=record.pk,
                dispute_reasons=form.cleaned_data["dispute_reasons"],
                dispute_other=form.cleaned_data["dispute_other"],
                original_creditor_requested=form.cleaned_data["original_creditor_requested"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            if response.hold_id:
                messages.success(
                    request,
                    _("Received. We have stopped collecting this debt until we send you what you asked for."),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Received. The validation period has ended, so collection continues; "
                        "you can still open a dispute case about an amount."
                    ),
                )
            return redirect("portal:validation_notice", pk=pk)
    locale = _locale(request, record.locale)
    return render(
        request,
        "portal/validation_notice.html",
        {
            "record": record,
            "content": notice_content(record, locale),
            "locale": locale,
            "form": form,
            "responses": list(record.responses.all()),
        },
    )


@customer_required
def validation_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's copy, in English or Spanish, with the figures and dates of the notice."""
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    record = validation_notice_for_customer(profile=profile, contract_pk=pk)
    locale = _locale(request, record.locale)
    pdf = render_validation_pdf(
        notice_content(record, locale),
        reference=record.reference,
        issued_at=record.sent_at or record.created_at,
        footer=settings.SITE_URL,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="validation-notice-{record.reference}-{locale}.pdf"'
    return response


@customer_required
def electronic_delivery(request: HttpRequest) -> HttpResponse:
    """E-SIGN disclosures, and giving or withdrawing consent to notices by email."""
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    preference = ContactPreference.objects.filter(profile=profile).first()
    form = EsignConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            esign_consent_give(
                actor=request.user,  # type: ignore[arg-type]
                profile=profile,
                disclosures_acknowledged=form.cleaned_data["disclosures_acknowledged"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Thank you. We will send notices about your debt by email."))
            return redirect("portal:electronic_delivery")
    return render(
        request,
        "portal/electronic_delivery.html",
        {
            "form": form,
            "preference": preference,
            "profile": profile,
            "applies": profile.jurisdiction == Jurisdiction.US_REGF,
        },
    )


@customer_required
@require_POST
def electronic_delivery_withdraw(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    esign_consent_withdraw(actor=request.user, profile=profile)  # type: ignore[arg-type]
    messages.success(request, _("Consent withdrawn. We will send notices about your debt by mail."))
    return redirect("portal:electronic_delivery")
