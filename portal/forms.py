from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    LEGALLY_REQUIRED_CHANNELS,
    MAX_INCONVENIENT_TIMES,
    ContactChannel,
    too_many_time_ranges_error,
)
from contracts.evidence import EVIDENCE_ACCEPT, evidence_help_text


class PlanMonthsForm(forms.Form):
    """The months alone: enough to show the schedule a plan would have (the preview)."""

    months = forms.TypedChoiceField(
        label=_("Number of months"),
        coerce=int,
        error_messages={"required": _("Choose the number of months.")},
    )

    def __init__(self, *args: Any, min_months: int, max_months: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = cast(forms.TypedChoiceField, self.fields["months"])
        months.choices = [(n, str(n)) for n in range(min_months, max_months + 1)]


class PlanRequestForm(PlanMonthsForm):
    """The request itself: the months and why (we decide on the reason; evidence is optional)."""

    reason = forms.CharField(
        label=_("Why do you need a plan?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Tell us briefly why you need a plan, e.g. a lower income for a few months.")},
    )
    evidence = forms.FileField(
        label=_("Evidence (optional): wage statement, medical note…"),
        required=False,
        help_text=lazy(evidence_help_text, str)(files=1),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"], code="required")
        return reason


OPT_OUT_CHOICES = [
    (c.value, c.label) for c in ContactChannel if c not in LEGALLY_REQUIRED_CHANNELS and c != ContactChannel.VISIT
]


class PreferencesForm(forms.Form):
    preferred_channel = forms.ChoiceField(
        label=_("How we should contact you first"),
        choices=OPT_OUT_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    opt_outs = forms.MultipleChoiceField(
        label=_("Do not contact me by"), choices=OPT_OUT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    inconvenient_times = forms.CharField(
        label=_("Times that are inconvenient for you (one range per line, e.g. 12:00-13:30)"),
        required=False,
        # Room for the most ranges, generously written ("12:00 - 13:30", one per line).
        max_length=MAX_INCONVENIENT_TIMES * 24,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, widget=forms.Select(attrs={"class": "form-select"})
    )

    def clean_inconvenient_times(self) -> str:
        text = self.cleaned_data.get("inconvenient_times") or ""
        if len([line for line in text.splitlines() if line.strip()]) > MAX_INCONVENIENT_TIMES:
            error = too_many_time_ranges_error()
            raise forms.ValidationError(error.message, code=error.code)
        return text
