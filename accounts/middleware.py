from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

STAFF_PREFIXES = ("/staff/", "/admin/")


class StaffTwoFactorMiddleware:
    """Staff and admin pages need a session verified with a confirmed TOTP device.

    A staff user with no confirmed device is sent to set one up; one with a device but an
    unverified session is asked for a code.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            request.path.startswith(STAFF_PREFIXES)
            and user.is_authenticated
            and user.is_staff
            # is_verified() is attached to the user at runtime by django_otp's OTPMiddleware.
            and not user.is_verified()  # type: ignore[attr-defined]
        ):
            target = "accounts:2fa_verify" if user_has_device(user, confirmed=True) else "accounts:2fa_setup"
            return HttpResponseRedirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
