from __future__ import annotations

import base64
from collections.abc import Callable
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ApplicationError
from core.forms import form_add_application_error

from .forms import LoginForm, ReplaceDeviceForm, TokenForm, VerifyTokenForm
from .models import User
from .password_reset import SitePasswordResetForm
from .selectors import backup_codes_remaining
from .services import (
    backup_codes_regenerate,
    otp_token_verify,
    totp_device_confirm,
    totp_device_replace,
    totp_device_start,
)


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


BACKUP_CODES_SESSION_KEY = "accounts_new_backup_codes"


def _with_next(request: HttpRequest, url_name: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': _safe_next(request)})}"


def _ask_for_code(request: HttpRequest) -> HttpResponse:
    """Pages that need a verified session send an unverified one to the code page first."""
    return redirect(f"{reverse('accounts:2fa_verify')}?{urlencode({'next': request.get_full_path()})}")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # the views below are login_required


def _is_verified(request: HttpRequest) -> bool:
    # is_verified() is attached to the user at runtime by django_otp's OTPMiddleware.
    return bool(request.user.is_verified())  # type: ignore[union-attr]


def _verified_device(request: HttpRequest) -> Device | None:
    """The device this session was verified with (django_otp's OTPMiddleware sets it)."""
    return getattr(request.user, "otp_device", None)


def _enrolment_page(
    request: HttpRequest,
    *,
    device: TOTPDevice,
    form: forms.Form,
    template: str,
    confirm: Callable[[dict[str, Any]], tuple[TOTPDevice, list[str]]],
    done: str,
) -> HttpResponse:
    """The QR code and key of ``device``; on a good POST, ``confirm`` it, verify the session with
    it and show the new backup codes once."""
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = confirm(form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, done)
            request.session[BACKUP_CODES_SESSION_KEY] = codes
            return redirect(_with_next(request, "accounts:2fa_backup_codes"))
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
        "next": _safe_next(request),
    }
    return render(request, template, context)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First enrolment: scan a QR code, confirm one code, and the session is verified. A user
    who already has a device is sent to enter a code from it instead."""
    user = _actor(request)
    if _is_verified(request):
        return redirect(_with_next(request, "accounts:2fa_replace"))
    try:
        device = totp_device_start(actor=user)
    except ApplicationError as exc:
        messages.warning(request, exc.message)
        return redirect(_with_next(request, "accounts:2fa_verify"))
    return _enrolment_page(
        request,
        device=device,
        form=TokenForm(request.POST or None),
        template="accounts/2fa_setup.html",
        confirm=lambda data: totp_device_confirm(actor=user, device=device, token=data["token"]),
        done=_("Two-factor authentication is set up."),
    )


@login_required
def two_factor_replace(request: HttpRequest) -> HttpResponse:
    """A verified user moves to a new authenticator app, giving a current code again."""
    user = _actor(request)
    if not _is_verified(request):
        return _ask_for_code(request)
    verified_with = _verified_device(request)
    device = totp_device_start(actor=user, verified_with=verified_with)
    return _enrolment_page(
        request,
        device=device,
        form=ReplaceDeviceForm(request.POST or None),
        template="accounts/2fa_replace.html",
        confirm=lambda data: totp_device_replace(
            actor=user,
            verified_with=verified_with,
            device=device,
            current_token=data["current_token"],
            token=data["token"],
        ),
        done=_("Your new authenticator app is set up; the old one no longer works."),
    )


@login_required
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes are shown here once; a verified user may issue new ones."""
    user = _actor(request)
    if not _is_verified(request):
        return _ask_for_code(request)
    if request.method == "POST":
        try:
            codes = backup_codes_regenerate(actor=user, verified_with=_verified_device(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            request.session[BACKUP_CODES_SESSION_KEY] = codes
        return redirect(_with_next(request, "accounts:2fa_backup_codes"))
    context = {
        "codes": request.session.pop(BACKUP_CODES_SESSION_KEY, None),
        "remaining": backup_codes_remaining(user=user),
        "next": _safe_next(request),
    }
    return render(request, "accounts/2fa_backup_codes.html", context)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    form = VerifyTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_token_verify(actor=user, token=form.cleaned_data["token"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                remaining = backup_codes_remaining(user=user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code; %(count)d is left. Each works once.",
                        "You used a backup code; %(count)d are left. Each works once.",
                        remaining,
                    )
                    % {"count": remaining},
                )
            return redirect(_safe_next(request))
    context = {"form": form, "next": _safe_next(request), "remaining": backup_codes_remaining(user=user)}
    return render(request, "accounts/2fa_verify.html", context)
