"""Staff with the legal route (``cases.manage_legal_route``): third-party guarantee claims
(第三方保障) — the claims by status, a claim with its transitions (submit, the guarantor's
decision, the payout posted to the ledger, withdrawal), its package (audited), and a contract's
guarantees with the form to record one and to prepare a claim. Each POST calls one service."""

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

from .forms_field import CLAIM_ACTION_FORMS, ClaimPrepareForm, GuaranteeForm
from .models import ClaimStatus, GuaranteeClaim
from .selectors_claims import (
    CLAIMS_PAGE_SIZE,
    claim_page,
    claim_status_counts,
    claims_list,
    guarantee_contract_id,
    guarantees_page,
)
from .services import (
    guarantee_add,
    guarantee_claim_decide,
    guarantee_claim_package,
    guarantee_claim_payout,
    guarantee_claim_prepare,
    guarantee_claim_submit,
    guarantee_claim_withdraw,
)
from .views_steps import Bound, step_forms, step_post


@staff_required(perm=LEGAL_ROUTE)
@require_GET
def claims(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ClaimStatus.values else ""
    page = Paginator(claims_list(status=status), CLAIMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/claims/list.html", {"page": page, "status": status, "counts": claim_status_counts()})


def _render_claim(request: HttpRequest, pk: int, bound: Bound = None, status: int = 200) -> HttpResponse:
    page = claim_page(pk=pk)
    return render(
        request,
        "staff/claims/detail.html",
        {
            "page": page,
            "claim": page.claim,
            "action_forms": step_forms(page.actions, CLAIM_ACTION_FORMS, bound),
            "open_action": bound[0] if bound else "",
        },
        status=status,
    )


@staff_required(perm=LEGAL_ROUTE)
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_claim(request, pk)


def _submit(user: User, pk: int, data: dict[str, Any]) -> GuaranteeClaim:
    return guarantee_claim_submit(actor=user, claim_id=pk, provider_reference=data["provider_reference"])


def _decide(user: User, pk: int, data: dict[str, Any]) -> GuaranteeClaim:
    return guarantee_claim_decide(actor=user, claim_id=pk, accepted=data["decision"] == "accept", note=data["note"])


def _payout(user: User, pk: int, data: dict[str, Any]) -> GuaranteeClaim:
    return guarantee_claim_payout(
        actor=user, claim_id=pk, amount=data["amount"], reference=data["reference"], received_at=data["received_at"]
    )


def _withdraw(user: User, pk: int, data: dict[str, Any]) -> GuaranteeClaim:
    return guarantee_claim_withdraw(actor=user, claim_id=pk, note=data["note"])


ACTIONS: dict[str, Callable[[User, int, dict[str, Any]], GuaranteeClaim]] = {
    "submit": _submit,
    "decide": _decide,
    "payout": _payout,
    "withdraw": _withdraw,
}


@staff_required(perm=LEGAL_ROUTE)
@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return step_post(
        request,
        pk,
        action,
        form_classes=CLAIM_ACTION_FORMS,
        services=ACTIONS,
        render_page=_render_claim,
        detail_url="staff:claim_detail",
        done=lambda claim: _("The claim is now “%(status)s”.") % {"status": claim.get_status_display()},
    )


@staff_required(perm=LEGAL_ROUTE)
@require_GET
def claim_package(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim package (ZIP) for the guarantor: making it is audited."""
    archive = guarantee_claim_package(actor=request.user, claim_id=pk)  # type: ignore[arg-type]
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="GC-{pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


def _render_guarantees(
    request: HttpRequest,
    pk: int,
    *,
    add_form: GuaranteeForm | None = None,
    prepare: tuple[int, ClaimPrepareForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    contract = contract_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    page = guarantees_page(contract=contract)
    prepare_forms = {g.pk: ClaimPrepareForm(prefix=f"g{g.pk}") for g in page.guarantees}
    if prepare is not None:
        prepare_forms[prepare[0]] = prepare[1]
    rows = [(g, prepare_forms[g.pk], page.open_claims.get(g.pk)) for g in page.guarantees]
    return render(
        request,
        "staff/claims/guarantees.html",
        {"page": page, "contract": contract, "rows": rows, "add_form": add_form or GuaranteeForm()},
        status=status,
    )


@staff_required(perm=LEGAL_ROUTE)
@require_http_methods(["GET", "POST"])
def contract_guarantees(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return _render_guarantees(request, pk)
    form = GuaranteeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            guarantee_add(
                actor=request.user,  # type: ignore[arg-type]
                contract_id=pk,
                kind=data["kind"],
                provider=data["provider"],
                reference=data["reference"],
                covered_amount=data["covered_amount"],
            )
        except NotFoundError:
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Guarantee recorded."))
            return redirect("staff:contract_guarantees", pk=pk)
    return _render_guarantees(request, pk, add_form=form, status=400)


@staff_required(perm=LEGAL_ROUTE)
@require_POST
def guarantee_claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    form = ClaimPrepareForm(request.POST, prefix=f"g{pk}")
    if form.is_valid():
        try:
            claim = guarantee_claim_prepare(
                actor=request.user,  # type: ignore[arg-type]
                guarantee_id=pk,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except NotFoundError:
            raise
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _("Claim prepared: download its package and submit it."))
            return redirect("staff:claim_detail", pk=claim.pk)
    return _render_guarantees(request, guarantee_contract_id(guarantee_id=pk), prepare=(pk, form), status=400)
