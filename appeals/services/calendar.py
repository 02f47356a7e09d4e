"""The holiday calendar's writes: seeding it from the packages, and compliance entering the
State Council's yearly arrangement (放假调休安排) in the admin. Each change writes an audit event
and drops the in-memory calendar (``appeals.calendar``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.errors import ApplicationError, NotFoundError

from ..calendar import calendar_forget
from ..calendar_sources import calendar_seed_rows
from ..codes import CalendarAction, CalendarError
from ..models import CalendarDay, CalendarDayKind, CalendarYear

SEED_FIRST_YEAR = 2004
SEED_LAST_YEAR = 2030


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str
    basis: str
    name: str


@transaction.atomic
def calendar_seed(*, actor: User | None, years: Iterable[int] | None = None) -> list[int]:
    """Seed the years missing from the calendar (idempotent): published arrangements from
    ``chinese_calendar`` (official), statutory days from ``holidays`` after that (not official)."""
    if years is None:
        years = range(SEED_FIRST_YEAR, max(SEED_LAST_YEAR, timezone.localdate().year + 1) + 1)
    wanted = list(years)
    created = calendar_seed_rows(CalendarYear, CalendarDay, wanted)
    if created:
        audit_record(
            action=CalendarAction.SEEDED,
            actor=actor,
            object_type="appeals.calendaryear",
            system="appeals",
            data={"years": created},
        )
        calendar_forget()
    return created


def _year_lock(year: int) -> CalendarYear:
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        raise NotFoundError(code=CalendarError.YEAR_NOT_FOUND, message=_("This calendar year does not exist."))
    return row


@transaction.atomic
def calendar_year_update(
    *, actor: User, year: int, official: bool, reference: str, note: str, create: bool = False
) -> CalendarYear:
    """Compliance marks a year official once the State Council's arrangement is entered and
    checked against the published notice (its reference is required), or takes it back."""
    if create and not CalendarYear.objects.filter(year=year).exists():
        CalendarYear.objects.create(year=year, source="entered by hand")
    row = _year_lock(year)
    reference = reference.strip()
    if official and not reference:
        raise ApplicationError(
            code=CalendarError.REFERENCE_REQUIRED,
            message=_("Enter the State Council notice the arrangement comes from."),
            field="reference",
        )
    before = {"official": row.official, "reference": row.reference, "note": row.note}
    was_official = row.official
    row.official, row.reference, row.note = official, reference, note
    if official and not was_official:
        row.confirmed_by, row.confirmed_at = actor, timezone.now()
    elif not official:
        row.confirmed_by, row.confirmed_at = None, None
    row.save(update_fields=["official", "reference", "note", "confirmed_by", "confirmed_at", "updated_at"])
    if official != was_official:
        action = CalendarAction.YEAR_OFFICIAL if official else CalendarAction.YEAR_UNOFFICIAL
    else:
        action = CalendarAction.YEAR_CHANGED
    audit_record(
        action=action,
        actor=actor,
        obj=row,
        system="appeals",
        data={"year": year, "before": before, "after": {"official": official, "reference": reference, "note": note}},
    )
    calendar_forget()
    return row


def calendar_day_check(year: int, entry: DayEntry) -> None:
    """A row must be in its year and differ from the plain week."""
    if entry.date.year != year:
        raise ApplicationError(
            code=CalendarError.DAY_OUTSIDE_YEAR,
            message=_("%(date)s is not in %(year)s.") % {"date": entry.date.isoformat(), "year": year},
            field="date",
        )
    weekend = entry.date.weekday() >= 5
    if (entry.kind == CalendarDayKind.HOLIDAY and weekend) or (entry.kind == CalendarDayKind.WORKDAY and not weekend):
        raise ApplicationError(
            code=CalendarError.DAY_NOT_DIFFERENT,
            message=_(
                "%(date)s is already like that in a plain week: enter only weekday holidays and weekend working days."
            )
            % {"date": entry.date.isoformat()},
            field="kind",
        )


@transaction.atomic
def calendar_days_update(
    *, actor: User, year: int, upserts: Iterable[DayEntry] = (), deletions: Iterable[dt.date] = ()
) -> CalendarYear:
    """Compliance enters, corrects or removes dates of a year (holidays and make-up working
    days as the State Council's notice lists them). One audit event lists every change."""
    row = _year_lock(year)
    changes: list[dict[str, str]] = []
    for entry in upserts:
        calendar_day_check(year, entry)
        day = CalendarDay.objects.select_for_update().filter(date=entry.date).first()
        before = f"{day.kind}/{day.basis}/{day.name}" if day else ""
        after = f"{entry.kind}/{entry.basis}/{entry.name}"
        if before == after:
            continue
        CalendarDay.objects.update_or_create(
            date=entry.date,
            defaults={"calendar_year": row, "kind": entry.kind, "basis": entry.basis, "name": entry.name},
        )
        changes.append({"date": entry.date.isoformat(), "before": before, "after": after})
    for date in deletions:
        day = CalendarDay.objects.select_for_update().filter(date=date, calendar_year=row).first()
        if day is not None:
            changes.append({"date": date.isoformat(), "before": f"{day.kind}/{day.basis}/{day.name}", "after": ""})
            day.delete()
    if changes:
        row.save(update_fields=["updated_at"])
        audit_record(
            action=CalendarAction.DAYS_CHANGED,
            actor=actor,
            obj=row,
            system="appeals",
            data={"year": year, "official": row.official, "changes": changes},
        )
        calendar_forget()
    return row
