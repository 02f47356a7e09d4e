"""Admin for communication records (12 CFR 1006.100): notices, contact attempts, in-app messages,
call tasks and SMS delivery receipts, shown without recipients or texts (those are on the audited
staff pages). They are never added or edited here; deleting goes through
``communication_records_delete``, which refuses anything still under retention and audits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import ApplicationError

from .models import CallTask, ContactAttempt, DeliveryReceipt, InAppMessage, Notice
from .retention import communication_records_delete


class CommunicationRecordAdmin(admin.ModelAdmin):
    actions = ["delete_past_retention"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(str(name) for name in self.fields or ())

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # Django's own action would bypass the retention check
        return actions

    @admin.action(
        description=gettext_lazy("Delete the selected records (only those past their retention)"),
        permissions=["delete"],
    )
    def delete_past_retention(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        try:
            deleted = communication_records_delete(
                actor=request.user,  # type: ignore[arg-type]
                queryset=queryset,
                reason="admin",
            )
        except ApplicationError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        self.message_user(
            request, ngettext("%(count)s row deleted.", "%(count)s rows deleted.", deleted) % {"count": deleted}
        )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)  # the confirmation page
        opts = self.model._meta
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_delete_permission(request, obj):
            return super().delete_view(request, object_id, extra_context)  # Django's not-found / forbidden
        try:
            communication_records_delete(
                actor=request.user,  # type: ignore[arg-type]
                queryset=self.model.objects.filter(pk=obj.pk),
                reason="admin",
            )
        except ApplicationError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        self.message_user(request, _("The record was deleted."), messages.SUCCESS)
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        communication_records_delete(actor=request.user, queryset=self.model.objects.filter(pk=obj.pk), reason="admin")  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        communication_records_delete(actor=request.user, queryset=queryset, reason="admin")  # type: ignore[arg-type]


@admin.register(Notice)
class NoticeRecordAdmin(CommunicationRecordAdmin):
    list_display = ("id", "purpose", "channel", "status", "contract", "sent_at", "created_at")
    list_filter = ("status", "purpose", "channel")
    list_select_related = ("contract",)
    fields = ("purpose", "channel", "status", "contract", "scheduled_for", "sent_at", "delivered_at", "created_at")


@admin.register(ContactAttempt)
class ContactAttemptRecordAdmin(CommunicationRecordAdmin):
    list_display = ("id", "at", "channel", "direction", "to", "purpose", "verdict", "outcome", "contract")
    list_filter = ("channel", "verdict", "direction")
    list_select_related = ("contract",)
    fields = ("at", "channel", "direction", "to", "purpose", "verdict", "reason_codes", "outcome", "contract")


@admin.register(InAppMessage)
class InAppMessageRecordAdmin(CommunicationRecordAdmin):
    list_display = ("id", "contract", "is_banner", "created_at", "read_at")
    list_select_related = ("contract",)
    fields = ("contract", "is_banner", "created_at", "read_at", "dismissed_at")


@admin.register(CallTask)
class CallTaskRecordAdmin(CommunicationRecordAdmin):
    list_display = ("id", "kind", "status", "contract", "due_at", "created_at")
    list_filter = ("kind", "status")
    list_select_related = ("contract",)
    fields = ("kind", "status", "contract", "due_at", "created_at")


@admin.register(DeliveryReceipt)
class DeliveryReceiptRecordAdmin(CommunicationRecordAdmin):
    list_display = ("id", "provider_message_id", "status", "received_at")
    fields = ("provider_message_id", "status", "received_at")
