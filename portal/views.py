from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.i18n import set_language

from accounts.decorators import customer_required
from accounts.selectors import customer_profile_for_user
from accounts.services import user_language_set


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_staff:
        return redirect("staff:home")
    return redirect("portal:dashboard")


@customer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "portal/dashboard.html", {"profile": profile})


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
