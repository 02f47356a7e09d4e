"""Forms for a validation notice's response: the tear-off form's choices, in the portal (the
customer) and on the staff page (a mailed form or letter, with the date it arrived)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ResponseChannel

DISPUTE_CHOICES = [
    ("not_mine", _("This is not my debt.")),
    ("amount_wrong", _("The amount is wrong.")),
    ("other", _("Other (please describe below).")),
]


class ValidationResponseForm(forms.Form):
    dispute_reasons = forms.MultipleChoiceField(
        label=_("I want to dispute the debt because I think:"),
        choices=DISPUTE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dispute_other = forms.CharField(
        label=_("Other reason or details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    original_creditor_requested = forms.BooleanField(
        label=_("I want you to send me the name and address of the original creditor."), required=False
    )


class StaffValidationResponseForm(ValidationResponseForm):
    enclosed_amount = forms.DecimalField(
        label=_("Amount enclosed"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    channel = forms.ChoiceField(label=_("Received"), choices=ResponseChannel.choices, initial=ResponseChannel.MAIL)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))


class EsignConsentForm(forms.Form):
    disclosures_acknowledged = forms.BooleanField(
        label=_("I have read the disclosures above and agree to receive notices about my debt by email."),
        required=False,
    )
