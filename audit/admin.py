from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written only by audit.services.audit_record."""

    list_display = ("seq", "occurred_at", "action", "actor_label", "object_type", "object_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "object_id", "actor_label", "request_id")
    date_hierarchy = "occurred_at"
    ordering = ("-seq",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
