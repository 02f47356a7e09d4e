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
from cases.selectors_legal import legal_case_for_customer
from cases.services import visit_request_call
from contracts.selectors import (
    OPEN_PLAN_STATUSES,
    charges_by_installment,
    contract_balance,
    contract_cost_of_credit,
    contract_get_for_user,
    contract_limitation,
    contract_payments,
    contract_summary,
    contract_with_plans_get_for_user,
    plan_preview,
    plan_request_refusal,
    schedule_conventions_shown,
)
from contracts.services import plan_propose
from core.dates import business_today
from core.errors import ApplicationError, NotFoundError
from core.forms import form_add_application_error
from notices.selectors import (
    contract_letters_and_suspension_notice,
    customer_banners,
    customer_messages,
    customer_notice_get,
    validation_notice_for_contract,
)
from notices.services import notice_mark_read
from portal.codes import PortalError

from .forms import PlanMonthsForm, PlanRequestForm, PreferencesForm
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
            "pay_first": summary.pay_first,
            "payable_count": summary.payable_count,
            "banners": list(customer_banners(profile=profile)),
            "today": today,
        },
    )


@customer_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract, plans = contract_with_plans_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    balance = contract_balance(contract=contract)
    today = business_today()
    limitation = contract_limitation(contract=contract, on_date=today)
    language = request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "zh-hans"
    letters, suspension_notice = contract_letters_and_suspension_notice(profile=contract.customer, contract=contract)
    return render(
        request,
        "portal/contract_detail.html",
        {
            "contract": contract,
            "balance": balance,
            "summary": contract_summary(contract=contract, balance=balance, plans=plans),
            "plan_refusal": plan_request_refusal(
                contract=contract, has_open_plan=any(p.status in OPEN_PLAN_STATUSES for p in plans)
            ),
            "suspension_notice": suspension_notice,
            "limitation": limitation,
            "terms_text": contract.terms.accepted_text,
            "schedule_conventions": schedule_conventions_shown(terms=contract.terms),
            "terms_translation": contract.terms.courtesy_translation(language),
            "charges": charges_by_installment(contract=contract),
            "cost": contract_cost_of_credit(contract=contract, rows=[line.row for line in balance.installments]),
            "payments": list(contract_payments(contract=contract)),
            "plans": plans,
            "letters": letters,
            "legal_case": legal_case_for_customer(contract=contract, letters=letters),
            "today": today,
            "validation_notice": validation_notice_for_contract(contract=contract),
        },
    )


@customer_required
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract's pay button leads to the one pay page (another customer's contract: 404)."""
    contract = contract_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    return redirect(f"{reverse('payments:start')}?contract={contract.pk}")


@customer_required
def plan_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the months, see the schedule, say why, attach evidence, submit.

    The page is offered only where ``plan_propose`` would accept the request (one rule,
    ``plan_request_refusal``); a GET with months shows the schedule without judging the rest."""
    contract = contract_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    product = contract.product
    bounds = {"min_months": product.plan_min_months, "max_months": product.plan_max_months}
    refusal = plan_request_refusal(
        contract=contract, has_open_plan=contract.plans.filter(status__in=OPEN_PLAN_STATUSES).exists()
    )
    if refusal is not None:
        return render(request, "portal/plan_request.html", {"contract": contract, "refusal": refusal})
    preview = None
    if request.method == "POST":
        form = PlanRequestForm(request.POST, request.FILES or None, **bounds)
        months_form = PlanMonthsForm(request.POST, **bounds)
    else:
        months_form = PlanMonthsForm(request.GET if "months" in request.GET else None, **bounds)
        initial = {"months": request.GET.get("months")} if "months" in request.GET else None
        form = PlanRequestForm(initial=initial, **bounds)
    if months_form.is_valid():
        try:
            preview = plan_preview(contract=contract, months=months_form.cleaned_data["months"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
    if request.method == "POST" and form.is_valid() and preview is not None:
        try:
            plan_propose(
                actor=request.user,  # type: ignore[arg-type]
                contract_id=contract.pk,
                months=form.cleaned_data["months"],
                reason=form.cleaned_data["reason"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Your repayment plan request was sent. We will answer within 15 days."))
            return redirect("portal:contract", pk=contract.pk)
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
