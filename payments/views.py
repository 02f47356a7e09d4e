from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import customer_required
from core.errors import ApplicationError, NotFoundError
from core.forms import form_add_application_error
from core.money import format_money as money
from core.throttle import Limit, WindowHit, client_ip, throttle_request
from payments.codes import PaymentsError
from payments.models import CheckoutChoice, CheckoutProvider, CheckoutStatus

from . import selectors, services
from .documents import receipt_pdf
from .forms import CheckoutStartForm, SandboxDecisionForm
from .providers import InvalidSignature, ProviderNotConfigured, SandboxProvider, get_provider


def _contract_id(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError as exc:
        raise NotFoundError(code=PaymentsError.CONTRACT_NOT_FOUND, message="Contract not found.") from exc


@customer_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Choose what to pay on a contract (GET ?contract=<id>), then go to the provider's checkout."""
    if request.method == "GET":
        contract_id = _contract_id(request.GET.get("contract"))
        options = selectors.checkout_options_for_user(user=request.user, contract_id=contract_id)  # type: ignore[arg-type]
        choice = CheckoutChoice.OVERDUE if options.balance.pay_now > 0 else CheckoutChoice.PAYOFF
        form = CheckoutStartForm(initial={"contract": contract_id, "choice": choice})
        return render(request, "payments/start.html", {"form": form, "options": options})
    window = settings.RATE_LIMIT_CHECKOUT_WINDOW_SECONDS
    refused = throttle_request(
        request,
        [
            (Limit("checkout.ip", settings.RATE_LIMIT_CHECKOUT_PER_IP, window), client_ip(request)),
            (Limit("checkout.account", settings.RATE_LIMIT_CHECKOUT_PER_ACCOUNT, window), str(request.user.pk)),
        ],
        on_first_excess=lambda limit, hit: _audit_checkout_limit(request, limit, hit),
    )
    if refused is not None:
        return refused
    contract_id = _contract_id(request.POST.get("contract"))
    form = CheckoutStartForm(request.POST)
    if form.is_valid():
        try:
            session = services.checkout_start(
                actor=request.user,  # type: ignore[arg-type]
                user=request.user,  # type: ignore[arg-type]
                contract_id=form.cleaned_data["contract"],
                choice=form.cleaned_data["choice"],
                amount=form.cleaned_data["amount"] or None,
            )
            return HttpResponseRedirect(get_provider(session.provider).start(session))
        except NotFoundError:
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
    options = selectors.checkout_options_for_user(user=request.user, contract_id=contract_id)  # type: ignore[arg-type]
    return render(request, "payments/start.html", {"form": form, "options": options}, status=400)


def _audit_checkout_limit(request: HttpRequest, limit: Limit, hit: WindowHit) -> None:
    services.checkout_rate_limited_record(
        actor=request.user,  # type: ignore[arg-type]
        scope=limit.scope,
        per_window=limit.limit,
        window_seconds=limit.window_seconds,
    )


@customer_required
@require_http_methods(["GET", "POST"])
def sandbox(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The sandbox's hosted checkout: Pay or Fail, then the sandbox sends its signed callback."""
    session = selectors.checkout_get_for_user(user=request.user, token=token)  # type: ignore[arg-type]
    if session.provider != CheckoutProvider.SANDBOX:
        raise NotFoundError(code=PaymentsError.CHECKOUT_NOT_FOUND, message="Payment not found.")
    if session.status != CheckoutStatus.PENDING:
        return redirect("payments:status", token=session.token)
    if request.method == "POST":
        form = SandboxDecisionForm(request.POST)
        if form.is_valid():
            # The "bank" notifies us server to server; here that is an in-process call of the same
            # handler the public callback endpoint uses, with the same signed payload.
            payload = SandboxProvider().callback_payload(session, paid=form.cleaned_data["outcome"] == "pay")
            try:
                services.checkout_callback(
                    provider=CheckoutProvider.SANDBOX, source=payload, remote_ip=request.META.get("REMOTE_ADDR")
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)  # refused and audited; the session is unchanged
            return redirect("payments:status", token=session.token)
    context = {"session": session, "amount": money(session.amount, session.currency)}
    return render(request, "payments/sandbox.html", context)


def _callback(request: HttpRequest, provider: str) -> HttpResponse:
    handler = get_provider(provider)
    try:
        services.checkout_callback(provider=provider, source=request, remote_ip=request.META.get("REMOTE_ADDR"))
    except InvalidSignature:
        return HttpResponse("fail", status=403, content_type="text/plain")
    except ProviderNotConfigured:
        return HttpResponse("fail", status=503, content_type="text/plain")
    except ApplicationError as exc:
        return HttpResponse("fail", status=exc.http_status, content_type="text/plain")
    return HttpResponse(handler.acknowledgement(), content_type="text/plain")


@csrf_exempt
@require_POST
def callback_sandbox(request: HttpRequest) -> HttpResponse:
    return _callback(request, CheckoutProvider.SANDBOX)


@csrf_exempt
@require_POST
def callback_alipay(request: HttpRequest) -> HttpResponse:
    """Alipay's asynchronous notification; answered with the literal ``success`` once handled."""
    return _callback(request, CheckoutProvider.ALIPAY)


def _contract_url(contract_id: int) -> str:
    try:
        return reverse("portal:contract", args=[contract_id])
    except NoReverseMatch:  # the customer's contract page is optional for this flow
        return reverse("portal:dashboard")


@customer_required
def status(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    session = selectors.checkout_get_for_user(user=request.user, token=token)  # type: ignore[arg-type]
    context = {
        "session": session,
        "amount": money(session.amount, session.currency),
        "back_url": _contract_url(session.contract_id),
    }
    return render(request, "payments/status.html", context)


@customer_required
def receipt(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    session = selectors.checkout_get_for_user(user=request.user, token=token)  # type: ignore[arg-type]
    if session.status != CheckoutStatus.SUCCEEDED:
        return redirect("payments:status", token=session.token)
    data = selectors.receipt_for_user(user=request.user, token=token)  # type: ignore[arg-type]
    return render(request, "payments/receipt.html", {"receipt": data})


@customer_required
def receipt_download(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    data = selectors.receipt_for_user(user=request.user, token=token)  # type: ignore[arg-type]
    response = HttpResponse(receipt_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{data.session.token.hex[:12]}.pdf"'
    return response
