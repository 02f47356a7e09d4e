"""Sign in with the mobile number and a one-time SMS code (the password stays optional)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.identifiers import normalise_phone
from accounts.services import login_code_issue
from audit.services import audit_record
from core.throttle import Limit, WindowHit, client_ip, throttle_request
from notices.channels import ChannelError
from notices.channels.sms import SmsChannel

from .codes import PortalAction

SESSION_KEY = "login_code_phone"


@dataclass(frozen=True)
class LoginCodeMessage:
    """What the SMS channel needs to send (a login code is not an outbox notice)."""

    pk: str
    recipient: str
    body: str


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True, "class": "form-control"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code from the text message"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "class": "form-control"}
        ),
    )


def _login_code_limits() -> tuple[Limit, Limit]:
    window = settings.RATE_LIMIT_LOGIN_CODE_WINDOW_SECONDS
    return (
        Limit("login_code.ip", settings.RATE_LIMIT_LOGIN_CODE_PER_IP, window),
        Limit("login_code.number", settings.RATE_LIMIT_LOGIN_CODE_PER_NUMBER, window),
    )


def _number_key(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except ValidationError:
        return raw.strip()[:32]


def _audit_login_code_limit(limit: Limit, hit: WindowHit) -> None:
    with transaction.atomic():
        audit_record(
            action=PortalAction.LOGIN_CODE_RATE_LIMITED,
            actor=None,
            data={"limit": limit.scope, "per_window": limit.limit, "window_seconds": limit.window_seconds},
            system="portal:login_code",
        )


def login_code_request(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    if request.method == "POST":
        by_ip, by_number = _login_code_limits()
        refused = throttle_request(
            request,
            [(by_ip, client_ip(request)), (by_number, _number_key(request.POST.get("phone", "")))],
            on_first_excess=_audit_login_code_limit,
        )
        if refused is not None:
            return refused
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        user, code = login_code_issue(phone=phone)
        if user is not None and code is not None:
            text = _("Fairdue sign-in code: %(code)s. Valid for 5 minutes. We will never ask you for it.") % {
                "code": code
            }
            try:
                SmsChannel().send(LoginCodeMessage(pk=f"login-{user.pk}", recipient=user.phone or "", body=text))  # type: ignore[arg-type]
            except ChannelError:
                messages.error(request, _("We could not send a text message just now. Please use your password."))
                return redirect("accounts:login")
        request.session[SESSION_KEY] = phone
        # Same answer whether or not the number is ours: no way to probe who is a customer.
        messages.info(request, _("If this number belongs to a Fairdue account, a code is on its way."))
        return redirect("login_code_verify")
    return render(request, "accounts/login_code_request.html", {"form": form})


def login_code_verify(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(SESSION_KEY)
    if not phone:
        return redirect("login_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=phone, code=form.cleaned_data["code"])
        if user is not None:
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend="accounts.backends.LoginCodeBackend")
            return redirect("home")
        form.add_error("code", _("That code is not right or has expired. Ask for a new one or use your password."))
    return render(request, "accounts/login_code_verify.html", {"form": form, "phone": phone})
