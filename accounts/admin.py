"""Admin for users, customers and staff. Personal data is masked in lists; opening a record
shows it only to roles that may see it, and the viewing is audited. Edits go through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .masking import mask_email, mask_phone
from .models import CustomerProfile, EmergencyContact, StaffProfile, User
from .roles import VIEW_PII
from .services import customer_pii_view, customer_profile_admin_save, user_admin_save, user_roles_set


def _require_pii(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PII):
        raise PermissionDenied


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
    # No bulk actions: their checkboxes would label each row with the user's name; users are
    # deactivated one by one (audited), never deleted.
    actions = None

    @admin.display(description=_("email"))
    def masked_email(self, obj: User) -> str:
        return mask_email(obj.email) if obj.email else "—"

    @admin.display(description=_("mobile"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        _require_pii(request)
        profile = CustomerProfile.objects.filter(user_id=object_id).first()
        if request.method == "GET" and profile is not None:
            customer_pii_view(actor=request.user, profile=profile, purpose="admin_user_page")  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        user_admin_save(actor=request.user, user=obj, changed=list(form.changed_data), created=not change)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        if "groups" in form.cleaned_data:
            group_ids = [group.pk for group in form.cleaned_data["groups"]]
            user_roles_set(actor=request.user, user_id=form.instance.pk, group_ids=group_ids)  # type: ignore[arg-type]
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class EmergencyContactInline(admin.TabularInline):
    model = EmergencyContact
    extra = 0
    readonly_fields = ("is_third_party",)


@admin.register(CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    """Lists show masked names and numbers; a record opens only with the personal-data
    permission, and each opening is audited (``pii.viewed``)."""

    list_display = ("customer_number", "masked_name", "national_id_masked", "jurisdiction", "timezone")
    search_fields = ("customer_number",)
    list_filter = ("jurisdiction", "language")
    exclude = ("national_id_encrypted",)
    readonly_fields = ("customer_number", "national_id_masked", "user")
    inlines = [EmergencyContactInline]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        _require_pii(request)
        profile = CustomerProfile.objects.filter(pk=object_id).first()
        if request.method == "GET" and profile is not None:
            customer_pii_view(actor=request.user, profile=profile, purpose="admin_customer_page")  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: CustomerProfile, form: ModelForm, change: bool) -> None:
        customer_profile_admin_save(actor=request.user, profile=obj, changed=list(form.changed_data))  # type: ignore[arg-type]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "badge_number", "title")
