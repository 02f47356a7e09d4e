"""The holiday calendar SLA clocks count with: seeded from the packages, entered by compliance
in the admin (audited), official per year; deadlines through a year that is not official err on
the customer's side, and staff are warned."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from appeals import sla
from appeals.calendar import Favour, calendar_get
from appeals.calendar_sources import calendar_seed_rows
from appeals.checks import holiday_calendar_official
from appeals.models import CalendarDay, CalendarYear
from appeals.services import DayEntry, calendar_days_update, calendar_seed, calendar_year_update, case_file
from audit.models import AuditEvent
from core.errors import ApplicationError
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# An arrangement for 2027's Spring Festival of the usual shape (not the State Council's, which
# is not published yet): 5–13 February off, Sunday 31 January and Saturday 20 February worked.
ARRANGEMENT_2027 = [
    DayEntry(dt.date(2027, 1, 31), "workday", "arrangement", "春节调休上班"),
    DayEntry(dt.date(2027, 2, 11), "holiday", "arrangement", "春节"),
    DayEntry(dt.date(2027, 2, 12), "holiday", "arrangement", "春节"),
    DayEntry(dt.date(2027, 2, 20), "workday", "arrangement", "春节调休上班"),
]


def lender(day: dt.date, days: int) -> dt.date:
    return sla.add_business_days(day, days, "CN", Favour.LENDER_DUTY)


def customer_window(day: dt.date, days: int) -> dt.date:
    return sla.add_business_days(day, days, "CN", Favour.CUSTOMER_WINDOW)


def enter_2027(actor) -> None:
    calendar_days_update(actor=actor, year=2027, upserts=ARRANGEMENT_2027)
    calendar_year_update(actor=actor, year=2027, official=True, reference="国办发明电〔2026〕测试号", note="")


def file_complaint(customer, now: dt.datetime):
    return case_file(
        actor=customer.user,
        customer=customer,
        kind="complaint",
        category="staff_conduct",
        description="The agent called at midnight.",
        filed_via="portal",
        now=now,
    )


def admin_client(role: Role = Role.COMPLIANCE_OFFICER):
    user = make_staff(role)
    client = Client()
    login_verified_staff(client, user)
    return client, user


# --- seeding ---------------------------------------------------------------------------------------
def test_migrate_seeds_published_years_as_official_and_later_years_as_statutory_only():
    year_2026 = CalendarYear.objects.get(year=2026)
    assert year_2026.official and year_2026.source.startswith("chinese_calendar")
    days_2026 = {d.date: d.kind for d in year_2026.days.all()}
    assert days_2026[dt.date(2026, 2, 16)] == "holiday"
    assert days_2026[dt.date(2026, 2, 28)] == "workday"  # make-up Saturday
    assert dt.date(2026, 2, 15) not in days_2026  # a Sunday off changes nothing in the plain week
    assert CalendarYear.objects.get(year=2004).official
    year_2027 = CalendarYear.objects.get(year=2027)
    assert not year_2027.official and year_2027.source.startswith("holidays")
    statutory = {d.date: d.basis for d in year_2027.days.filter(kind="holiday")}
    assert statutory[dt.date(2027, 2, 5)] == "statutory"  # 除夕
    assert statutory[dt.date(2027, 2, 8)] == "statutory"  # 初三
    assert statutory[dt.date(2027, 2, 9)] == "arrangement"  # 补假: where it falls is the arrangement's
    assert not year_2027.days.filter(kind="workday").exists()  # no make-up days invented


def test_seeding_again_changes_nothing_and_keeps_what_compliance_entered():
    officer = make_staff(Role.COMPLIANCE_OFFICER)
    calendar_days_update(actor=officer, year=2027, upserts=ARRANGEMENT_2027[:1])
    before = (CalendarYear.objects.count(), CalendarDay.objects.count())
    assert calendar_seed(actor=None) == []
    assert calendar_seed_rows(CalendarYear, CalendarDay, range(2004, 2031)) == []
    assert (CalendarYear.objects.count(), CalendarDay.objects.count()) == before
    assert CalendarDay.objects.filter(date=dt.date(2027, 1, 31), kind="workday").exists()
    assert not AuditEvent.objects.filter(action="calendar.seeded").exists()
    assert calendar_seed(actor=None, years=[2031]) == [2031]
    assert CalendarDay.objects.filter(calendar_year__year=2031, date=dt.date(2031, 10, 1)).exists()
    assert AuditEvent.objects.get(action="calendar.seeded").data["years"] == [2031]


# --- counting ----------------------------------------------------------------------------------------
def test_2026_still_counts_the_published_arrangement_from_the_table():
    assert sla.add_business_days(dt.date(2026, 9, 30), 1, "CN") == dt.date(2026, 10, 8)
    assert sla.add_business_days(dt.date(2026, 2, 13), 1, "CN") == dt.date(2026, 2, 14)  # make-up Saturday


def test_sla_across_2027_spring_festival_counts_the_holidays_then_the_official_arrangement():
    filed = dt.datetime(2027, 2, 4, 10, 0, tzinfo=SHANGHAI)  # Thursday before 除夕
    # Not official: the statutory 除夕 (Fri 5th) and 初三 (Mon 8th) are skipped; the in-lieu days
    # (9th, 10th) are provisional and count as working, so the lender's deadline is not later
    # than any arrangement will make it. (chinese_calendar alone gave Friday the 5th.)
    assert lender(filed.date(), 1) == dt.date(2027, 2, 9)
    assert lender(filed.date(), 15) == dt.date(2027, 3, 1)
    # A window given to the customer skips every holiday row: no shorter than it will be.
    assert customer_window(filed.date(), 1) == dt.date(2027, 2, 11)
    case = file_complaint(make_customer(), filed)
    assert case.acknowledge_due_at == dt.datetime(2027, 2, 9, 23, 59, 59, tzinfo=SHANGHAI)
    assert case.resolve_due_at == dt.datetime(2027, 3, 1, 23, 59, 59, tzinfo=SHANGHAI)

    enter_2027(make_staff(Role.COMPLIANCE_OFFICER))
    assert calendar_get().is_official(2027)
    # Official: 5–13 February off, and the make-up Saturday the 20th is a working day.
    assert lender(filed.date(), 1) == dt.date(2027, 2, 15)
    assert lender(filed.date(), 15) == dt.date(2027, 3, 4)
    assert customer_window(filed.date(), 1) == dt.date(2027, 2, 15)
    assert lender(dt.date(2027, 1, 29), 1) == dt.date(2027, 1, 31)  # make-up Sunday
    later = file_complaint(make_customer(), filed)
    assert later.acknowledge_due_at == dt.datetime(2027, 2, 15, 23, 59, 59, tzinfo=SHANGHAI)
    assert later.resolve_due_at == dt.datetime(2027, 3, 4, 23, 59, 59, tzinfo=SHANGHAI)


def test_a_make_up_day_entered_before_the_year_is_official_favours_the_customer_both_ways():
    calendar_days_update(actor=make_staff(Role.COMPLIANCE_OFFICER), year=2027, upserts=ARRANGEMENT_2027)
    assert lender(dt.date(2027, 1, 29), 1) == dt.date(2027, 1, 31)  # worked: the lender answers earlier
    assert customer_window(dt.date(2027, 1, 29), 1) == dt.date(2027, 2, 1)  # not yet: the customer keeps it


def test_a_year_missing_from_the_table_counts_the_plain_week():
    assert lender(dt.date(2040, 2, 10), 1) == dt.date(2040, 2, 13)  # Friday → Monday
    assert not calendar_get().is_official(2040)


# --- services and admin ---------------------------------------------------------------------------------
def test_official_needs_the_notice_reference_and_days_must_differ_from_the_plain_week():
    officer = make_staff(Role.COMPLIANCE_OFFICER)
    with pytest.raises(ApplicationError) as refused:
        calendar_year_update(actor=officer, year=2027, official=True, reference=" ", note="")
    assert refused.value.code == "calendar_reference_required"
    with pytest.raises(ApplicationError) as weekday_workday:
        calendar_days_update(
            actor=officer, year=2027, upserts=[DayEntry(dt.date(2027, 2, 15), "workday", "arrangement", "x")]
        )
    assert weekday_workday.value.code == "calendar_day_not_different"
    with pytest.raises(ApplicationError) as elsewhere:
        calendar_days_update(
            actor=officer, year=2027, upserts=[DayEntry(dt.date(2028, 2, 15), "holiday", "arrangement", "x")]
        )
    assert elsewhere.value.code == "calendar_day_outside_year"
    assert not CalendarYear.objects.get(year=2027).official


def test_compliance_enters_2027_in_the_admin_and_every_change_is_audited():
    client, officer = admin_client()
    year = CalendarYear.objects.get(year=2027)
    url = reverse("admin:appeals_calendaryear_change", args=[year.pk])
    assert client.get(url).status_code == 200
    existing = list(year.days.order_by("date"))
    data: dict[str, str] = {
        "official": "on",
        "reference": "国办发明电〔2026〕测试号",
        "note": "Checked against the published notice.",
        "days-TOTAL_FORMS": str(len(existing) + len(ARRANGEMENT_2027)),
        "days-INITIAL_FORMS": str(len(existing)),
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for n, day in enumerate(existing):
        data |= {
            f"days-{n}-id": str(day.pk),
            f"days-{n}-calendar_year": str(year.pk),
            f"days-{n}-date": day.date.isoformat(),
            f"days-{n}-kind": day.kind,
            f"days-{n}-basis": day.basis,
            f"days-{n}-name": day.name,
        }
    october_in_lieu = next(n for n, day in enumerate(existing) if day.date == dt.date(2027, 10, 5))
    data[f"days-{october_in_lieu}-DELETE"] = "on"
    for n, entry in enumerate(ARRANGEMENT_2027, start=len(existing)):
        data |= {
            f"days-{n}-calendar_year": str(year.pk),
            f"days-{n}-date": entry.date.isoformat(),
            f"days-{n}-kind": entry.kind,
            f"days-{n}-basis": entry.basis,
            f"days-{n}-name": entry.name,
        }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    year.refresh_from_db()
    assert year.official and year.confirmed_by == officer and year.confirmed_at is not None
    assert year.days.filter(kind="workday").count() == 2
    assert not year.days.filter(date=dt.date(2027, 10, 5)).exists()
    official = AuditEvent.objects.get(action="calendar.year_official", actor_id=officer.pk)
    assert official.data["after"]["reference"] == "国办发明电〔2026〕测试号"
    changed = AuditEvent.objects.get(action="calendar.days_changed", actor_id=officer.pk)
    assert {c["date"] for c in changed.data["changes"]} == {
        "2027-01-31",
        "2027-02-11",
        "2027-02-12",
        "2027-02-20",
        "2027-10-05",
    }
    assert lender(dt.date(2027, 2, 4), 1) == dt.date(2027, 2, 15)


def test_the_admin_refuses_official_without_a_reference_and_a_weekday_working_day():
    client, _officer = admin_client()
    year = CalendarYear.objects.get(year=2027)
    url = reverse("admin:appeals_calendaryear_change", args=[year.pk])
    data = {
        "official": "on",
        "reference": "",
        "note": "",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-calendar_year": str(year.pk),
        "days-0-date": "2027-02-15",
        "days-0-kind": "workday",
        "days-0-basis": "arrangement",
        "days-0-name": "x",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert not CalendarYear.objects.get(year=2027).official
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()


def test_agents_cannot_edit_the_calendar():
    client, _agent = admin_client(Role.AGENT)
    year = CalendarYear.objects.get(year=2027)
    assert client.get(reverse("admin:appeals_calendaryear_change", args=[year.pk])).status_code in (302, 403)


# --- warnings ---------------------------------------------------------------------------------------------
def test_system_check_warns_for_this_year_and_next_until_official():
    this_year = timezone.localdate().year
    calendar_seed(actor=None, years=[this_year, this_year + 1])
    officer = make_staff(Role.COMPLIANCE_OFFICER)
    for year in (this_year, this_year + 1):
        calendar_year_update(actor=officer, year=year, official=True, reference="notice", note="")
    assert holiday_calendar_official(None) == []
    calendar_year_update(actor=officer, year=this_year + 1, official=False, reference="", note="")
    warnings = holiday_calendar_official(None)
    assert [w.id for w in warnings] == ["appeals.W001"]
    assert str(this_year + 1) in warnings[0].msg
    assert AuditEvent.objects.filter(action="calendar.year_unofficial").count() == 1


def test_staff_pages_warn_where_a_deadline_runs_into_an_unofficial_year():
    case = file_complaint(make_customer(), dt.datetime(2027, 2, 4, 10, 0, tzinfo=SHANGHAI))
    client = Client()
    login_verified_staff(client, make_staff(Role.AGENT))
    queue = client.get(reverse("staff:appeal_queue")).content.decode()
    page = client.get(reverse("staff:appeal_case", args=[case.pk])).content.decode()
    home = client.get("/staff/").content.decode()
    for body in (queue, page, home):
        assert 'id="calendar-unofficial"' in body and "2027" in body
    with_link = admin_client()[0].get(reverse("staff:appeal_queue")).content.decode()
    assert reverse("admin:appeals_calendaryear_changelist") in with_link

    enter_2027(make_staff(Role.COMPLIANCE_OFFICER))
    page = client.get(reverse("staff:appeal_case", args=[case.pk])).content.decode()
    assert 'id="calendar-unofficial"' not in page


def test_the_warning_is_translated():
    file_complaint(make_customer(), dt.datetime(2027, 2, 4, 10, 0, tzinfo=SHANGHAI))
    client = Client()
    login_verified_staff(client, make_staff(Role.AGENT))
    body = client.get(reverse("staff:appeal_queue"), headers={"accept-language": "zh-hans"}).content.decode()
    assert 'id="calendar-unofficial"' in body and "国务院" in body
