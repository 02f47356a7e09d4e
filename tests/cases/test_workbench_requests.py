"""Requests an agent makes on an account and someone else decides: fee waivers (a supervisor,
never the requester), field visits (judged by the engine first) and legal referral (never on a
time-barred debt or while collection is on hold); holds placed from the workbench."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import LegalReferral, RequestStatus, VisitRequest, WaiverRequest
from cases.services import (
    account_hold_place,
    legal_referral_create,
    visit_request_create,
    waiver_request_approve,
    waiver_request_create,
    waiver_request_reject,
)
from contracts.models import CollectionHold, Installment
from contracts.services import contract_time_barred_flag_set
from core.dates import business_today
from core.errors import ApplicationError
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _charged_installment(contract) -> Installment:
    return Installment.objects.filter(contract=contract, fee_charged__gt=0).order_by("due_date").first()


def test_a_fee_waiver_waits_for_a_supervisor_who_is_not_the_requester():
    contract = overdue_contract(started_days_ago=80)
    inst = _charged_installment(contract)
    assert inst is not None
    agent = make_staff(Role.AGENT)
    supervisor = make_staff(Role.SUPERVISOR)
    request = waiver_request_create(
        actor=agent,
        contract_id=contract.pk,
        installment_id=inst.pk,
        kind="reverse_late_fee",
        amount=None,
        reason="客户因住院逾期，提供了住院证明",
    )
    inst.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED and inst.fee_waived == 0 and request.amount == inst.fee_charged
    with pytest.raises(ApplicationError):
        waiver_request_approve(actor=agent, request_id=request.pk)  # an agent cannot approve
    approved = waiver_request_approve(actor=supervisor, request_id=request.pk, note="同意")
    assert approved.status == RequestStatus.APPROVED and approved.adjustment is not None
    assert approved.adjustment.approved_by == supervisor
    assert AuditEvent.objects.filter(action="waiver_request.approved", object_id=str(request.pk)).exists()
    with pytest.raises(ApplicationError):
        waiver_request_reject(actor=supervisor, request_id=request.pk, note="重复决定")


def test_a_supervisor_cannot_approve_their_own_waiver_and_a_rejection_needs_a_note():
    contract = overdue_contract(started_days_ago=80)
    inst = _charged_installment(contract)
    supervisor, other = make_staff(Role.SUPERVISOR), make_staff(Role.SUPERVISOR)
    request = waiver_request_create(
        actor=supervisor,
        contract_id=contract.pk,
        installment_id=inst.pk,
        kind="waive_fee",
        amount="1.00",
        reason="首次逾期，酌情减免",
    )
    with pytest.raises(ApplicationError) as excinfo:
        waiver_request_approve(actor=supervisor, request_id=request.pk)
    assert excinfo.value.code == "own_request_decision"
    with pytest.raises(ApplicationError):
        waiver_request_reject(actor=other, request_id=request.pk, note="")
    rejected = waiver_request_reject(actor=other, request_id=request.pk, note="不符合减免政策")
    assert rejected.status == RequestStatus.REJECTED and rejected.adjustment is None
    with pytest.raises(ApplicationError) as too_much:
        waiver_request_create(
            actor=supervisor,
            contract_id=contract.pk,
            installment_id=inst.pk,
            kind="waive_fee",
            amount="9999.00",
            reason="金额超出可减免范围",
        )
    assert too_much.value.code == "waiver_amount"
    assert WaiverRequest.objects.count() == 1


def test_a_visit_request_is_judged_by_the_engine_first():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    tomorrow = business_today() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as excinfo:
        visit_request_create(
            actor=agent,
            contract_id=contract.pk,
            proposed_for=dt.datetime.combine(tomorrow, dt.time(23), SHANGHAI),
            reason="多次联系未果，需上门核实",
        )
    assert excinfo.value.code == "contact_blocked" and "TIME_WINDOW" in excinfo.value.extra["reasons"]
    assert not VisitRequest.objects.exists()
    request = visit_request_create(
        actor=agent,
        contract_id=contract.pk,
        proposed_for=dt.datetime.combine(tomorrow, dt.time(10), SHANGHAI),
        reason="多次联系未果，需上门核实",
    )
    assert request.status == RequestStatus.REQUESTED and request.requested_by == agent
    with pytest.raises(ApplicationError):
        visit_request_create(
            actor=agent,
            contract_id=contract.pk,
            proposed_for=dt.datetime.combine(tomorrow, dt.time(11), SHANGHAI),
            reason="重复申请",
        )


def test_legal_referral_is_refused_on_a_time_barred_debt_and_while_on_hold():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    contract_time_barred_flag_set(actor=None, contract_id=contract.pk, flagged=True, reason="原债权人告知违约日期")
    with pytest.raises(ApplicationError) as excinfo:
        legal_referral_create(actor=agent, contract_id=contract.pk, reason="长期失联，拟起诉")
    assert excinfo.value.code == "time_barred_legal_action"
    other = overdue_contract()
    account_hold_place(actor=agent, contract_id=other.pk, reason="bankruptcy", note="法院受理破产")
    with pytest.raises(ApplicationError) as held:
        legal_referral_create(actor=agent, contract_id=other.pk, reason="长期失联，拟起诉")
    assert held.value.code == "legal_referral_blocked" and "COLLECTION_HOLD" in held.value.extra["reasons"]
    third = overdue_contract()
    referral = legal_referral_create(actor=agent, contract_id=third.pk, reason="长期失联，拟起诉")
    assert referral.status == RequestStatus.REQUESTED
    assert LegalReferral.objects.count() == 1


def test_a_hold_from_the_workbench_stops_calls():
    contract = overdue_contract()
    agent = make_staff(Role.AGENT)
    account_hold_place(actor=agent, contract_id=contract.pk, reason="hardship")
    assert CollectionHold.objects.filter(contract=contract, released_on__isnull=True).count() == 1
    with pytest.raises(ApplicationError):
        account_hold_place(actor=agent, contract_id=contract.pk, reason="hardship")
    from cases.services import call_log

    ten = dt.datetime.combine(business_today(), dt.time(10), SHANGHAI)
    with pytest.raises(ApplicationError) as excinfo:
        call_log(actor=agent, contract_id=contract.pk, outcome="no_answer", at=ten)
    assert "COLLECTION_HOLD" in excinfo.value.extra["reasons"]


def test_the_waiver_page_lets_a_supervisor_approve():
    contract = overdue_contract(started_days_ago=80)
    inst = _charged_installment(contract)
    agent = make_staff(Role.AGENT)
    request = waiver_request_create(
        actor=agent,
        contract_id=contract.pk,
        installment_id=inst.pk,
        kind="reverse_late_fee",
        amount=None,
        reason="客户因住院逾期，提供了住院证明",
    )
    client = Client()
    login_verified_staff(client, make_staff(Role.SUPERVISOR))
    assert contract.number in client.get(reverse("staff:waiver_requests")).content.decode()
    response = client.post(reverse("staff:waiver_request_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.decided_by is not None
    assert request.adjustment is not None and request.adjustment.amount > Decimal("0.00")


def test_a_supervisor_authorises_a_requested_visit_with_two_officers():
    from cases.models import FieldVisit
    from cases.services import visit_request_decide
    from tests.cases.visit_helpers import requested, visit_ready

    # The decision page applies the visit's preconditions: an unverified address is refused.
    unverified = requested(visit_ready(), verified="")
    supervisor = make_staff(Role.SUPERVISOR)
    officers = [make_staff(Role.FIELD_OFFICER), make_staff(Role.FIELD_OFFICER)]
    with pytest.raises(ApplicationError) as refused:
        visit_request_decide(
            actor=supervisor, request_id=unverified.pk, approve=True, officer_ids=[o.pk for o in officers]
        )
    assert "address_verified" in refused.value.extra["failed"]

    contract = visit_ready()
    request = requested(contract)
    with pytest.raises(ApplicationError):
        visit_request_decide(actor=supervisor, request_id=request.pk, approve=True, officer_ids=[officers[0].pk])
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED and not FieldVisit.objects.exists()
    client = Client()
    login_verified_staff(client, supervisor)
    assert contract.number in client.get(reverse("staff:visit_requests")).content.decode()
    response = client.post(
        reverse("staff:visit_request_decide", args=[request.pk]),
        {f"v{request.pk}-decision": "approve", f"v{request.pk}-officers": [o.pk for o in officers]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED and request.visit is not None
    assert request.visit.officers.count() == 2 and request.visit.approved_by == supervisor
    assert AuditEvent.objects.filter(action="visit_request.decided", object_id=str(request.pk)).exists()
