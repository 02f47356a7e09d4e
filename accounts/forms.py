from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email or mobile number"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )
    error_messages = {
        "invalid_login": _(
            "The email/mobile number or the password is not right. Check both and try again; "
            "after several failed attempts the account is locked for a while."
        ),
        "inactive": _("This account is inactive."),
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class VerifyTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"),
        min_length=6,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class ReplaceDeviceForm(TokenForm):
    current_token = forms.CharField(
        label=_("Code from your current authenticator app, or a backup code"),
        min_length=6,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
    field_order = ["current_token", "token"]


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail, e.g. how the person proved who they are."),
    )
