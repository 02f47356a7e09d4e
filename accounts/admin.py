from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import CustomerProfile, EmergencyContact, StaffProfile, User


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
