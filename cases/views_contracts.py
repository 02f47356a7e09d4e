"""The staff contract page: the annualised rate (IRR method), the cost cap's rule, the schedule
and every charge explained; the debt's limitation position (12 CFR 1006.26(b)) with the manual
time-barred mark, and how long its communication records are kept (12 CFR 1006.100)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from accounts.roles import FLAG_TIME_BARRED
from contracts.selectors import (
    charges_by_installment,
    contract_balance,
    contract_cost_of_credit,
    contract_get_for_staff,
    contract_limitation,
    limitation_jurisdictions_missing,
)
from contracts.selectors_risk import contract_risk_score
from contracts.services import contract_time_barred_flag_set
from core.errors import ApplicationError
from core.forms import form_add_application_error
from notices.retention import retain_until, retention_years

from .forms import TimeBarredFlagForm


@staff_required()
@require_http_methods(["GET", "POST"])
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    can_flag = request.user.has_perm(FLAG_TIME_BARRED)
    form = TimeBarredFlagForm(
        initial={"flagged": contract.time_barred_flag, "reason": contract.time_barred_flag_reason}
    )
    if request.method == "POST":
        if not can_flag:
            raise PermissionDenied
        form = TimeBarredFlagForm(request.POST)
        if form.is_valid():
            try:
                contract_time_barred_flag_set(
                    actor=request.user,  # type: ignore[arg-type]
                    contract_id=contract.pk,
                    flagged=form.cleaned_data["flagged"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("staff:contract_detail", pk=contract.pk)
    today = timezone.localdate()
    limitation = contract_limitation(contract=contract, on_date=today)
    missing = limitation_jurisdictions_missing(on_date=today, debt_type=contract.limitation_debt_type)
    balance = contract_balance(contract=contract)
    return render(
        request,
        "staff/contract_detail.html",
        {
            "contract": contract,
            "balance": balance,
            "cost": contract_cost_of_credit(contract=contract, rows=[line.row for line in balance.installments]),
            "charges": charges_by_installment(contract=contract),
            "limitation": limitation,
            "period_missing": bool(contract.governing_state) and contract.governing_state in missing,
            "retain_until": retain_until(contract),
            "retention_years": retention_years(),
            "form": form,
            "can_flag": can_flag,
            "risk": contract_risk_score(contract_id=contract.pk),
        },
    )
