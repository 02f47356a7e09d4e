"""Staff forms of the cases app (input shape only; the rules are in the services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class TimeBarredFlagForm(forms.Form):
    flagged = forms.BooleanField(
        label=_("Treat this debt as time-barred"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        help_text=_("Why the debt may be time-barred, e.g. the date of default known from the original creditor."),
    )


# --- the workbench ---------------------------------------------------------------------------
_TEXT = {"class": "form-control form-control-sm"}
_SELECT = {"class": "form-select form-select-sm"}


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the personal data?"),
        min_length=5,
        max_length=300,
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}),
        help_text=_("Recorded in the audit trail with your name."),
    )


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.Select(attrs=_SELECT))
    promise_amount = forms.DecimalField(
        label=_("Promised amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={**_TEXT, "step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    promise_date = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={**_TEXT, "rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import CallOutcome

        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = CallOutcome.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "promise":
            if data.get("promise_amount") is None:
                self.add_error("promise_amount", _("A promise to pay needs an amount and a date."))
            if data.get("promise_date") is None:
                self.add_error("promise_date", _("A promise to pay needs an amount and a date."))
        return data


class PlanForm(forms.Form):
    months = forms.IntegerField(
        label=_("Months"), min_value=1, max_value=60, widget=forms.NumberInput(attrs={**_TEXT, "inputmode": "numeric"})
    )
    waive_penalty = forms.BooleanField(label=_("Ask to waive penalty interest"), required=False)
    waive_fees = forms.BooleanField(label=_("Ask to waive fees"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={**_TEXT, "rows": 2}))


class WaiverForm(forms.Form):
    installment = forms.TypedChoiceField(label=_("Installment"), coerce=int, widget=forms.Select(attrs=_SELECT))
    kind = forms.ChoiceField(label=_("What"), widget=forms.Select(attrs=_SELECT))
    amount = forms.DecimalField(
        label=_("Amount (empty: all of it)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={**_TEXT, "step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=2000, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args: Any, installments: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        from .models import WaiverKind

        super().__init__(*args, **kwargs)
        self.fields["installment"].choices = list(installments)  # type: ignore[attr-defined]
        self.fields["kind"].choices = WaiverKind.choices  # type: ignore[attr-defined]


class HoldForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why collection pauses"), widget=forms.Select(attrs=_SELECT))
    note = forms.CharField(label=_("Note"), required=False, max_length=60, widget=forms.TextInput(attrs=_TEXT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from contracts.models import HoldReason

        from .services import STAFF_HOLD_REASONS

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r.value, HoldReason(r).label) for r in STAFF_HOLD_REASONS]  # type: ignore[attr-defined]


class VisitRequestForm(forms.Form):
    proposed_for = forms.DateTimeField(
        label=_("Proposed date and time (customer's time)"),
        widget=forms.DateTimeInput(attrs={**_TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=2000, widget=forms.TextInput(attrs=_TEXT))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=5, max_length=2000, widget=forms.TextInput(attrs=_TEXT))


class PlacementForm(forms.Form):
    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int, widget=forms.Select(attrs=_SELECT))
    ends_on = forms.DateField(label=_("Placed until"), widget=forms.DateInput(attrs={**_TEXT, "type": "date"}))

    def __init__(self, *args: Any, agencies: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = list(agencies)  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    agent = forms.TypedChoiceField(label=_("Agent"), coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        agents: list[tuple[int, str]] = (),  # type: ignore[assignment]
        teams: list[tuple[int, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", _("— nobody —")), *agents]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("— no team —")), *teams]  # type: ignore[attr-defined]
        for name in ("agent", "team"):
            self.fields[name].widget.attrs.update(_SELECT)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=60, widget=forms.TextInput(attrs=_TEXT))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput(attrs=_TEXT))


class VisitDecisionForm(DecisionForm):
    officers = forms.MultipleChoiceField(
        label=_("Officers (at least two)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    scheduled_for = forms.DateTimeField(
        label=_("Date and time of the visit (customer's time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={**_TEXT, "type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Empty: the time proposed in the request."),
    )

    def __init__(self, *args: Any, officers: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["officers"].choices = list(officers)  # type: ignore[attr-defined]
