"""The holiday calendar in the admin: compliance enters the State Council's yearly arrangement
(dates and names) and marks the year official. Every save goes through
``appeals.services.calendar``, which writes the audit event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import ApplicationError

from .models import CalendarDay, CalendarYear
from .services import DayEntry, calendar_days_update, calendar_year_update
from .services.calendar import calendar_day_check


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "official", "reference", "note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("official") and not (cleaned.get("reference") or "").strip():
            self.add_error("reference", _("Enter the State Council notice the arrangement comes from."))
        return cleaned


class CalendarDayInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        year = self.instance.year
        if year is None:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("date"):
                continue
            try:
                calendar_day_check(year, DayEntry(data["date"], data["kind"], data["basis"], data.get("name", "")))
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayInlineFormSet
    fields = ("date", "kind", "basis", "name")
    extra = 3
    ordering = ("date",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    inlines = [CalendarDayInline]
    list_display = ("year", "official", "reference", "day_count", "confirmed_by", "confirmed_at", "source")
    list_filter = ("official",)
    readonly_fields = ("source", "confirmed_by", "confirmed_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        return super().get_queryset(request).select_related("confirmed_by").annotate(day_total=Count("days"))

    @admin.display(description=_("dates"), ordering="day_total")
    def day_count(self, obj: CalendarYear) -> int:
        return getattr(obj, "day_total", 0)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "year") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: forms.ModelForm, change: bool) -> None:
        # The admin wraps this in a transaction, so the audit event commits with the change.
        saved = calendar_year_update(
            actor=request.user,  # type: ignore[arg-type]
            year=obj.year,
            official=form.cleaned_data["official"],
            reference=form.cleaned_data.get("reference", ""),
            note=form.cleaned_data.get("note", ""),
            create=not change,
        )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not CalendarDay:
            raise PermissionDenied
        user: User = request.user  # type: ignore[assignment]
        upserts = []
        deletions = []
        for day_form in formset.forms:
            data = getattr(day_form, "cleaned_data", None) or {}
            if not data or not data.get("date"):
                continue
            before = day_form.initial.get("date") if day_form.instance.pk else None
            if data.get("DELETE"):
                if before:
                    deletions.append(before)
                continue
            if before and before != data["date"]:
                deletions.append(before)  # moved to another date
            upserts.append(DayEntry(data["date"], data["kind"], data["basis"], data.get("name", "")))
        calendar_days_update(actor=user, year=form.instance.year, upserts=upserts, deletions=deletions)
        # The service saved the rows; the admin's change message reads what formset.save() would set.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
