"""Staff: the case queue by SLA deadline, the case page with only the actions its state
allows, evidence viewing (audited), filing for a customer by phone or at a visit, SLA report.

Each POST calls one service; coded errors are shown on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import staff_required
from accounts.models import User
from accounts.selectors import customer_profile_get_for_staff
from appeals.files import evidence_file_response
from appeals.forms import StaffCaseFileForm
from appeals.models import Case, CaseKind, CaseStatus, FiledVia, Outcome
from appeals.rules import APPROVE_REMEDY_PERMISSION, CaseAction, case_actions_for
from appeals.selectors import (
    QUEUE_ALL,
    case_get_for_staff,
    case_queue_for_staff,
    evidence_get_for_staff,
    sla_calendar_unofficial_years,
    sla_report,
)
from appeals.services import (
    case_acknowledge,
    case_appeal_decide,
    case_close,
    case_file,
    case_investigate,
    case_remedy_approve,
    case_resolve,
)
from contracts.evidence import EVIDENCE_ACCEPT, MAX_EVIDENCE_FILES
from contracts.selectors import Balance, InstallmentView, contract_balance, contracts_for_customer
from core.dates import aware_start_of_day
from core.errors import ApplicationError, ConflictError
from core.forms import form_add_application_error

HANDLE = "appeals.handle_case"
REPORT = "appeals.view_sla_report"
REPORT_DEFAULT_DAYS = 90
RESOLVE_FORM_ID = "resolve-form"


# --- forms -----------------------------------------------------------------------------------
class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for the timeline (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


class EmptyForm(forms.Form):
    pass


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=Outcome.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    reasons = forms.CharField(
        label=gettext_lazy("Reasons (sent to the customer)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
    )


def _amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.01", "min": "0.01"}),
    )


class ResolveForm(DecisionForm):
    """The decision plus the remedy, per installment of the case's contract."""

    restore_service = forms.BooleanField(label=gettext_lazy("Restore on-site service"), required=False)
    plan_months = forms.IntegerField(
        label=gettext_lazy("Offer a repayment plan over (months)"),
        required=False,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args: Any, lines: list[InstallmentView], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            pk = line.row.pk
            if line.row.fee_charged > 0:
                self.fields[f"reverse_fee_{pk}"] = forms.BooleanField(
                    label=_("Reverse late fee of installment %(seq)s") % {"seq": line.row.seq}, required=False
                )
            self.fields[f"waive_penalty_{pk}"] = _amount_field()
            self.fields[f"write_down_{pk}"] = _amount_field()
        # The remedy inputs sit in the ledger table, outside the <form> element.
        for field in self.fields.values():
            field.widget.attrs["form"] = RESOLVE_FORM_ID

    def rows(self) -> list[dict[str, Any]]:
        """Each installment with its remedy inputs, for the ledger table."""
        rows = []
        for line in self.lines:
            pk = line.row.pk
            rows.append(
                {
                    "line": line,
                    "reverse_fee": self[f"reverse_fee_{pk}"] if f"reverse_fee_{pk}" in self.fields else None,
                    "waive_penalty": self[f"waive_penalty_{pk}"],
                    "write_down": self[f"write_down_{pk}"],
                }
            )
        return rows

    def remedy(self) -> dict[str, Any]:
        """The remedy in the shape ``case_resolve`` takes (JSON-safe: amounts as strings)."""
        data = self.cleaned_data
        remedy: dict[str, Any] = {}
        fees = [line.row.pk for line in self.lines if data.get(f"reverse_fee_{line.row.pk}")]
        if fees:
            remedy["reverse_late_fees"] = fees
        for key, prefix in (("waive_penalty", "waive_penalty_"), ("write_down_principal", "write_down_")):
            amounts = {
                str(line.row.pk): str(data[f"{prefix}{line.row.pk}"])
                for line in self.lines
                if data.get(f"{prefix}{line.row.pk}")
            }
            if amounts:
                remedy[key] = amounts
        if data.get("restore_service"):
            remedy["restore_service"] = True
        if data.get("plan_months"):
            remedy["plan_months"] = data["plan_months"]
        return remedy


# --- the actions a case page offers ------------------------------------------------------------
def remedy_lines(balance: Balance | None) -> list[InstallmentView]:
    """Installments a remedy can address: due, overdue, or carrying charges (not those moved
    into a plan, nor upcoming ones without charges)."""
    if balance is None:
        return []
    return [
        line
        for line in balance.installments
        if line.state != "restructured"
        and (line.state in ("overdue", "due") or line.row.fee_charged > 0 or line.row.penalty_accrued > 0)
    ]


def _make_form(action: str, data: Any, lines: list[InstallmentView]) -> forms.Form:
    # No prefixes: one POST carries one action, and the forms sharing field names (resolve,
    # decide_appeal) are never offered in the same state.
    if action == "investigate":
        return NoteForm(data)
    if action == "resolve":
        return ResolveForm(data, lines=lines)
    if action == "decide_appeal":
        return DecisionForm(data)
    return EmptyForm(data)


def _acknowledge(user: User, case: Case, form: Any) -> Case:
    return case_acknowledge(actor=user, case_id=case.pk)


def _investigate(user: User, case: Case, form: Any) -> Case:
    return case_investigate(actor=user, case_id=case.pk, note=form.cleaned_data["note"])


def _resolve(user: User, case: Case, form: Any) -> Case:
    data = form.cleaned_data
    return case_resolve(
        actor=user, case_id=case.pk, outcome=data["outcome"], reasons=data["reasons"], remedy=form.remedy()
    )


def _approve(user: User, case: Case, form: Any) -> Case:
    return case_remedy_approve(actor=user, case_id=case.pk)


def _decide_appeal(user: User, case: Case, form: Any) -> Case:
    data = form.cleaned_data
    return case_appeal_decide(actor=user, case_id=case.pk, outcome=data["outcome"], reasons=data["reasons"])


def _close(user: User, case: Case, form: Any) -> Case:
    return case_close(actor=user, case_id=case.pk)


# action -> (the one service call, the confirmation shown after it)
ACTIONS: dict[str, tuple[Callable[[User, Case, Any], Case], Any]] = {
    "acknowledge": (_acknowledge, gettext_lazy("Acknowledged; the customer is told by when we answer.")),
    "investigate": (_investigate, gettext_lazy("Marked as under investigation.")),
    "resolve": (_resolve, gettext_lazy("Decision recorded.")),
    "approve": (_approve, gettext_lazy("Remedy approved and applied.")),
    "decide_appeal": (_decide_appeal, gettext_lazy("Final decision recorded.")),
    "close": (_close, gettext_lazy("Case closed.")),
}


# --- pages -----------------------------------------------------------------------------------
@staff_required(perm=HANDLE)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = {
        "kind": request.GET.get("kind", "").strip(),
        "status": request.GET.get("status", "").strip(),
        "breached": request.GET.get("breached") == "1",
        "mine": request.GET.get("mine") == "1",
    }
    page = Paginator(case_queue_for_staff(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    now = timezone.now()
    return render(
        request,
        "staff/appeals/queue.html",
        {
            "page": page,
            "filters": filters,
            "kinds": CaseKind.choices,
            "statuses": CaseStatus.choices,
            "status_all": QUEUE_ALL,
            "unofficial_years": sla_calendar_unofficial_years(cases=page.object_list),
            "now": now,
            "soon": now + dt.timedelta(hours=24),
        },
    )


@staff_required(perm=HANDLE)
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = case_get_for_staff(user=user, pk=pk)
    balance = contract_balance(contract=case.contract) if case.contract else None
    lines = remedy_lines(balance)
    actions = [str(action) for action in case_actions_for(user=user, case=case)]
    action_forms = {action: _make_form(action, None, lines) for action in actions}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            return redirect("staff:appeal_case", pk=case.pk)
        if action == CaseAction.APPROVE and not user.has_perm(APPROVE_REMEDY_PERMISSION):
            raise PermissionDenied
        form = _make_form(action, request.POST, lines)
        handler, done = ACTIONS[action]
        if form.is_valid():
            try:
                handler(user, case, form)
            except ConflictError as exc:
                # Someone else acted first (two people deciding at once): the case as it is now,
                # with what happened, and nothing of this request recorded.
                messages.error(request, exc.message)
                fresh = case_get_for_staff(user=user, pk=pk)
                fresh_actions = [str(a) for a in case_actions_for(user=user, case=fresh)]
                forms_now = {a: _make_form(a, None, lines) for a in fresh_actions}
                return _case_response(request, fresh, balance, fresh_actions, forms_now, status=exc.http_status)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, str(done))
                return redirect("staff:appeal_case", pk=case.pk)
        if action in action_forms:
            action_forms[action] = form
        else:
            for error in form.non_field_errors():
                messages.error(request, str(error))
    return _case_response(request, case, balance, actions, action_forms)


def _case_response(
    request: HttpRequest,
    case: Case,
    balance: Any,
    actions: list[str],
    action_forms: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "staff/appeals/case.html",
        {
            "case": case,
            "hold_source": f"appeals.case:{case.pk}",
            "balance": balance,
            "actions": actions,
            "forms": action_forms,
            "resolve_form": action_forms.get("resolve"),
            "pending_remedy": bool(case.remedy.get("pending")),
            "unofficial_years": sla_calendar_unofficial_years(cases=[case]),
            "now": now,
            "soon": now + dt.timedelta(hours=24),
        },
        status=status,
    )


@staff_required(perm=HANDLE)  # type: ignore[arg-type]
@require_GET
def evidence_view(request: HttpRequest, pk: int) -> FileResponse:
    evidence = evidence_get_for_staff(user=request.user, pk=pk)  # type: ignore[arg-type]
    return evidence_file_response(actor=request.user, evidence=evidence, inline=True)  # type: ignore[arg-type]


@staff_required(perm=HANDLE)
@require_http_methods(["GET", "POST"])
def file_for_customer(request: HttpRequest, customer_pk: int) -> HttpResponse:
    """A case the customer raised by phone or during a visit, recorded by staff."""
    profile = customer_profile_get_for_staff(user=request.user, pk=customer_pk)  # type: ignore[arg-type]
    contracts = contracts_for_customer(customer=profile)
    if request.method == "POST":
        form = StaffCaseFileForm(request.POST, request.FILES, contracts=contracts)
        if form.is_valid():
            try:
                case = case_file(
                    actor=request.user,  # type: ignore[arg-type]
                    customer=profile,
                    filed_via=form.cleaned_data["filed_via"],
                    **form.case_file_kwargs(),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, _("Case %(reference)s filed.") % {"reference": case.reference})
                return redirect("staff:appeal_case", pk=case.pk)
    else:
        initial = {"kind": request.GET.get("kind", CaseKind.COMPLAINT), "filed_via": FiledVia.PHONE}
        form = StaffCaseFileForm(initial=initial, contracts=contracts)
    return render(
        request,
        "staff/appeals/file_for_customer.html",
        {"form": form, "profile": profile, "max_files": MAX_EVIDENCE_FILES, "accept": EVIDENCE_ACCEPT},
    )


@staff_required(perm=REPORT)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        since_day = dt.date.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since_day = today - dt.timedelta(days=REPORT_DEFAULT_DAYS)
    since = aware_start_of_day(since_day)
    return render(request, "staff/appeals/report.html", {"rows": sla_report(since=since), "since": since_day})
