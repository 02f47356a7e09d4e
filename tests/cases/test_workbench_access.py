"""Who sees what on the workbench: personal data masked until unmasked with a reason (audited);
agencies see only the accounts placed with them, masked, until the recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import PlacementStatus
from cases.selectors_agencies import agencies_overview
from cases.services import call_log, customer_unmask, placement_create, placement_recall
from contracts.services import hold_place, payment_post
from core.dates import business_today
from core.errors import ApplicationError
from tests.accounts.factories import make_staff
from tests.cases.factories import agency_user, make_agency, overdue_contract, place
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    login_verified_staff(client, user)
    return client


def test_the_case_page_masks_personal_data_and_unmasking_records_pii_viewed_with_the_reason():
    contract = overdue_contract()
    profile = contract.customer
    agent = make_staff(Role.AGENT)
    client = _client(agent)
    page = client.get(reverse("staff:customer_detail", args=[profile.pk])).content.decode()
    assert profile.national_id_plain() not in page and profile.national_id_masked in page
    assert profile.legal_name not in page and profile.phone not in page
    assert not AuditEvent.objects.filter(action="pii.viewed").exists()

    refused = client.post(reverse("staff:customer_unmask", args=[profile.pk]), {"reason": ""})
    assert refused.status_code == 400 and profile.national_id_plain() not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="pii.viewed").exists()

    shown = client.post(reverse("staff:customer_unmask", args=[profile.pk]), {"reason": "客户来电核实身份"})
    assert shown.status_code == 200
    body = shown.content.decode()
    assert profile.national_id_plain() in body and profile.legal_name in body
    event = AuditEvent.objects.get(action="pii.viewed", subject_user_id=profile.user_id)
    assert event.actor_id == agent.pk and event.data["reason"] == "客户来电核实身份"
    assert event.data["purpose"] == "staff_case_page" and "national_id" in event.data["fields"]


def test_unmasking_needs_the_permission_and_a_reason():
    contract = overdue_contract()
    agency = make_agency()
    place(contract, agency)
    with pytest.raises(ApplicationError):
        customer_unmask(actor=agency_user(agency), profile=contract.customer, reason="想看一下")
    with pytest.raises(ApplicationError) as excinfo:
        customer_unmask(actor=make_staff(Role.AGENT), profile=contract.customer, reason=" ")
    assert excinfo.value.code == "reason_missing"
    assert not AuditEvent.objects.filter(action="pii.viewed").exists()


def test_an_agency_user_sees_only_accounts_placed_with_it_masked_and_nothing_after_the_recall():
    placed = overdue_contract()
    other = overdue_contract()
    agency = make_agency()
    supervisor = make_staff(Role.SUPERVISOR)
    placement = place(placed, agency, by=supervisor)
    collector = agency_user(agency)
    client = _client(collector)

    page = client.get(reverse("staff:customer_detail", args=[placed.customer_id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert placed.customer.national_id_plain() not in body and placed.customer.legal_name not in body
    assert 'id="unmask-form"' not in body
    assert client.get(reverse("staff:customer_detail", args=[other.customer_id])).status_code == 404
    assert client.get(reverse("staff:contract_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("staff:customer_unmask", args=[placed.customer_id]), {"reason": "核实"}).status_code in (
        403,
        404,
    )
    refused = client.post(
        reverse("staff:account_action", args=[other.pk, "call"]), {f"call{other.pk}-outcome": "no_answer"}
    )
    assert refused.status_code == 404
    queue = client.get(reverse("staff:queue") + "?scope=all").content.decode()
    assert placed.number in queue and other.number not in queue
    with pytest.raises(ApplicationError) as excinfo:
        call_log(actor=collector, contract_id=other.pk, outcome="no_answer")
    assert excinfo.value.http_status == 404

    placement_recall(actor=supervisor, placement_id=placement.pk, reason="合同到期收回")
    assert client.get(reverse("staff:customer_detail", args=[placed.customer_id])).status_code == 404
    assert client.get(reverse("staff:contract_detail", args=[placed.pk])).status_code == 404
    assert placed.number not in client.get(reverse("staff:queue") + "?scope=all").content.decode()


def test_an_agency_sees_only_its_own_placements_not_another_agencys():
    contract = overdue_contract()
    mine, theirs = make_agency(), make_agency()
    place(contract, theirs)
    client = _client(agency_user(mine))
    assert client.get(reverse("staff:customer_detail", args=[contract.customer_id])).status_code == 404


def test_a_placement_needs_a_licensed_agency_and_an_account_not_on_hold():
    contract = overdue_contract()
    supervisor = make_staff(Role.SUPERVISOR)
    short = make_agency(licence_days=10)
    with pytest.raises(ApplicationError) as excinfo:
        placement_create(
            actor=supervisor,
            contract_id=contract.pk,
            agency_id=short.pk,
            ends_on=business_today() + dt.timedelta(days=30),
        )
    assert excinfo.value.code == "agency_unlicensed"
    with pytest.raises(ApplicationError):
        placement_create(
            actor=make_staff(Role.AGENT),
            contract_id=contract.pk,
            agency_id=make_agency().pk,
            ends_on=business_today() + dt.timedelta(days=30),
        )
    hold_place(actor=None, contract_id=contract.pk, reason="hardship")
    with pytest.raises(ApplicationError):
        placement_create(
            actor=supervisor,
            contract_id=contract.pk,
            agency_id=make_agency().pk,
            ends_on=business_today() + dt.timedelta(days=30),
        )


def test_commission_is_earned_on_what_is_recovered_during_the_placement():
    contract = overdue_contract()
    agency = make_agency(rate="0.1500")
    supervisor = make_staff(Role.SUPERVISOR)
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank_transfer",
        external_reference=f"before-{contract.pk}",
        amount="100.00",
        received_at=dt.datetime.combine(business_today() - dt.timedelta(days=1), dt.time(4), tzinfo=dt.UTC),
    )
    placement = place(contract, agency, by=supervisor)
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank_transfer",
        external_reference=f"during-{contract.pk}",
        amount="333.33",
        received_at=dt.datetime.now(dt.UTC),
    )
    [rows] = [r for a, r in agencies_overview() if a.pk == agency.pk]
    assert rows[0].recovered == Decimal("333.33") and rows[0].commission == Decimal("50.00")
    recalled = placement_recall(actor=supervisor, placement_id=placement.pk, reason="业绩考核收回")
    assert recalled.status == PlacementStatus.RECALLED
    assert recalled.recovered == Decimal("333.33") and recalled.commission == Decimal("50.00")
    event = AuditEvent.objects.get(action="placement.recalled")
    assert event.data["commission"] == "50.00"
    with pytest.raises(ApplicationError):
        placement_recall(actor=supervisor, placement_id=placement.pk, reason="再次收回")


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_case_page_costs_the_same_queries_whatever_the_length_of_the_timeline(django_assert_max_num_queries):
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    client = _client(agent)
    url = reverse("staff:customer_detail", args=[contract.customer_id])
    few = _count_queries(client, url)
    ten = dt.datetime.combine(business_today(), dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for minutes in range(5):
        call_log(actor=agent, contract_id=contract.pk, outcome="no_answer", at=ten + dt.timedelta(minutes=minutes))
    for n in range(3):
        payment_post(
            actor=None,
            contract_id=contract.pk,
            channel="bank_transfer",
            external_reference=f"t-{contract.pk}-{n}",
            amount="10.00",
            received_at=dt.datetime.now(dt.UTC),
        )
    assert _count_queries(client, url) == few
    with django_assert_max_num_queries(45):
        client.get(url)


def test_the_agencies_and_waiver_lists_have_a_fixed_query_count(django_assert_max_num_queries):
    supervisor = make_staff(Role.SUPERVISOR)
    client = _client(supervisor)
    agency = make_agency()
    for _n in range(2):
        place(overdue_contract(), agency, by=supervisor)
    few = _count_queries(client, reverse("staff:agencies"))
    for _n in range(3):
        place(overdue_contract(), make_agency(), by=supervisor)
    assert _count_queries(client, reverse("staff:agencies")) == few
    with django_assert_max_num_queries(12):
        client.get(reverse("staff:agencies"))
    with django_assert_max_num_queries(12):
        client.get(reverse("staff:waiver_requests"))


def test_a_supervisor_places_from_the_case_page_and_recalls_from_the_agencies_page():
    contract = overdue_contract()
    agency = make_agency()
    supervisor = make_staff(Role.SUPERVISOR)
    client = _client(supervisor)
    ends = (business_today() + dt.timedelta(days=60)).isoformat()
    response = client.post(
        reverse("staff:account_action", args=[contract.pk, "place"]),
        {f"place{contract.pk}-agency": agency.pk, f"place{contract.pk}-ends_on": ends},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    placement = contract.agency_placements.get()
    page = client.get(reverse("staff:agencies")).content.decode()
    assert f'id="placement-row-{placement.pk}"' in page
    refused = client.post(reverse("staff:placement_recall", args=[placement.pk]), {"reason": "x"})
    assert refused.status_code == 302
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    client.post(reverse("staff:placement_recall", args=[placement.pk]), {"reason": "客户要求由贷款方直接沟通"})
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.RECALLED and placement.recalled_by == supervisor


def test_an_agency_user_cannot_search_customers_by_name():
    contract = overdue_contract()
    agency = make_agency()
    place(contract, agency)
    client = _client(agency_user(agency))
    listing = client.get(reverse("staff:customers") + f"?q={contract.customer.legal_name}").content.decode()
    assert contract.customer.customer_number not in listing
    listing = client.get(reverse("staff:customers") + f"?q={contract.customer.customer_number}").content.decode()
    assert contract.customer.customer_number in listing
