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
