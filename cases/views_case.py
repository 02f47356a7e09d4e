"""Staff: the customer case page — personal data masked until unmasked with a reason (audited),
contracts and balances, the one timeline, and per account the actions allowed now, each
asking the compliance engine (or its own rule) first. Each POST calls one service."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import staff_required
from accounts.models import CustomerProfile, User
from accounts.roles import VIEW_PII, WORK_ACCOUNTS
from accounts.selectors import customer_profile_get_for_staff, user_is_agency
from contracts.models import Contract
from contracts.services import plan_propose
from core.errors import ApplicationError
from core.forms import form_add_application_error
from notices.selectors import validation_notices_for_profile

from .forms import (
    CallForm,
    HoldForm,
    PlacementForm,
    PlanForm,
    ReasonForm,
    UnmaskForm,
    VisitRequestForm,
    WaiverForm,
)
from .selectors_case import AccountView, case_accounts, placement_agencies
from .selectors_timeline import customer_timeline
from .services import (
    account_hold_place,
    call_log,
    customer_unmask,
    legal_referral_create,
    placement_create,
    visit_request_create,
    waiver_request_create,
)
from .services._common import account_for_actor


def _account_forms(account: AccountView, agencies: list[tuple[int, str]], data: Any = None) -> dict[str, forms.Form]:
    return {
        "call": CallForm(data, prefix=f"call{account.contract.pk}"),
        "plan": PlanForm(data, prefix=f"plan{account.contract.pk}"),
        "waiver": WaiverForm(data, prefix=f"waiver{account.contract.pk}", installments=account.waivable),
        "hold": HoldForm(data, prefix=f"hold{account.contract.pk}"),
        "visit": VisitRequestForm(data, prefix=f"visit{account.contract.pk}"),
        "legal": ReasonForm(data, prefix=f"legal{account.contract.pk}"),
        "place": PlacementForm(data, prefix=f"place{account.contract.pk}", agencies=agencies),
    }


def _render_case(
    request: HttpRequest,
    profile: CustomerProfile,
    *,
    pii: dict[str, Any] | None = None,
    unmask_form: UnmaskForm | None = None,
    bound: tuple[int, str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    agency_user = user_is_agency(user)
    accounts = case_accounts(user=user, profile=profile, by="agency" if agency_user else "lender")
    agencies = placement_agencies(user=user)
    for account in accounts:
        account.forms = _account_forms(account, agencies)
        if bound is not None and bound[0] == account.contract.pk:
            account.forms[bound[1]] = bound[2]
            account.open_action = bound[1]
    timeline = customer_timeline(
        profile=profile,
        contract_ids=[a.contract.pk for a in accounts] if agency_user else None,
        with_audit=not agency_user,
    )
    return render(
        request,
        "staff/case.html",
        {
            "profile": profile,
            "pii": pii,
            "can_unmask": user.has_perm(VIEW_PII),
            "unmask_form": unmask_form or UnmaskForm(),
            "accounts": accounts,
            "contracts": [a.contract for a in accounts],
            "timeline": timeline,
            "can_work": user.has_perm(WORK_ACCOUNTS),
            "agency_user": agency_user,
            "validation_notices": validation_notices_for_profile(profile=profile) if not agency_user else [],
        },
        status=status,
    )


@staff_required()
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = customer_profile_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    return _render_case(request, profile)


@staff_required(perm=VIEW_PII)
@require_POST
def customer_unmask_view(request: HttpRequest, pk: int) -> HttpResponse:
    profile = customer_profile_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = UnmaskForm(request.POST)
    if form.is_valid():
        try:
            pii = customer_unmask(actor=request.user, profile=profile, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            return _render_case(request, profile, pii=pii)
    return _render_case(request, profile, unmask_form=form, status=400)


# --- account actions: action -> (the one service call, the confirmation) ----------------------
def _call(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return call_log(
        actor=user,
        contract_id=contract.pk,
        outcome=data["outcome"],
        note=data["note"],
        promise_amount=data.get("promise_amount"),
        promise_date=data.get("promise_date"),
    )


def _plan(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return plan_propose(
        actor=user,
        contract_id=contract.pk,
        months=data["months"],
        reason=data["reason"],
        waive_penalty=data["waive_penalty"],
        waive_fees=data["waive_fees"],
    )


def _waiver(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return waiver_request_create(
        actor=user,
        contract_id=contract.pk,
        installment_id=data["installment"],
        kind=data["kind"],
        amount=data["amount"],
        reason=data["reason"],
    )


def _hold(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return account_hold_place(actor=user, contract_id=contract.pk, reason=data["reason"], note=data["note"])


def _visit(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    # The form's time is the customer's wall-clock time.
    local = data["proposed_for"].replace(tzinfo=None)
    moment = timezone.make_aware(local, zoneinfo.ZoneInfo(contract.customer.timezone))
    return visit_request_create(actor=user, contract_id=contract.pk, proposed_for=moment, reason=data["reason"])


def _legal(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return legal_referral_create(actor=user, contract_id=contract.pk, reason=data["reason"])


def _place(user: User, contract: Contract, data: dict[str, Any]) -> Any:
    return placement_create(actor=user, contract_id=contract.pk, agency_id=data["agency"], ends_on=data["ends_on"])


ACTIONS: dict[str, Callable[[User, Contract, dict[str, Any]], Any]] = {
    "call": _call,
    "plan": _plan,
    "waiver": _waiver,
    "hold": _hold,
    "visit": _visit,
    "legal": _legal,
    "place": _place,
}


def _done_message(action: str) -> str:
    texts = {
        "call": _("Call logged."),
        "plan": _("Repayment plan proposed."),
        "waiver": _("Waiver requested; a supervisor decides it."),
        "hold": _("Collection is on hold."),
        "visit": _("Visit requested; a supervisor authorises it."),
        "legal": _("Account referred to legal."),
        "place": _("Account placed with the agency."),
    }
    return texts[action]


@staff_required(perm=WORK_ACCOUNTS)
@require_POST
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    contract = account_for_actor(user, pk)
    if action not in ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("staff:customer_detail", pk=contract.customer_id)
    profile = customer_profile_get_for_staff(user=user, pk=contract.customer_id)
    accounts = {a.contract.pk: a for a in case_accounts(user=user, profile=profile, by="lender", judge=False)}
    account = accounts[contract.pk]
    form = _account_forms(account, placement_agencies(user=user), request.POST)[action]
    if form.is_valid():
        try:
            ACTIONS[action](user, contract, form.cleaned_data)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
        else:
            messages.success(request, _done_message(action))
            url = reverse("staff:customer_detail", args=[contract.customer_id])
            return redirect(f"{url}#account-{contract.pk}")
    return _render_case(request, profile, bound=(contract.pk, action, form), status=400)
