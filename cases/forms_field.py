"""Forms of the field pages (visit requests, the officers' report) and guarantee claims: input
shape only; the business rules are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AddressVerification, GuaranteeKind, MetWith, VisitOutcome

_TEXT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_LOCAL_TIME = {"format": "%Y-%m-%dT%H:%M"}
_LOCAL_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
_AMOUNT = {**_TEXT, "step": "0.01", "min": "0.01", "inputmode": "decimal"}


class VisitRequestPageForm(forms.Form):
    proposed_for = forms.DateTimeField(
        label=_("Proposed date and time (customer's time)"),
        widget=forms.DateTimeInput(attrs={**_TEXT, "type": "datetime-local"}, **_LOCAL_TIME),
        input_formats=_LOCAL_INPUTS,
    )
    reason = forms.CharField(
        label=_("Reason for the visit"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3}),
        help_text=_("Why remote contact is not enough, e.g. calls unanswered for weeks."),
    )
    address_verification = forms.ChoiceField(
        label=_("How the address was verified"), choices=AddressVerification.choices, widget=forms.Select(attrs=_SELECT)
    )
    address = forms.CharField(
        label=_("Address to visit (empty: the address on file)"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}),
    )


class VisitReportForm(forms.Form):
    identity_shown = forms.BooleanField(
        label=_("We showed our identity cards and the authorisation letter"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    consent_to_enter = forms.BooleanField(
        label=_("We were invited in (consent to enter)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    met = forms.ChoiceField(
        label=_("Whom did you meet?"),
        choices=MetWith.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    third_party_relation = forms.CharField(
        label=_("Who the person was (e.g. neighbour, relative)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=VisitOutcome.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    promise_amount = forms.DecimalField(
        label=_("Promised amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs=_AMOUNT),
    )
    promise_date = forms.DateField(
        label=_("Promised date"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={**_TEXT, "rows": 4})
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"), required=False, widget=forms.DateInput(attrs={**_TEXT, "type": "date"})
    )
    follow_up_action = forms.CharField(
        label=_("Follow-up"), required=False, max_length=300, widget=forms.TextInput(attrs=_TEXT)
    )


class GuaranteeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GuaranteeKind.choices, widget=forms.Select(attrs=_SELECT))
    provider = forms.CharField(label=_("Guarantor or insurer"), max_length=200, widget=forms.TextInput(attrs=_TEXT))
    reference = forms.CharField(
        label=_("Guarantee or policy number"), max_length=100, widget=forms.TextInput(attrs=_TEXT)
    )
    covered_amount = forms.DecimalField(
        label=_("Amount covered (empty: the whole debt)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs=_AMOUNT),
    )


class ClaimPrepareForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to claim (empty: all that the guarantee covers)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs=_AMOUNT),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.TextInput(attrs=_TEXT))


class ClaimSubmitForm(forms.Form):
    provider_reference = forms.CharField(
        label=_("The guarantor's claim number"), required=False, max_length=100, widget=forms.TextInput(attrs=_TEXT)
    )


class ClaimDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The guarantor's answer"),
        choices=[("accept", _("Accepted")), ("reject", _("Rejected"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("The guarantor's reason (needed for a rejection)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs=_TEXT),
    )


class ClaimPayoutForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received"), max_digits=14, decimal_places=2, widget=forms.NumberInput(attrs=_AMOUNT)
    )
    reference = forms.CharField(
        label=_("The guarantor's payment reference"), max_length=60, widget=forms.TextInput(attrs=_TEXT)
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={**_TEXT, "type": "datetime-local"}, **_LOCAL_TIME),
        input_formats=_LOCAL_INPUTS,
    )


class ClaimWithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Why the claim is withdrawn"), min_length=5, max_length=2000, widget=forms.TextInput(attrs=_TEXT)
    )


CLAIM_ACTION_FORMS: dict[str, Any] = {
    "submit": ClaimSubmitForm,
    "decide": ClaimDecideForm,
    "payout": ClaimPayoutForm,
    "withdraw": ClaimWithdrawForm,
}
