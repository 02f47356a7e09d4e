from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
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


# When the session was last saved by a request (epoch seconds), kept in the session itself.
SESSION_REFRESHED_KEY = "_refreshed_at"


class SessionIdleMiddleware:
    """Idle expiry without a session write on every request.

    A signed-in session expires ``SESSION_COOKIE_AGE`` (``SESSION_IDLE_SECONDS``) after it was
    last saved. Saving it on every request (``SESSION_SAVE_EVERY_REQUEST``) kept that exact but
    cost a database write per page; here a request that changes nothing saves the session only
    when its last save is ``SESSION_IDLE_REFRESH_SECONDS`` old or older. A session therefore
    expires between ``IDLE - REFRESH`` and ``IDLE`` seconds after its last request. Must sit
    right after ``SessionMiddleware`` (its response phase runs before the session is saved).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or SESSION_KEY not in session:
            return response  # untouched, anonymous or just logged out: nothing to keep alive
        now = int(time.time())
        refreshed = session.get(SESSION_REFRESHED_KEY)
        stale = not isinstance(refreshed, int) or now - refreshed >= settings.SESSION_IDLE_REFRESH_SECONDS
        if session.modified or stale:
            session[SESSION_REFRESHED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response
