"""Staff area: the dashboard and the customer search (the case page is ``views_case``)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import staff_required
from accounts.roles import VIEW_PII
from accounts.selectors import customer_profiles_for_staff
from appeals.selectors import calendar_unofficial_years_ahead
from audit.selectors import audit_seal_status
from core.dates import business_today
from core.selectors import heartbeat_get
from notices.selectors import nightly_run_latest

from .selectors import staff_work


@staff_required()
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "beat": heartbeat_get(name="beat"),
        "seal": audit_seal_status(),
        "night": nightly_run_latest(),
        "unofficial_years": calendar_unofficial_years_ahead(),
        "work": staff_work(user=request.user, today=business_today()),  # type: ignore[arg-type]
    }
    return render(request, "staff/home.html", context)


@staff_required()
def customers(request: HttpRequest) -> HttpResponse:
    qs = customer_profiles_for_staff(user=request.user)  # type: ignore[arg-type]
    query = request.GET.get("q", "").strip()
    if query:
        # Searching by name would reveal masked names to a role that may not see them.
        by_name = request.user.has_perm(VIEW_PII)
        qs = qs.filter(customer_number__icontains=query) | (
            qs.filter(legal_name__icontains=query) if by_name else qs.none()
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "staff/customers.html", {"page": page, "q": query})
