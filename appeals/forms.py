"""Forms for filing and appealing cases, used by the customer pages and the staff pages.

Input shape only: the rules (categories per kind, the contract is the customer's, evidence by
content) are ``appeals.services``'; their coded errors name the field they belong to.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.evidence import EVIDENCE_ACCEPT, MAX_EVIDENCE_FILES, evidence_help_text
from contracts.models import Contract

from .models import CATEGORIES_BY_KIND, KINDS_NEEDING_CONTRACT, CaseKind, Category, FiledVia


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the content checks are the service's (evidence_check)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [cleaned for cleaned in (single(item, initial) for item in items if item) if cleaned]


def category_choices(kind: str | None = None) -> list[tuple[Any, Any]]:
    """The reasons a case of ``kind`` may give, as one ``<optgroup>``; with no kind chosen yet,
    every kind's reasons grouped by kind (the page works without JavaScript: changing the
    kind reloads the form with that kind's reasons)."""
    choices: list[tuple[Any, Any]] = [("", gettext_lazy("Choose a reason"))]
    kinds = [CaseKind(kind)] if kind in CaseKind.values else list(CaseKind)
    for each in kinds:
        choices.append((each.label, [(category, Category(category).label) for category in CATEGORIES_BY_KIND[each]]))
    return choices


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj.number} · {obj.product.display_name}"


class CaseFileForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What do you need?"), choices=CaseKind.choices)
    category = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        error_messages={
            "required": gettext_lazy("Choose a reason."),
            "invalid_choice": gettext_lazy(
                "That reason does not fit what you chose above; choose one of the listed reasons."
            ),
        },
    )
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
        help_text=lazy(evidence_help_text, str)(),
    )

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self["kind"].value()
        contract_field = self.fields["contract"]
        contract_field.queryset = contracts  # type: ignore[attr-defined]
        self.fields["category"].choices = category_choices(kind)  # type: ignore[attr-defined]
        if kind in KINDS_NEEDING_CONTRACT:
            contract_field.empty_label = gettext_lazy("Choose the contract")  # type: ignore[attr-defined]
            if not self.is_bound and not self.initial.get("contract"):
                only = list(contracts[:2])
                if len(only) == 1:  # one contract: it is the one the dispute is about
                    self.initial["contract"] = only[0].pk
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("kind") in KINDS_NEEDING_CONTRACT and not data.get("contract") and "contract" not in self.errors:
            self.add_error("contract", ValidationError(_("Choose the contract this is about."), code="required"))
        return data

    def clean_evidence(self) -> list[Any]:
        files = self.cleaned_data.get("evidence") or []
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(_("Attach at most %(n)s files.") % {"n": MAX_EVIDENCE_FILES})
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


class StaffCaseFileForm(CaseFileForm):
    """A case the customer raised by phone or during a visit, recorded by staff."""

    field_order = ["filed_via", "kind", "category", "contract", "disputed_amount", "description", "evidence"]
    filed_via = forms.ChoiceField(
        label=gettext_lazy("How the customer reached us"),
        choices=[(FiledVia.PHONE.value, FiledVia.PHONE.label), (FiledVia.VISIT.value, FiledVia.VISIT.label)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


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
