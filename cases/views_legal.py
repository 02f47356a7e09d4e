"""Staff with the legal route (``cases.manage_legal_route``): legal cases by status, a case with
its next step (refer, filed, judgment, enforcement, close), its referral bundle (audited), and a
contract's cases with the form that opens one by sending the lawyer's letter. Each POST calls
one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from accounts.models import User
from accounts.roles import LEGAL_ROUTE
from contracts.selectors import contract_get_for_staff
from core.errors import ApplicationError, NotFoundError
from core.forms import form_add_application_error

from .forms_legal import LEGAL_ACTION_FORMS, LegalOpenForm
from .models import LegalCase, LegalStatus
from .selectors_legal import (
    LEGAL_PAGE_SIZE,
    contract_legal_cases,
    legal_case_page,
    legal_cases_list,
    legal_status_counts,
)
from .services import (
    legal_bundle_make,
    legal_case_close,
    legal_case_enforce,
    legal_case_file,
    legal_case_judgment,
    legal_case_open,
    legal_case_refer,
)
from .services.legal import GRACE_DAYS_DEFAULT, GRACE_DAYS_MAX, GRACE_DAYS_MIN
from .views_steps import Bound, step_forms, step_post


@staff_required(perm=LEGAL_ROUTE)
@require_GET
def legal_cases(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in LegalStatus.values else ""
    page = Paginator(legal_cases_list(status=status), LEGAL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/legal/list.html", {"page": page, "status": status, "counts": legal_status_counts()})


def _render_case(request: HttpRequest, pk: int, bound: Bound = None, status: int = 200) -> HttpResponse:
    page = legal_case_page(pk=pk)
    return render(
        request,
        "staff/legal/detail.html",
        {
            "page": page,
            "case": page.case,
            "action_forms": step_forms(page.actions, LEGAL_ACTION_FORMS, bound),
            "open_action": bound[0] if bound else "",
        },
        status=status,
    )


@staff_required(perm=LEGAL_ROUTE)
@require_GET
def legal_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, pk)


ACTIONS: dict[str, Callable[[User, int, dict[str, Any]], LegalCase]] = {
    "refer": lambda user, pk, data: legal_case_refer(actor=user, case_id=pk, note=data["note"]),
    "file": lambda user, pk, data: legal_case_file(
        actor=user,
        case_id=pk,
        court=data["court"],
        court_case_number=data["court_case_number"],
        filed_on=data["filed_on"],
        note=data["note"],
    ),
    "judgment": lambda user, pk, data: legal_case_judgment(
        actor=user,
        case_id=pk,
        judgment_on=data["judgment_on"],
        outcome=data["outcome"],
        amount=data["amount"],
        note=data["note"],
    ),
    "enforce": lambda user, pk, data: legal_case_enforce(
        actor=user,
        case_id=pk,
        enforcement_on=data["enforcement_on"],
        enforcement_case_number=data["enforcement_case_number"],
        note=data["note"],
    ),
    "close": lambda user, pk, data: legal_case_close(
        actor=user, case_id=pk, reason=data["reason"], closed_on=data["closed_on"], note=data["note"]
    ),
}


@staff_required(perm=LEGAL_ROUTE)
@require_POST
def legal_case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return step_post(
        request,
        pk,
        action,
        form_classes=LEGAL_ACTION_FORMS,
        services=ACTIONS,
        render_page=_render_case,
        detail_url="staff:legal_case_detail",
        done=lambda case: _("The case is now “%(status)s”.") % {"status": case.get_status_display()},
    )


@staff_required(perm=LEGAL_ROUTE)
@require_GET
def legal_bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral bundle (ZIP) for the court or the lawyers: making it is recorded and audited."""
    bundle = legal_bundle_make(actor=request.user, case_id=pk)  # type: ignore[arg-type]
    response = HttpResponse(bundle.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{bundle.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required(perm=LEGAL_ROUTE)
@require_http_methods(["GET", "POST"])
def contract_legal(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = LegalOpenForm(request.POST or None, initial={"grace_days": GRACE_DAYS_DEFAULT})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = legal_case_open(
                actor=request.user,  # type: ignore[arg-type]
                contract_id=contract.pk,
                law_firm=data["law_firm"],
                grace_days=data["grace_days"],
                note=data["note"],
            )
        except NotFoundError:
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Legal case opened: the lawyer's letter is on its way."))
            return redirect("staff:legal_case_detail", pk=case.pk)
    context = {
        "contract": contract,
        "cases": contract_legal_cases(contract=contract),
        "form": form,
        "grace_min": GRACE_DAYS_MIN,
        "grace_max": GRACE_DAYS_MAX,
    }
    return render(request, "staff/legal/contract.html", context, status=400 if request.method == "POST" else 200)
