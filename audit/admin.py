from django.contrib import admin
from django.http import HttpRequest

from .models import AuditCheckpoint, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """The log is written only by audit.services; nobody adds, edits or deletes here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "position", "occurred_at", "action", "actor_label", "object_type", "object_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "object_id", "actor_label", "request_id")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    list_select_related = ("seal",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description="position")
    def position(self, obj: AuditEvent) -> int | None:
        seal = getattr(obj, "seal", None)
        return seal.seq if seal is not None else None


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("tree_size", "signed_at", "root_hash")
    ordering = ("-tree_size",)
    readonly_fields = [f.name for f in AuditCheckpoint._meta.fields]
