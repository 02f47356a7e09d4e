"""Field visits (上门走访): approved by a supervisor only when every precondition holds and the
slot is lawful; two officers with badges; the customer told in advance; the authorisation
letter; the report, which says nothing about the debt when the officers met someone else."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.roles import Role
from appeals.calendar import calendar_drop
from appeals.models import CalendarDay, CalendarYear
from audit.models import AuditEvent
from cases.models import FieldVisit, RequestStatus, VisitReport, VisitStatus
from cases.services import (
    visit_authorisation_letter,
    visit_report_file,
    visit_request_approve,
    visit_request_reject,
)
from contracts.models import PromiseToPay
from core.errors import ApplicationError, ForbiddenError, NotFoundError
from notices.models import Notice
from tests.accounts.factories import make_staff
from tests.appeals.test_appeal_views import file_dispute
from tests.cases.visit_helpers import requested, two_officers, visit_ready, visit_slot

pytestmark = pytest.mark.django_db


def _approve(request, *, at=None, officers=None, by=None):
    return visit_request_approve(
        actor=by or make_staff(Role.SUPERVISOR),
        request_id=request.pk,
        officer_ids=[o.pk for o in (officers or two_officers())],
        scheduled_for=at,
    )


def test_an_approved_visit_has_two_officers_and_the_customer_is_told():
    contract = visit_ready()
    request = requested(contract)
    officers = two_officers()
    visit = _approve(request, officers=officers)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.visit == visit
    assert visit.status == VisitStatus.SCHEDULED and set(visit.officers.all()) == set(officers)
    told = Notice.objects.filter(customer=contract.customer, purpose="visit_notice")
    assert {n.channel for n in told} >= {"in_app"}
    body = told.get(channel="in_app").body
    assert officers[0].staff_profile.badge_number in body and "/me/visits/" in body
    letter = visit_authorisation_letter(actor=officers[0], visit_id=visit.pk)
    assert letter.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="pii.viewed", data__purpose="visit_authorisation_letter").exists()
    with pytest.raises(NotFoundError):  # another officer sees nothing of it
        visit_authorisation_letter(actor=make_staff(Role.FIELD_OFFICER), visit_id=visit.pk)


def test_a_visit_cannot_be_approved_with_an_open_dispute():
    contract = visit_ready()
    request = requested(contract)
    file_dispute(contract)
    with pytest.raises(ApplicationError) as excinfo:
        _approve(request)
    assert excinfo.value.code == "visit_precondition_not_met"
    assert "no_open_case" in excinfo.value.extra["failed"]
    assert not FieldVisit.objects.exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED


def test_a_visit_cannot_be_approved_with_fewer_failed_contacts_than_required(settings):
    settings.FIELD_VISIT_MIN_FAILED_CONTACTS = 3
    contract = visit_ready(failed=2)
    request = requested(contract)
    with pytest.raises(ApplicationError) as excinfo:
        _approve(request)
    assert excinfo.value.extra["failed"] == ["failed_contacts"]
    settings.FIELD_VISIT_MIN_FAILED_CONTACTS = 2  # the threshold is configuration
    assert _approve(request).status == VisitStatus.SCHEDULED


def test_a_visit_needs_the_days_past_due_and_a_verified_address(settings):
    settings.FIELD_VISIT_MIN_DAYS_PAST_DUE = 400
    contract = visit_ready()
    with pytest.raises(ApplicationError) as excinfo:
        _approve(requested(contract, verified=""))
    assert set(excinfo.value.extra["failed"]) == {"days_past_due", "address_verified"}


@pytest.mark.parametrize(("hour", "minute"), [(8, 30), (17, 30), (20, 0)])
def test_a_visit_cannot_be_approved_outside_the_allowed_hours(hour, minute):
    contract = visit_ready()
    request = requested(contract)
    with pytest.raises(ApplicationError) as excinfo:
        _approve(request, at=visit_slot(hour=hour, minute=minute))
    assert excinfo.value.code == "visit_slot_not_allowed"
    assert not FieldVisit.objects.exists()


def test_no_visit_on_a_public_holiday_nor_without_notice():
    contract = visit_ready()
    request = requested(contract)
    slot = visit_slot(days_ahead=4)
    year, _created = CalendarYear.objects.get_or_create(year=slot.year, defaults={"official": False})
    CalendarDay.objects.update_or_create(
        date=slot.date(), defaults={"calendar_year": year, "kind": "holiday", "name": "假日"}
    )
    calendar_drop()
    try:
        with pytest.raises(ApplicationError) as excinfo:
            _approve(request, at=slot)
        assert excinfo.value.code == "visit_slot_not_allowed"
        with pytest.raises(ApplicationError):  # tomorrow morning is too soon to tell the customer
            _approve(request, at=visit_slot(days_ahead=0, hour=10) + dt.timedelta(hours=2))
    finally:
        calendar_drop()


def test_only_a_supervisor_who_did_not_ask_decides_and_two_officers_with_badges_go():
    contract = visit_ready()
    request = requested(contract)
    with pytest.raises(ForbiddenError):
        _approve(request, by=make_staff(Role.AGENT))
    with pytest.raises(ApplicationError) as excinfo:
        _approve(request, officers=[make_staff(Role.FIELD_OFFICER)])
    assert excinfo.value.code == "visit_officers"
    rejected = visit_request_reject(
        actor=make_staff(Role.SUPERVISOR), request_id=request.pk, note="地址存疑，先电话核实"
    )
    assert rejected.status == RequestStatus.REJECTED


def _visit():
    contract = visit_ready()
    officers = two_officers()
    visit = _approve(requested(contract), officers=officers)
    return visit, officers


def test_nothing_about_the_debt_is_written_in_a_report_of_a_visit_that_met_a_third_party():
    visit, officers = _visit()
    with pytest.raises(ApplicationError) as excinfo:
        visit_report_file(
            actor=officers[0],
            visit_id=visit.pk,
            identity_shown=True,
            consent_to_enter=False,
            met="third_party",
            third_party_relation="邻居",
            outcome="not_home",
            notes="告诉邻居他欠款3000元",
        )
    assert excinfo.value.code == "visit_third_party_disclosure"
    with pytest.raises(ApplicationError):  # no promise or plan can come from someone else
        visit_report_file(
            actor=officers[0],
            visit_id=visit.pk,
            identity_shown=True,
            consent_to_enter=False,
            met="third_party",
            third_party_relation="邻居",
            outcome="promise",
            notes="",
        )
    report = visit_report_file(
        actor=officers[0],
        visit_id=visit.pk,
        identity_shown=True,
        consent_to_enter=False,
        met="third_party",
        third_party_relation="邻居",
        outcome="not_home",
        notes="邻居说白天通常不在家",
        follow_up_action="改天再电话联系",
    )
    assert report.outcome == "not_home" and not report.about_the_debt
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE


def test_a_report_with_the_customer_records_a_promise_and_only_officers_file_it():
    visit, officers = _visit()
    with pytest.raises(ForbiddenError):
        visit_report_file(
            actor=make_staff(Role.SUPERVISOR),
            visit_id=visit.pk,
            identity_shown=True,
            consent_to_enter=True,
            met="customer",
            outcome="refused",
        )
    with pytest.raises(ApplicationError):  # identity first
        visit_report_file(
            actor=officers[1],
            visit_id=visit.pk,
            identity_shown=False,
            consent_to_enter=True,
            met="customer",
            outcome="refused",
        )
    promised = visit.scheduled_for.date() + dt.timedelta(days=7)
    report = visit_report_file(
        actor=officers[1],
        visit_id=visit.pk,
        identity_shown=True,
        consent_to_enter=True,
        met="customer",
        outcome="promise",
        promise_amount="500.00",
        promise_date=promised,
        notes="客户承诺下周还款",
        follow_up_on=promised,
    )
    assert PromiseToPay.objects.get(pk=report.promise_id).amount == 500
    assert VisitReport.objects.count() == 1
    with pytest.raises(ApplicationError):  # filed once
        visit_report_file(
            actor=officers[0],
            visit_id=visit.pk,
            identity_shown=True,
            consent_to_enter=True,
            met="customer",
            outcome="refused",
        )


@pytest.mark.parametrize(
    ("relation", "notes"),
    [
        ("邻居", "跟邻居说了他的贷款逾期"),
        ("邻居", "Told the neighbour he owes us"),
        ("邻居", "留言：请尽快还款"),
        ("邻居", "欠款¥1200"),
        ("房东", "about the loan"),
        ("催收对象的父亲", ""),
        ("邻居", "call back on 13800138000"),
    ],
)
def test_no_report_of_a_third_party_meeting_holds_a_word_or_figure_about_the_debt(relation, notes):
    visit, officers = _visit()
    with pytest.raises(ApplicationError) as excinfo:
        visit_report_file(
            actor=officers[0],
            visit_id=visit.pk,
            identity_shown=True,
            consent_to_enter=False,
            met="third_party",
            third_party_relation=relation,
            outcome="not_home",
            notes=notes,
        )
    assert excinfo.value.code == "visit_third_party_disclosure"
    assert not VisitReport.objects.exists()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED
