from __future__ import annotations

import base64
from io import BytesIO
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token

from accounts.codes import AccountsAction
from audit.services import audit_record_atomic
from core.errors import ApplicationError

from .forms import LoginForm, TokenForm
from .password_reset import SitePasswordResetForm
from .services import totp_device_confirm, totp_device_start


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = SitePasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def _safe_next(request: HttpRequest, default: str = "/staff/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First staff login: scan a QR code, confirm one code, and the session is verified."""
    user = request.user
    device = totp_device_start(actor=user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_device_confirm(actor=user, device=device, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_safe_next(request))
    context: dict[str, Any] = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _base32(device.bin_key),
        "next": _safe_next(request),
    }
    return render(request, "accounts/2fa_setup.html", context)


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            audit_record_atomic(action=AccountsAction.AUTH_OTP_VERIFIED, actor=request.user, obj=device)  # type: ignore[arg-type]
            return redirect(_safe_next(request))
        audit_record_atomic(
            action=AccountsAction.AUTH_OTP_FAILED, actor=request.user, object_type="otp_totp.totpdevice"
        )  # type: ignore[arg-type]
        form.add_error("token", _("That code is not valid. Check the clock of your authenticator app and try again."))
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _safe_next(request)})
