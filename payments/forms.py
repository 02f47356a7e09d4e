from __future__ import annotations

from typing import Any

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

    def clean(self) -> dict[str, Any]:
        """An amount typed beside another choice is ambiguous: refuse it rather than guess.

        (With JavaScript, typing an amount selects "Another amount" already; this is the rule
        without it, so a customer who typed 5.00 is never sent to pay the whole overdue sum.)"""
        data = super().clean() or self.cleaned_data
        amount = (data.get("amount") or "").strip()
        choice = data.get("choice")
        if amount and choice and choice != CheckoutChoice.CUSTOM:
            self.add_error(
                "amount",
                forms.ValidationError(
                    _(
                        "You typed an amount but chose “%(choice)s”. To pay the amount you typed, choose "
                        "“Another amount”; otherwise clear the amount."
                    )
                    % {"choice": CheckoutChoice(choice).label},
                    code="amount_with_other_choice",
                ),
            )
        return data


class SandboxDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("pay", "pay"), ("fail", "fail")])
