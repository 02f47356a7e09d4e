"""Staff forms of the cases app (input shape only; the rules are in the services)."""

from __future__ import annotations

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
