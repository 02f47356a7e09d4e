"""Admin for the workbench's directories: agencies (licence, commission, users) and teams.
Saving goes through the services, so every change is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .models import Agency, AgencyPlacement, Team
from .services import agency_save, members_recorded, team_save


class _AuditedDirectoryAdmin(admin.ModelAdmin):
    filter_horizontal = ("members",)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        members_recorded(actor=request.user, obj=form.instance)  # type: ignore[arg-type]


@admin.register(Agency)
class AgencyAdmin(_AuditedDirectoryAdmin):
    list_display = ("name", "licence_number", "licence_valid_until", "commission_rate", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "licence_number")

    def save_model(self, request: HttpRequest, obj: Agency, form: forms.ModelForm, change: bool) -> None:
        agency_save(actor=request.user, agency=obj, changed=list(form.changed_data))  # type: ignore[arg-type]


@admin.register(Team)
class TeamAdmin(_AuditedDirectoryAdmin):
    list_display = ("name",)
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: Team, form: forms.ModelForm, change: bool) -> None:
        team_save(actor=request.user, team=obj, changed=list(form.changed_data))  # type: ignore[arg-type]


@admin.register(AgencyPlacement)
class AgencyPlacementAdmin(admin.ModelAdmin):
    """Read-only: placements are made and recalled on the staff pages (audited services)."""

    list_display = ("contract", "agency", "status", "placed_on", "ends_on", "recovered", "commission")
    list_filter = ("status", "agency")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
