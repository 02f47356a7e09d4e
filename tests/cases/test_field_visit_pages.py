"""The field-visit pages: the request page with its precondition verdicts, the supervisor's
review (two officers, a lawful slot, errors shown), the letter, and the officers' phone pages —
only their own visits, the visit's sheet (an audited view of personal data) and the report,
which refuses, visibly, anything about the debt after meeting someone else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import FieldVisit, RequestStatus, VisitReport, VisitRequest, VisitStatus
from cases.services import visit_request_approve
from tests.accounts.factories import make_customer, make_staff
from tests.appeals.test_appeal_views import file_dispute
from tests.cases.factories import agency_user, make_agency, overdue_contract
from tests.cases.visit_helpers import requested, two_officers, visit_ready, visit_slot
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    login_verified_staff(client, user)
    return client


def _visit(contract=None, officers=None):
    officers = officers or two_officers()
    visit = visit_request_approve(
        actor=make_staff(Role.SUPERVISOR),
        request_id=requested(contract or visit_ready()).pk,
        officer_ids=[o.pk for o in officers],
    )
    return visit, officers


def _local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


# --- the request page --------------------------------------------------------------------------
def test_the_request_page_shows_each_precondition_and_files_the_request(settings):
    settings.FIELD_VISIT_MIN_FAILED_CONTACTS = 5
    contract = visit_ready(failed=2)
    agent = make_staff(Role.AGENT)
    client = _client(agent)
    url = reverse("staff:visit_request_new", args=[contract.pk])
    page = client.get(url).content.decode()
    assert 'data-code="days_past_due" data-ok="1"' in page
    assert 'data-code="failed_contacts" data-ok="0"' in page and "（目前2次）" in page
    assert 'data-code="no_open_case" data-ok="1"' in page and 'data-code="address_verified" data-ok="0"' in page
    slot = visit_slot()
    response = client.post(
        url,
        {
            "proposed_for": _local(slot),
            "reason": "多次电话联系未接通，需上门核实情况",
            "address_verification": "id_document",
            "address": "",
        },
    )
    assert response.status_code == 302
    request = VisitRequest.objects.get(contract=contract)
    assert request.proposed_for == slot and request.address_verification == "id_document"
    assert request.address == contract.customer.postal_address and request.requested_by == agent
    assert request.preconditions["failed_contacts"] is False  # kept as they stood


def test_the_request_page_refuses_with_an_open_dispute_and_says_why():
    contract = visit_ready()
    file_dispute(contract)
    client = _client(make_staff(Role.AGENT))
    url = reverse("staff:visit_request_new", args=[contract.pk])
    assert 'data-code="no_open_case" data-ok="0"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"proposed_for": _local(visit_slot()), "reason": "多次联系未果，需上门", "address_verification": "id_document"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    # The engine refuses first: collection pauses while the dispute is looked into.
    assert 'id="form-errors"' in body and "争议处理期间暂停催收" in body
    assert not VisitRequest.objects.exists()


def test_the_request_page_shows_the_engines_refusal_in_english():
    contract = visit_ready()
    client = _client(make_staff(Role.AGENT))
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("staff:visit_request_new", args=[contract.pk]),
        {
            "proposed_for": _local(visit_slot(hour=23)),
            "reason": "Calls unanswered for weeks",
            "address_verification": "id_document",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was saved" in body and 'id="form-errors"' in body
    assert not VisitRequest.objects.exists()


# --- the supervisor's review -------------------------------------------------------------------
def test_the_review_page_shows_errors_and_authorises_two_officers_with_badges():
    contract = visit_ready()
    request = requested(contract)
    supervisor = make_staff(Role.SUPERVISOR)
    officers = two_officers()
    client = _client(supervisor)
    url = reverse("staff:visit_request_decide", args=[request.pk])
    page = client.get(url).content.decode()
    assert 'data-code="failed_contacts" data-ok="1"' in page
    assert officers[0].staff_profile.badge_number in page
    prefix = f"v{request.pk}"

    one = client.post(url, {f"{prefix}-decision": "approve", f"{prefix}-officers": [officers[0].pk]})
    assert one.status_code == 400 and "请指派两名持有工号的工作人员" in one.content.decode()
    evening = client.post(
        url,
        {
            f"{prefix}-decision": "approve",
            f"{prefix}-officers": [o.pk for o in officers],
            f"{prefix}-scheduled_for": _local(visit_slot(hour=20)),
        },
    )
    assert evening.status_code == 400 and "上门走访须在客户当地时间" in evening.content.decode()
    assert not FieldVisit.objects.exists()

    later = visit_slot(days_ahead=4, hour=14)
    done = client.post(
        url,
        {
            f"{prefix}-decision": "approve",
            f"{prefix}-officers": [o.pk for o in officers],
            f"{prefix}-scheduled_for": _local(later),
        },
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.visit.scheduled_for == later
    assert set(request.visit.officers.all()) == set(officers)
    page = client.get(url).content.decode()
    letter_url = reverse("staff:visit_letter", args=[request.visit.pk])
    assert letter_url in page
    letter = client.get(letter_url)
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF") and letter["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(
        action="pii.viewed", actor_id=supervisor.pk, data__purpose="visit_authorisation_letter"
    ).exists()


def test_a_rejection_from_the_review_page_needs_a_note_and_never_by_the_requester():
    contract = visit_ready()
    supervisor = make_staff(Role.SUPERVISOR)
    from cases.services import visit_request_create

    own = visit_request_create(
        actor=supervisor,
        contract_id=contract.pk,
        proposed_for=visit_slot(),
        reason="多次电话联系未接通，需上门核实情况",
        address_verification="customer_confirmed",
    )
    client = _client(supervisor)
    url = reverse("staff:visit_request_decide", args=[own.pk])
    assert client.post(url, {f"v{own.pk}-decision": "reject", f"v{own.pk}-note": "地址存疑先核实"}).status_code == 403
    other = _client(make_staff(Role.SUPERVISOR))
    short = other.post(url, {f"v{own.pk}-decision": "reject", f"v{own.pk}-note": "否"})
    assert short.status_code == 400 and "请填写原因" in short.content.decode()
    assert other.post(url, {f"v{own.pk}-decision": "reject", f"v{own.pk}-note": "地址存疑先核实"}).status_code == 302
    own.refresh_from_db()
    assert own.status == RequestStatus.REJECTED and own.decision_note == "地址存疑先核实"


# --- the officers' pages -----------------------------------------------------------------------
def test_my_visits_lists_only_my_visits_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    mine, officers = _visit()
    theirs, _others = _visit()
    client = _client(officers[0])
    url = reverse("staff:my_visits")
    with django_assert_max_num_queries(9) as one:
        body = client.get(url).content.decode()
    assert f'data-visit="{mine.pk}"' in body and f'data-visit="{theirs.pk}"' not in body
    assert mine.customer.legal_name not in body  # names only on the audited visit page
    for _n in range(3):
        _visit(officers=officers)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count('class="card mb-2 visit-row"') == 4


def test_the_visit_page_shows_name_and_address_audited_and_only_to_its_officers():
    visit, officers = _visit()
    client = _client(officers[1])
    response = client.get(reverse("staff:visit_detail", args=[visit.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert visit.customer.legal_name in body and visit.address in body
    assert officers[0].staff_profile.badge_number in body and 'id="third-party-rule"' in body
    event = AuditEvent.objects.get(action="pii.viewed", data__purpose="field_visit_page")
    assert event.actor_id == officers[1].pk and event.subject_user_id == visit.customer.user_id
    assert event.object_id == str(visit.pk)

    stranger = _client(make_staff(Role.FIELD_OFFICER))
    assert stranger.get(reverse("staff:visit_detail", args=[visit.pk])).status_code == 404
    assert stranger.get(reverse("staff:visit_letter", args=[visit.pk])).status_code == 404
    report = {"identity_shown": "on", "met": "customer", "outcome": "refused"}
    assert stranger.post(reverse("staff:visit_report", args=[visit.pk]), report).status_code == 404
    assert AuditEvent.objects.filter(action="pii.viewed").count() == 1


@pytest.mark.parametrize("role", [Role.COMPLIANCE_OFFICER, "agency", "customer"])
def test_other_roles_cannot_reach_the_visit_pages(role):
    visit, _officers = _visit()
    if role == "customer":
        client = Client()
        login(client, visit.customer.user)
    elif role == "agency":
        client = _client(agency_user(make_agency()))
    else:
        client = _client(make_staff(role))
    for url in (
        reverse("staff:my_visits"),
        reverse("staff:visit_detail", args=[visit.pk]),
        reverse("staff:visit_letter", args=[visit.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(reverse("staff:visit_report", args=[visit.pk]), {}).status_code in (403, 404)
    assert client.get(reverse("staff:visit_requests")).status_code == 403
    assert not AuditEvent.objects.filter(action="pii.viewed").exists()
    assert not VisitReport.objects.exists()


def test_a_customer_never_reaches_the_request_page():
    contract = overdue_contract()
    client = Client()
    login(client, make_customer().user)
    assert client.get(reverse("staff:visit_request_new", args=[contract.pk])).status_code in (302, 403)


def test_the_report_form_refuses_debt_words_after_meeting_a_third_party_and_says_so():
    visit, officers = _visit()
    client = _client(officers[0])
    url = reverse("staff:visit_report", args=[visit.pk])
    refused = client.post(
        url,
        {
            "identity_shown": "on",
            "met": "third_party",
            "third_party_relation": "邻居",
            "outcome": "not_home",
            "notes": "告诉邻居他还欠3000元",
        },
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="disclosure-refused"' in body and "不得写入任何欠款信息" in body
    assert not VisitReport.objects.exists()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SCHEDULED

    filed = client.post(
        url,
        {
            "identity_shown": "on",
            "met": "third_party",
            "third_party_relation": "邻居",
            "outcome": "not_home",
            "notes": "邻居说白天通常不在家",
            "follow_up_action": "改天再电话联系",
        },
    )
    assert filed.status_code == 302 and filed["Location"] == reverse("staff:my_visits")
    report = VisitReport.objects.get(visit=visit)
    assert report.met == "third_party" and report.outcome == "not_home" and report.filed_by == officers[0]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    page = client.get(reverse("staff:visit_detail", args=[visit.pk])).content.decode()
    assert 'id="visit-report"' in page and 'id="visit-report-form"' not in page


def test_the_report_form_records_a_promise_with_the_customer():
    visit, officers = _visit()
    client = _client(officers[1])
    promised = visit.scheduled_for.date().isoformat()
    missing = client.post(
        reverse("staff:visit_report", args=[visit.pk]),
        {"identity_shown": "on", "consent_to_enter": "on", "met": "customer", "outcome": "promise"},
    )
    assert missing.status_code == 400 and "请填写承诺还款的金额和日期" in missing.content.decode()
    response = client.post(
        reverse("staff:visit_report", args=[visit.pk]),
        {
            "identity_shown": "on",
            "consent_to_enter": "on",
            "met": "customer",
            "outcome": "promise",
            "promise_amount": "450.00",
            "promise_date": promised,
            "notes": "客户同意月底前还款",
        },
    )
    assert response.status_code == 302
    report = VisitReport.objects.get(visit=visit)
    assert report.promise is not None and str(report.promise.amount) == "450.00"
    assert report.consent_to_enter and report.identity_shown


def test_an_agency_user_requests_only_on_accounts_placed_with_it():
    contract = visit_ready()
    client = _client(agency_user(make_agency()))
    assert client.get(reverse("staff:visit_request_new", args=[contract.pk])).status_code == 404
