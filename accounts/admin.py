from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import ApplicationError

from .forms import TwoFactorResetForm
from .models import CustomerProfile, EmergencyContact, StaffProfile, User
from .selectors import user_is_admin
from .services import two_factor_reset

# Two-factor devices change only through the audited pages and the reset action below: django-otp's
# own admin pages would let an administrator add a device (or read a key or backup code) unaudited.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("id",)
    list_display = ("id", "email", "phone", "full_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "phone", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "phone", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    actions = ["two_factor_reset"]

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
class CustomerProfileAdmin(admin.ModelAdmin):
    """Shows the masked national ID only; decryption happens in the audited staff page."""

    list_display = ("customer_number", "legal_name", "national_id_masked", "jurisdiction", "timezone")
    search_fields = ("customer_number", "legal_name", "phone", "email")
    list_filter = ("jurisdiction", "language")
    exclude = ("national_id_encrypted",)
    readonly_fields = ("customer_number", "national_id_masked", "user")
    inlines = [EmergencyContactInline]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "badge_number", "title")
