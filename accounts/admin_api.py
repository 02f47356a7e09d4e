"""Admin for API clients, their tokens, webhook endpoints and the webhook outbox.

Every change goes through ``accounts.services.api_access`` / ``webhooks`` (audited). A new
token's secret is shown once, in the message after saving; only its hash is kept. Tokens are
revoked, never deleted; dead-lettered deliveries are replayed with an action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError

from .models_api import ApiClient, ApiScope, ApiToken, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .services.api_access import api_client_save, api_token_issue, api_token_revoke, api_token_scopes_set
from .services.webhooks import webhook_delivery_replay


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ("name", "prefix", "scopes", "created_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "rate_per_minute", "created_at")
    search_fields = ("name",)
    fields = ("name", "description", "rate_per_minute", "is_active")
    inlines = [ApiTokenInline]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: forms.ModelForm, change: bool) -> None:
        saved = api_client_save(
            actor=request.user,  # type: ignore[arg-type]
            client=obj if change else None,
            name=obj.name,
            description=obj.description,
            rate_per_minute=obj.rate_per_minute,
            is_active=obj.is_active,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiToken
        fields = ("client", "name", "scopes")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("client", "name", "prefix", "scope_list", "created_at", "revoked_at", "last_used_at")
    list_filter = ("client", "revoked_at")
    readonly_fields = ("prefix", "created_at", "created_by", "revoked_at", "last_used_at")
    actions = ["revoke_tokens"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiToken) -> str:
        return ", ".join(obj.scopes or [])

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return ("client", "name", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm, change: bool) -> None:
        scopes = list(form.cleaned_data.get("scopes") or [])
        try:
            if change:
                api_token_scopes_set(actor=request.user, token=obj, scopes=scopes)  # type: ignore[arg-type]
                return
            token, raw = api_token_issue(
                actor=request.user,  # type: ignore[arg-type]
                client=form.cleaned_data["client"],
                name=form.cleaned_data["name"],
                scopes=scopes,
            )
        except ApplicationError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        obj.pk = token.pk
        self.message_user(
            request,
            gettext("Copy the token now, it is not shown again: %(token)s") % {"token": raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
            count += 1
        self.message_user(
            request, ngettext("%(n)s token revoked.", "%(n)s tokens revoked.", count) % {"n": count}, messages.SUCCESS
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("client", "url", "event_list", "is_active", "created_at")
    list_filter = ("client", "is_active")
    fields = ("client", "url", "events", "is_active", "created_at")
    readonly_fields = fields

    @admin.display(description=_("events"))
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events or [])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_type", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id",)
    list_select_related = ("endpoint__client",)
    readonly_fields = (
        "endpoint", "event_id", "event_type", "payload", "status", "attempts", "next_attempt_at",
        "last_status_code", "last_error", "delivered_at", "created_at",
    )  # fmt: skip
    fields = readonly_fields
    actions = ["replay"]

    @admin.action(description=_("Replay the selected deliveries"))
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = 0
        for delivery in queryset.exclude(status=DeliveryStatus.PENDING):
            webhook_delivery_replay(actor=request.user, delivery_id=delivery.pk)  # type: ignore[arg-type]
            count += 1
        self.message_user(
            request,
            ngettext("%(n)s delivery queued again.", "%(n)s deliveries queued again.", count) % {"n": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
