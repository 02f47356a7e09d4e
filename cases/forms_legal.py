"""Forms of the legal-route pages: input shape only; the business rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import JudgmentOutcome, LegalCloseReason

_TEXT = {"class": "form-control"}
_DATE = forms.DateInput(attrs={**_TEXT, "type": "date"}, format="%Y-%m-%d")


def _note(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.TextInput(attrs=_TEXT))


class LegalOpenForm(forms.Form):
    law_firm = forms.CharField(
        label=_("Law firm sending the letter"), max_length=200, widget=forms.TextInput(attrs=_TEXT)
    )
    grace_days = forms.IntegerField(
        label=_("Final grace period (days after the letter)"),
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(attrs={**_TEXT, "inputmode": "numeric"}),
    )
    note = _note(_("Note"))


class LegalReferForm(forms.Form):
    note = _note(_("Note"))


class LegalFileForm(forms.Form):
    court = forms.CharField(label=_("Court"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    court_case_number = forms.CharField(
        label=_("Court case number"), max_length=100, widget=forms.TextInput(attrs=_TEXT)
    )
    filed_on = forms.DateField(label=_("Filed on"), widget=_DATE)
    note = _note(_("Note"))


class LegalJudgmentForm(forms.Form):
    judgment_on = forms.DateField(label=_("Judgment on"), widget=_DATE)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=JudgmentOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    amount = forms.CharField(
        label=_("Amount awarded (empty for a judgment for the customer)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "decimal"}),
    )
    note = _note(_("Note"))


class LegalEnforceForm(forms.Form):
    enforcement_on = forms.DateField(label=_("Enforcement applied for on"), widget=_DATE)
    enforcement_case_number = forms.CharField(
        label=_("Enforcement case number"), max_length=100, widget=forms.TextInput(attrs=_TEXT)
    )
    note = _note(_("Note"))


class LegalCloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why it closes"), choices=LegalCloseReason.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=_DATE)
    note = _note(_("Note (needed when withdrawn or uncollectible)"))


LEGAL_ACTION_FORMS: dict[str, Any] = {
    "refer": LegalReferForm,
    "file": LegalFileForm,
    "judgment": LegalJudgmentForm,
    "enforce": LegalEnforceForm,
    "close": LegalCloseForm,
}
