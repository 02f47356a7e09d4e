"""Staff calls, visits and agency actions are judged by the same engine and recorded."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from accounts.roles import Role
from contracts.services import hold_place
from core.errors import ApplicationError
from notices.models import ContactAttempt
from notices.services import contact_attempt_outcome, contact_attempt_start
from tests.accounts.factories import make_staff
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def call(contract, agent, at, **kwargs):
    return contact_attempt_start(
        actor=agent, profile=contract.customer, contract=contract, channel="call", endpoint="mobile", at=at, **kwargs
    )


def test_connected_calls_by_lender_and_agency_together_hit_the_daily_cap():
    contract = make_contract()
    agent = make_staff(Role.AGENT)
    for hour, by in ((9, "lender"), (11, "lender"), (14, "agency")):
        attempt = call(contract, agent, dt.datetime(2026, 4, 7, hour, tzinfo=SHANGHAI), by=by)
        assert attempt.verdict == "allowed"
        contact_attempt_outcome(actor=agent, attempt_id=attempt.pk, outcome="conversation")
    fourth = call(contract, agent, dt.datetime(2026, 4, 7, 16, tzinfo=SHANGHAI), by="agency")
    assert fourth.verdict == "blocked" and "DAILY_CONNECTED_CAP" in fourth.reason_codes
    assert fourth.next_allowed_at == dt.datetime(2026, 4, 8, 8, 0, tzinfo=SHANGHAI)
    with pytest.raises(ApplicationError):
        contact_attempt_outcome(actor=agent, attempt_id=fourth.pk, outcome="conversation")


def test_disputed_contract_blocks_calls_and_a_one_person_visit_is_refused():
    contract = make_contract()
    agent = make_staff(Role.FIELD_OFFICER)
    ten = dt.datetime(2026, 4, 7, 10, tzinfo=SHANGHAI)
    visit = contact_attempt_start(
        actor=agent,
        profile=contract.customer,
        contract=contract,
        channel="visit",
        endpoint="home_address",
        staff_count=1,
        at=ten,
    )
    assert visit.verdict == "blocked" and visit.reason_codes == ["VISIT_STAFF_MINIMUM"]
    hold_place(actor=None, contract_id=contract.pk, reason="dispute")
    blocked = call(contract, agent, ten)
    assert blocked.verdict == "blocked" and "DISPUTE_HOLD" in blocked.reason_codes
    assert ContactAttempt.objects.filter(contract=contract, verdict="blocked").count() == 2


CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _us_contract():
    from tests.accounts.factories import make_customer

    customer = make_customer(jurisdiction="US-REGF", timezone="America/Chicago", phone="+1 312 555 0188")
    return make_contract(customer=customer)


def test_a_second_location_call_to_the_same_person_needs_a_reason_and_is_recorded_as_location():
    contract = _us_contract()
    agent = make_staff(Role.AGENT)
    first = call(
        contract,
        agent,
        dt.datetime(2026, 4, 7, 10, tzinfo=CHICAGO),
        to="third_party",
        third_party_id="C1",
        discloses_debt=False,
    )
    assert first.verdict == "allowed" and first.purpose == "location_info"
    contact_attempt_outcome(actor=agent, attempt_id=first.pk, outcome="conversation")
    later = dt.datetime(2026, 6, 20, 10, tzinfo=CHICAGO)  # once per person, however long ago
    again = call(contract, agent, later, to="third_party", third_party_id="C1", discloses_debt=False)
    assert again.verdict == "blocked" and again.reason_codes == ["LOCATION_REPEATED"]
    follow_up = call(
        contract, agent, later, to="third_party", third_party_id="C1", discloses_debt=False, location_follow_up=True
    )
    assert follow_up.verdict == "allowed"
    collect = call(
        contract,
        agent,
        later,
        to="third_party",
        third_party_id="C2",
        third_party_purpose="collection",
        discloses_debt=False,
    )
    assert collect.verdict == "blocked" and collect.reason_codes == ["THIRD_PARTY_PURPOSE"]
    creditor = call(
        contract,
        agent,
        later,
        to="third_party",
        third_party_id="C3",
        third_party_purpose="collection",
        third_party_exception="creditor",
    )
    assert creditor.verdict == "allowed"


def test_a_number_not_in_service_means_lost_contact_and_contacts_may_only_pass_on_a_message():
    contract = make_contract()
    agent = make_staff(Role.AGENT)
    dead = call(contract, agent, dt.datetime(2026, 4, 7, 9, tzinfo=SHANGHAI))
    contact_attempt_outcome(actor=agent, attempt_id=dead.pk, outcome="not_in_service")
    ten = dt.datetime(2026, 4, 7, 10, tzinfo=SHANGHAI)
    collect = call(contract, agent, ten, to="third_party", third_party_id="E1", third_party_purpose="collection")
    assert collect.verdict == "blocked"
    assert collect.reason_codes == ["THIRD_PARTY_DISCLOSURE", "THIRD_PARTY_PURPOSE"]
    relay = call(
        contract,
        agent,
        ten,
        to="third_party",
        third_party_id="E1",
        third_party_purpose="relay_message",
        discloses_debt=False,
    )
    assert relay.verdict == "allowed" and relay.purpose == "relay_message"


def test_the_employer_prohibition_in_the_preferences_blocks_calls_at_work():
    from accounts.models import ContactPreference

    contract = _us_contract()
    ContactPreference.objects.create(profile=contract.customer, employer_prohibits_work_contact=True)
    agent = make_staff(Role.AGENT)
    ten = dt.datetime(2026, 4, 7, 10, tzinfo=CHICAGO)
    at_work = call(contract, agent, ten, at_workplace=True)
    assert at_work.verdict == "blocked" and at_work.reason_codes == ["EMPLOYER_PROHIBITS"]
    assert call(contract, agent, ten).verdict == "allowed"
