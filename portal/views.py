"""Customer self-service pages. Views parse input, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.decorators import customer_required
from accounts.models import LEGALLY_REQUIRED_CHANNELS, ContactChannel, ContactPreference
from accounts.selectors import customer_profile_for_user
from accounts.services import contact_preference_update, user_language_set
from cases.selectors import visits_for_customer
from cases.services import visit_request_call
from contracts.selectors import (
    charges_by_installment,
    contract_balance,
    contract_get_for_user,
    contract_payments,
    plan_preview,
)
from contracts.services import plan_propose
from core.dates import business_today
from core.errors import ApplicationError, NotFoundError
from core.forms import form_add_application_error
from notices.selectors import (
    customer_banners,
    customer_messages,
    customer_notice_get,
    validation_notice_for_contract,
)
from notices.services import notice_mark_read
from portal.codes import PortalError

from .forms import PlanRequestForm, PreferencesForm
from .selectors import customer_dashboard


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_staff:
        return redirect("staff:home")
    return redirect("portal:dashboard")


@customer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    today = business_today()
    summary = customer_dashboard(customer=profile, as_of=today)
    return render(
        request,
        "portal/dashboard.html",
        {
            "profile": profile,
            "overview": summary.overview,
            "totals": summary.totals,
            "next_item": summary.next_item,
            "banners": list(customer_banners(profile=profile)),
            "today": today,
        },
    )


@customer_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    balance = contract_balance(contract=contract)
    language = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "zh-hans"
    return render(
        request,
        "portal/contract_detail.html",
        {
            "contract": contract,
            "balance": balance,
            "terms_text": contract.terms.text_for(language),
            "charges": charges_by_installment(contract=contract),
            "payments": list(contract_payments(contract=contract)),
            "plans": list(contract.plans.order_by("-created_at")),
            "validation_notice": validation_notice_for_contract(contract=contract),
            "letters": list(
                customer_messages(profile=contract.customer).filter(contract=contract).exclude(document="")
            ),
        },
    )


@customer_required
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract's pay button leads to the one pay page (another customer's contract: 404)."""
    contract = contract_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    return redirect(f"{reverse('payments:start')}?contract={contract.pk}")


@customer_required
def plan_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the months, see the schedule, say why, attach evidence, submit."""
    contract = contract_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    product = contract.product
    data = request.POST if request.method == "POST" else (request.GET if "months" in request.GET else None)
    form = PlanRequestForm(
        data, request.FILES or None, min_months=product.plan_min_months, max_months=product.plan_max_months
    )
    preview = None
    if form.is_valid():
        try:
            preview = plan_preview(contract=contract, months=form.cleaned_data["months"])
            if request.method == "POST":
                plan_propose(
                    actor=request.user,  # type: ignore[arg-type]
                    contract_id=contract.pk,
                    months=form.cleaned_data["months"],
                    reason=form.cleaned_data["reason"],
                    evidence=form.cleaned_data.get("evidence"),
                )
                messages.success(request, _("Your repayment plan request was sent. We will answer within 15 days."))
                return redirect("portal:contract", pk=contract.pk)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
    template = (
        "portal/_plan_preview.html"
        if getattr(request, "htmx", False) and request.method == "GET"
        else "portal/plan_request.html"
    )
    return render(request, template, {"contract": contract, "form": form, "preview": preview})


@customer_required
def inbox(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "portal/messages.html", {"notices": list(customer_messages(profile=profile)[:200])})


@customer_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    notice = customer_notice_get(profile=profile, pk=pk)
    notice = notice_mark_read(profile=profile, notice_id=notice.pk)
    return render(request, "portal/message_detail.html", {"notice": notice})


@customer_required
def message_letter(request: HttpRequest, pk: int) -> FileResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    notice = customer_notice_get(profile=profile, pk=pk)
    if not notice.document:
        raise NotFoundError(code=PortalError.NO_LETTER, message=_("This message has no letter."))
    return FileResponse(
        notice.document.open("rb"),
        as_attachment=True,
        filename=f"fairdue-letter-{notice.pk}.pdf",
        content_type="application/pdf",
    )


@customer_required
def preferences(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    current = ContactPreference.objects.filter(profile=profile).first()
    initial = {
        "preferred_channel": current.preferred_channel if current else ContactChannel.SMS,
        "opt_outs": current.opt_outs if current else [],
        "inconvenient_times": "\n".join(current.inconvenient_times) if current else "",
        "language": request.user.language,  # type: ignore[union-attr]
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contact_preference_update(
                actor=request.user,  # type: ignore[arg-type]
                profile=profile,
                preferred_channel=form.cleaned_data["preferred_channel"],
                opt_outs=form.cleaned_data["opt_outs"],
                inconvenient_times=form.cleaned_data["inconvenient_times"].splitlines(),
                language=form.cleaned_data["language"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Saved. Your choices apply from the next message we send."))
            response = redirect("portal:preferences")
            response.set_cookie("django_language", form.cleaned_data["language"])
            return response
    return render(
        request,
        "portal/preferences.html",
        {"form": form, "required_channels": [ContactChannel(c).label for c in LEGALLY_REQUIRED_CHANNELS]},
    )


@customer_required
def visits(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "portal/visits.html", {"visits": list(visits_for_customer(profile=profile))})


@customer_required
@require_POST
def visit_call_instead(request: HttpRequest, pk: int) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    try:
        visit_request_call(actor=request.user, profile=profile, visit_id=pk)  # type: ignore[arg-type]
    except NotFoundError:
        raise
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We will call you instead; nobody will come to your address for this visit."))
    return redirect("portal:visits")


def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus the choice is remembered on the account (audited)."""
    response = set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in ("zh-hans", "en")
        and request.user.language != language  # type: ignore[union-attr]
    ):
        user_language_set(actor=request.user, language=language)  # type: ignore[arg-type]
    return response
