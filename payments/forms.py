from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import CheckoutChoice


class CheckoutStartForm(forms.Form):
    """Input shape only; amounts and limits are checked by ``checkout_start``."""

    contract = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    choice = forms.ChoiceField(label=_("What do you want to pay?"), choices=CheckoutChoice.choices)
    amount = forms.CharField(
        label=_("Amount"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "1234.50"}),
    )


class SandboxDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("pay", "pay"), ("fail", "fail")])
