"""Staff area. Foundation pages: dashboard and customers (personal data views are audited)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.decorators import staff_required
from accounts.roles import VIEW_PII
from accounts.selectors import customer_profile_get_for_staff, customer_profiles_for_staff
from accounts.services import customer_pii_view
from appeals.selectors import calendar_unofficial_years_ahead
from audit.selectors import audit_seal_status
from contracts.selectors import contracts_for_customer
from core.dates import business_today
from core.selectors import heartbeat_get
from notices.selectors import nightly_run_latest, validation_notices_for_profile

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
        qs = qs.filter(customer_number__icontains=query) | qs.filter(legal_name__icontains=query)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "staff/customers.html", {"page": page, "q": query})


@staff_required()
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = customer_profile_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    pii = None
    if request.user.has_perm(VIEW_PII):
        pii = customer_pii_view(actor=request.user, profile=profile, purpose="staff_customer_page")  # type: ignore[arg-type]
    contracts = list(contracts_for_customer(customer=profile))
    return render(
        request,
        "staff/customer_detail.html",
        {
            "profile": profile,
            "pii": pii,
            "contracts": contracts,
            "validation_notices": validation_notices_for_profile(profile=profile),
        },
    )
