"""Customer pages for disputes, complaints, hardship requests and appeals.

Views parse input, call one selector or service, render. Coded errors from the services
are shown in the form; a refused filing creates nothing (``case_file`` checks everything
before it writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import customer_required
from accounts.models import User
from accounts.selectors import customer_profile_for_user
from contracts.models import Contract
from contracts.selectors import contracts_for_customer
from core.errors import ApplicationError, NotFoundError

from .models import CATEGORIES_BY_KIND, CaseKind, Category, Evidence, FiledVia
from .selectors import case_get_for_customer, cases_for_customer, evidence_get_for_customer
from .services import case_appeal, case_file, evidence_view_record

MAX_FORM_FILES = 5
ACCEPTED_TYPES = "application/pdf,image/jpeg,image/png"
# Served inline (staff viewer) only when the stored content was verified as one of these.
INLINE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Which form field a coded service error belongs to (None: the whole form).
ERROR_FIELDS = {
    "invalid_category": "category",
    "description_required": "description",
    "contract_required": "contract",
    "contract_not_found": "contract",
    "too_many_files": "evidence",
    "file_too_large": "evidence",
    "file_type_not_allowed": "evidence",
}


# --- forms -----------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the content checks are the service's (evidence_check)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [cleaned for cleaned in (single(item, initial) for item in items if item) if cleaned]


def category_choices(first_kind: str | None = None) -> list[tuple[Any, Any]]:
    """Reasons grouped by kind (``<optgroup>``s, so the page works without JavaScript); the
    chosen kind's group first."""
    choices: list[tuple[Any, Any]] = [("", gettext_lazy("Choose a reason"))]
    for kind in sorted(CaseKind, key=lambda kind: kind != first_kind):
        choices.append((kind.label, [(category, Category(category).label) for category in CATEGORIES_BY_KIND[kind]]))
    return choices


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj.number} · {obj.product.name}"


class CaseFileForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What do you need?"), choices=CaseKind.choices)
    category = forms.ChoiceField(label=gettext_lazy("Reason"))
    contract = ContractChoiceField(
        label=gettext_lazy("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not about one contract"),
    )
    description = forms.CharField(
        label=gettext_lazy("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    disputed_amount = forms.DecimalField(
        label=gettext_lazy("Amount in question (optional)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    evidence = MultipleFileField(
        label=gettext_lazy("Evidence (optional): receipts, statements, photos"),
        required=False,
        help_text=gettext_lazy("Up to 5 files; PDF, JPEG or PNG, each up to 5 MB."),
    )

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]
        self.fields["category"].choices = category_choices(self["kind"].value())  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean_evidence(self) -> list[Any]:
        files = self.cleaned_data.get("evidence") or []
        if len(files) > MAX_FORM_FILES:
            raise ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_FORM_FILES})
        return files

    def case_file_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        contract = data.get("contract")
        return {
            "kind": data["kind"],
            "category": data["category"],
            "description": data["description"],
            "contract_id": contract.pk if contract else None,
            "disputed_amount": data.get("disputed_amount"),
            "evidence": data.get("evidence") or [],
        }

    def add_service_error(self, exc: ApplicationError) -> None:
        self.add_error(ERROR_FIELDS.get(exc.code), exc.message)


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you disagree with our decision?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


def initial_from_query(query: Any) -> dict[str, Any]:
    """``?kind=dispute&contract=12`` preselects the form (from the dashboard and contract page)."""
    initial: dict[str, Any] = {}
    if query.get("kind") in CaseKind.values:
        initial["kind"] = query["kind"]
    if str(query.get("contract", "")).isdigit():
        initial["contract"] = int(query["contract"])
    return initial


# --- evidence files ----------------------------------------------------------------------------
def evidence_file_response(*, actor: User, evidence: Evidence, inline: bool) -> FileResponse:
    """The stored file, never sniffed by the browser; each viewing is audited.

    Inline display is only for content verified at upload as PDF/JPEG/PNG; anything else is
    a download of opaque bytes.
    """
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFoundError(code="evidence_not_found", message=_("File not found.")) from exc
    extension = INLINE_TYPES.get(evidence.content_type)
    show_inline = inline and extension is not None
    try:
        evidence_view_record(actor=actor, evidence=evidence, disposition="inline" if show_inline else "attachment")
    except Exception:
        handle.close()
        raise
    stem = Path(evidence.original_name).stem[:80] or f"evidence-{evidence.pk}"
    response = FileResponse(
        handle,
        as_attachment=not show_inline,
        filename=f"{stem}.{extension or 'bin'}",
        content_type=evidence.content_type if extension else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- pages -----------------------------------------------------------------------------------
@customer_required
def case_list(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "appeals/customer/case_list.html",
        {"profile": profile, "cases": list(cases_for_customer(profile=profile))},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    contracts = contracts_for_customer(customer=profile)
    if request.method == "POST":
        form = CaseFileForm(request.POST, request.FILES, contracts=contracts)
        if form.is_valid():
            try:
                case = case_file(
                    actor=request.user,  # type: ignore[arg-type]
                    customer=profile,
                    filed_via=FiledVia.PORTAL,
                    **form.case_file_kwargs(),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("We have received your case %(reference)s. You can follow it on this page.")
                    % {"reference": case.reference},
                )
                return redirect("portal:appeal", pk=case.pk)
    else:
        form = CaseFileForm(initial=initial_from_query(request.GET), contracts=contracts)
    return render(
        request,
        "appeals/customer/case_new.html",
        {"form": form, "profile": profile, "max_files": MAX_FORM_FILES, "accept": ACCEPTED_TYPES},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case as the customer sees it; a POST appeals the decision."""
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    case = case_get_for_customer(profile=profile, pk=pk)
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case_appeal(actor=request.user, case_id=case.pk, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your appeal was received. Someone who did not take the first decision reviews it.")
            )
            return redirect("portal:appeal", pk=case.pk)
    return render(
        request,
        "appeals/customer/case_detail.html",
        {"profile": profile, "case": case, "appeal_form": form},
    )


@customer_required  # type: ignore[arg-type]
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    profile = customer_profile_for_user(user=request.user)  # type: ignore[arg-type]
    evidence = evidence_get_for_customer(profile=profile, pk=pk)
    return evidence_file_response(actor=request.user, evidence=evidence, inline=False)  # type: ignore[arg-type]
