"""Admin for the compliance officer: notice templates, escalation ladders and per-product
tightening of the contact rules.

Templates are versioned: adding one publishes a new version through ``template_save``
and a saved version is read-only (the text sent is evidence). Rule tightenings are
checked against the statutory rule set and can never loosen it.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import ContactChannel
from audit.services import audit_record

from .codes import NoticesAction
from .compliance.rules import STATUTORY, RuleSet, tighten
from .models import (
    REQUIRED_FIELDS,
    Anchor,
    ContactRuleTightening,
    EscalationLadder,
    LadderStep,
    NoticeTemplate,
    Purpose,
)
from .services.templates import template_save
from .templating import validate_template

MANAGE_TEMPLATES = "notices.manage_templates"


def _can_manage(request: HttpRequest) -> bool:
    return request.user.has_perm(MANAGE_TEMPLATES)


def _required_fields_help() -> str:
    lines = [
        f"{Purpose(purpose).label}: " + ", ".join(f"{{{{ {field} }}}}" for field in fields)
        for purpose, fields in REQUIRED_FIELDS.items()
    ]
    return "\n".join([_("Each text must print these variables (SMS and email also {{ opt_out }}):"), *lines])


# --- notice templates ---------------------------------------------------------------------------
class NoticeTemplateForm(forms.ModelForm):
    class Meta:
        model = NoticeTemplate
        fields = ("purpose", "channel", "locale", "subject", "body", "threatens_legal_action")
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "cols": 100})}

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # ModelForm.clean returns cleaned_data
        purpose, channel = cleaned.get("purpose"), cleaned.get("channel")
        if purpose and channel and "body" in cleaned:
            for error in validate_template(purpose, channel, cleaned.get("subject", ""), cleaned["body"]):
                self.add_error(None, error)
        return cleaned

    def validate_unique(self) -> None:
        # The version number is assigned by template_save; the constraints are checked there.
        pass


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    """Adding publishes a new version and retires the previous one; versions are never edited."""

    list_display = ("purpose", "channel", "locale", "version", "is_active", "created_by", "created_at")
    list_filter = ("is_active", "purpose", "channel", "locale")
    list_select_related = ("created_by",)
    search_fields = ("subject", "body")
    form = NoticeTemplateForm
    view_fields = (
        "purpose",
        "channel",
        "locale",
        "version",
        "is_active",
        "subject",
        "body",
        "threatens_legal_action",
        "created_by",
        "created_at",
    )

    def _view_fields(self, request: HttpRequest) -> tuple[str, ...]:
        return (*self.view_fields, "new_version_link") if self.has_add_permission(request) else self.view_fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return [(None, {"fields": self._view_fields(request)})]
        return [
            (None, {"fields": ("purpose", "channel", "locale")}),
            (
                gettext_lazy("Text"),
                {
                    "fields": ("subject", "body", "threatens_legal_action"),
                    "description": format_html("<pre>{}</pre>", _required_fields_help()),
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self._view_fields(request) if obj is not None else ()

    @admin.display(description=gettext_lazy("New version"))
    def new_version_link(self, obj: NoticeTemplate) -> str:
        url = reverse("admin:notices_noticetemplate_add") + "?" + urlencode({"from": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Write a new version based on this one"))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        source_id = request.GET.get("from", "")
        if source_id.isdigit():
            source = NoticeTemplate.objects.filter(pk=int(source_id)).first()
            if source is not None:
                initial.update(
                    purpose=source.purpose,
                    channel=source.channel,
                    locale=source.locale,
                    subject=source.subject,
                    body=source.body,
                    threatens_legal_action=source.threatens_legal_action,
                )
        initial.pop("from", None)
        return initial

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: NoticeTemplate, form: forms.ModelForm, change: bool) -> None:
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        template = template_save(
            actor=request.user,  # type: ignore[arg-type]
            purpose=data["purpose"],
            channel=data["channel"],
            locale=data["locale"],
            subject=data.get("subject", ""),
            body=data["body"],
            threatens_legal_action=data.get("threatens_legal_action", False),
        )
        # The admin goes on to log and redirect to ``obj``: make it the saved version.
        obj.__dict__.update({k: v for k, v in template.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = template._state.db


# --- escalation ladders -------------------------------------------------------------------------
class LadderStepForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("channels"), choices=ContactChannel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = LadderStep
        fields = (
            "code",
            "anchor",
            "offset_days",
            "purpose",
            "channels",
            "onsite_service_only",
            "min_risk_band",
            "is_active",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # ModelForm.clean returns cleaned_data
        anchor, offset = cleaned.get("anchor"), cleaned.get("offset_days")
        if anchor == Anchor.DAYS_PAST_DUE and offset is not None and offset < 1:
            self.add_error("offset_days", _("Days past due start at 1."))
        if anchor == Anchor.GRACE_END and offset is not None and offset < 0:
            self.add_error("offset_days", _("A step after the grace period cannot come before its end."))
        if cleaned.get("min_risk_band") and not (anchor == Anchor.DUE_DATE and offset is not None and offset < 0):
            # The early-warning score picks who gets a reminder before the due date, nothing else.
            self.add_error("min_risk_band", _("Only a step before the due date can be limited to a risk band."))
        purpose, channels = cleaned.get("purpose"), cleaned.get("channels") or []
        if purpose and cleaned.get("is_active", True):
            # Every customer must get the notice in their language: a text must be in use for each.
            in_use = set(
                NoticeTemplate.objects.filter(purpose=purpose, channel__in=channels, is_active=True).values_list(
                    "channel", "locale"
                )
            )
            for channel in channels:
                missing = [code for code, _name in settings.LANGUAGES if (channel, code) not in in_use]
                if missing:
                    self.add_error(
                        "channels",
                        _("No %(channel)s text of this purpose is in use for: %(locales)s. Add one first.")
                        % {"channel": ContactChannel(channel).label, "locales": ", ".join(missing)},
                    )
        return cleaned


class LadderStepInline(admin.TabularInline):
    model = LadderStep
    form = LadderStepForm
    extra = 0
    # Steps are switched off, not deleted: sent notices keep pointing at their step.
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and _can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _can_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EscalationLadder)
class EscalationLadderAdmin(admin.ModelAdmin):
    list_display = ("name", "product", "step_count")
    list_select_related = ("product",)
    search_fields = ("name", "product__code", "product__name")
    inlines = [LadderStepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationLadder]:
        return super().get_queryset(request).annotate(step_count=Count("steps"))

    @admin.display(description=gettext_lazy("steps"), ordering="step_count")
    def step_count(self, obj: EscalationLadder) -> int:
        return obj.step_count  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A ladder stays with its product; the default ladder stays the default.
        return ("product",) if obj is not None else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _can_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # The admin wraps this in a transaction, so the audit event commits with the change.
        ladder = form.instance
        changed_steps = sorted(
            {f.instance.code for formset in formsets for f in formset.forms if f.has_changed() and f.instance.pk}
        )
        audit_record(
            action=NoticesAction.LADDER_CHANGED if change else NoticesAction.LADDER_CREATED,
            actor=request.user,  # type: ignore[arg-type]
            obj=ladder,
            data={
                "fields": sorted(form.changed_data),
                "changed_steps": changed_steps,
                "steps": [
                    {
                        "code": s.code,
                        "anchor": s.anchor,
                        "offset_days": s.offset_days,
                        "channels": s.channels,
                        "purpose": s.purpose,
                        "onsite_service_only": s.onsite_service_only,
                        "is_active": s.is_active,
                    }
                    for s in ladder.steps.order_by("anchor", "offset_days", "code")
                ],
            },
        )


# --- contact rule tightening --------------------------------------------------------------------
# Form field -> RuleSet parameter (notices.compliance.rules).
RULE_PARAMETERS: dict[str, str] = {
    "window_start": "window_start",
    "window_end": "window_end",
    "cn_daily_unanswered_cap": "cn_daily_unanswered_cap",
    "cn_daily_connected_cap": "cn_daily_connected_cap",
    "us_calls_per_7_days": "us_calls_per_7_days",
    "visit_min_staff": "visit_min_staff",
}
# Parameters that mean something only where the jurisdiction applies the rule.
RULE_APPLIES_FLAG: dict[str, str] = {
    "cn_daily_unanswered_cap": "applies_daily_unanswered_cap",
    "cn_daily_connected_cap": "applies_daily_connected_cap",
    "us_calls_per_7_days": "applies_call_frequency",
}


class ContactRuleTighteningForm(forms.ModelForm):
    class Meta:
        model = ContactRuleTightening
        fields = (
            "product",
            "jurisdiction",
            "window_start",
            "window_end",
            "cn_daily_unanswered_cap",
            "cn_daily_connected_cap",
            "us_calls_per_7_days",
            "visit_min_staff",
        )

    def clean(self) -> dict[str, Any]:
        """Build the statutory rule set and tighten it: a product may be stricter than the
        law, never laxer (GB/T 45251-2025 and the CBA guideline in CN, Regulation F in the US)."""
        cleaned = cast(dict[str, Any], super().clean())  # ModelForm.clean returns cleaned_data
        statutory = STATUTORY.get(cleaned.get("jurisdiction") or "")
        if statutory is None:
            return cleaned
        overrides = {
            parameter: cleaned[name]
            for name, parameter in RULE_PARAMETERS.items()
            if cleaned.get(name) is not None and name not in self.errors
        }
        for name, flag in RULE_APPLIES_FLAG.items():
            if RULE_PARAMETERS[name] in overrides and not getattr(statutory, flag):
                self.add_error(
                    name, _("This limit does not apply in %(jurisdiction)s.") % {"jurisdiction": statutory.code}
                )
                overrides.pop(RULE_PARAMETERS[name])
        start = overrides.get("window_start", statutory.window_start)
        end = overrides.get("window_end", statutory.window_end)
        window_ok = start < end
        if not window_ok:
            self.add_error("window_end", _("The latest contact time must be after the earliest."))
        for name, parameter in RULE_PARAMETERS.items():
            if parameter not in overrides or (not window_ok and parameter in ("window_start", "window_end")):
                continue
            try:
                tighten(statutory, **{parameter: overrides[parameter]})
            except ValueError:
                self.add_error(
                    name,
                    _("Cannot loosen below the statutory value (the law says %(value)s).")
                    % {"value": self._statutory_display(statutory, parameter)},
                )
        if not self.errors:
            try:
                tighten(statutory, **overrides)
            except ValueError as exc:  # any rule the per-field checks above did not catch
                self.add_error(None, _("Cannot loosen below the statutory value: %(error)s") % {"error": exc})
        return cleaned

    @staticmethod
    def _statutory_display(statutory: RuleSet, parameter: str) -> str:
        value = getattr(statutory, parameter)
        return value.strftime("%H:%M") if hasattr(value, "strftime") else str(value)


@admin.register(ContactRuleTightening)
class ContactRuleTighteningAdmin(admin.ModelAdmin):
    form = ContactRuleTighteningForm
    list_display = (
        "product",
        "jurisdiction",
        "window_start",
        "window_end",
        "cn_daily_unanswered_cap",
        "cn_daily_connected_cap",
        "us_calls_per_7_days",
        "visit_min_staff",
        "updated_by",
        "updated_at",
    )
    list_filter = ("jurisdiction",)
    list_select_related = ("product", "updated_by")
    search_fields = ("product__code", "product__name")
    readonly_fields = ("updated_by", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _can_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _can_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Back to the statutory rules by clearing the fields, which is recorded like any change.
        return False

    def save_model(self, request: HttpRequest, obj: ContactRuleTightening, form: forms.ModelForm, change: bool) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        # The admin wraps this in a transaction, so the audit event commits with the change.
        audit_record(
            action=NoticesAction.CONTACT_RULES_CHANGED if change else NoticesAction.CONTACT_RULES_TIGHTENED,
            actor=request.user,  # type: ignore[arg-type]
            obj=obj,
            data={
                "product": obj.product.code,
                "jurisdiction": obj.jurisdiction,
                "fields": sorted(form.changed_data),
                "values": {name: getattr(obj, name) for name in RULE_PARAMETERS},
            },
        )


from . import admin_records as admin_records  # noqa: E402  (communication records; registers their admins)
