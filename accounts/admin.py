"""Admin for users, customers and staff. Personal data is masked in lists; opening a record
shows it only to roles that may see it, and the viewing is audited. Edits go through services;
two-factor devices change only through the audited pages and the reset action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ApplicationError

from .forms import TwoFactorResetForm
from .masking import mask_email, mask_phone
from .models import CustomerProfile, EmergencyContact, StaffProfile, User
from .roles import VIEW_PII
from .selectors import user_is_admin
from .services import (
    customer_pii_view,
    customer_profile_admin_save,
    two_factor_reset,
    user_admin_save,
    user_roles_set,
)

# Two-factor devices change only through the audited pages and the reset action below: django-otp's
# own admin pages would let an administrator add a device (or read a key or backup code) unaudited.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class AuditedPersonalDataAdmin(admin.ModelAdmin):
    """A record page that shows a customer's personal data: only with the permission, and
    each opening is audited (``pii.viewed``) with the page as its purpose."""

    pii_purpose = ""
    pii_profile_lookup = "pk"  # how the record's id finds the customer profile

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not request.user.has_perm(VIEW_PII):
            raise PermissionDenied
        profile = CustomerProfile.objects.filter(**{self.pii_profile_lookup: object_id}).first()
        if request.method == "GET" and profile is not None:
            customer_pii_view(actor=request.user, profile=profile, purpose=self.pii_purpose)  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(User)
class UserAdmin(AuditedPersonalDataAdmin, DjangoUserAdmin):
    pii_purpose = "admin_user_page"
    pii_profile_lookup = "user_id"
    ordering = ("id",)
    list_display = ("id", "masked_email", "masked_phone", "is_staff", "is_active", "last_login")
    search_fields = ("email", "phone")
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "phone", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    actions = ["two_factor_reset"]

    def action_checkbox(self, obj: User) -> SafeString:
        """Django labels each row's checkbox with the user's name: label it by id instead."""
        attrs = {"class": "action-select", "aria-label": gettext("Select user %(id)s") % {"id": obj.pk}}
        return forms.CheckboxInput(attrs, lambda value: False).render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))  # type: ignore[return-value]

    @admin.display(description=_("email"))
    def masked_email(self, obj: User) -> str:
        return mask_email(obj.email) if obj.email else "—"

    @admin.display(description=_("mobile"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        user_admin_save(actor=request.user, user=obj, changed=list(form.changed_data), created=not change)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        if "groups" in form.cleaned_data:
            group_ids = [group.pk for group in form.cleaned_data["groups"]]
            user_roles_set(actor=request.user, user_id=form.instance.pk, group_ids=group_ids)  # type: ignore[arg-type]
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_two_factor_reset_permission(self, request: HttpRequest) -> bool:
        return user_is_admin(request.user)  # type: ignore[arg-type]

    @admin.action(description=_("Reset two-factor authentication"), permissions=["two_factor_reset"])
    def two_factor_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> TemplateResponse | None:
        """Asks for the reason, then resets each selected user (never the administrator's own)."""
        form = TwoFactorResetForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Reset two-factor authentication"),
                "form": form,
                "queryset": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/user/two_factor_reset.html", context)
        done = 0
        for user in queryset:
            try:
                two_factor_reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
            except ApplicationError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Two-factor authentication was reset for %(count)d user.",
                    "Two-factor authentication was reset for %(count)d users.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        return None


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    extra = 0
    readonly_fields = ("is_third_party",)


@admin.register(CustomerProfile)
class CustomerProfileAdmin(AuditedPersonalDataAdmin):
    """Lists show masked names and numbers; a record opens only with the personal-data
    permission, and each opening is audited (``pii.viewed``)."""

    list_display = ("customer_number", "masked_name", "national_id_masked", "jurisdiction", "timezone")
    search_fields = ("customer_number",)
    list_filter = ("jurisdiction", "language")
    exclude = ("national_id_encrypted",)
    readonly_fields = ("customer_number", "national_id_masked", "user")
    inlines = [EmergencyContactInline]
    pii_purpose = "admin_customer_page"

    def save_model(self, request: HttpRequest, obj: CustomerProfile, form: ModelForm, change: bool) -> None:
        customer_profile_admin_save(actor=request.user, profile=obj, changed=list(form.changed_data))  # type: ignore[arg-type]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "badge_number", "title")


# API clients, tokens and webhooks (kept apart for size).
from . import admin_api  # noqa: E402,F401
