"""appeals.rules: what the staff page offers is exactly what the services accept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.roles import Role
from appeals.models import Case, CaseStatus
from appeals.rules import CaseAction, case_action_refusal, case_actions_for
from appeals.services import case_acknowledge, case_file, case_investigate, case_resolve
from contracts.evidence import MAX_EVIDENCE_FILES, evidence_help_text
from contracts.services import delinquency_sweep_range
from core.errors import ApplicationError
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login, login_verified_staff
from tests.contracts.evidence_files import minimal_pdf
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

PDF = minimal_pdf()


def pdf(n: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"receipt-{n}.pdf", PDF, content_type="application/pdf")


def disputed_contract_case() -> Case:
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    delinquency_sweep_range(business_date=dt.date(2026, 4, 1), first_id=contract.pk, last_id=contract.pk)
    return case_file(
        actor=contract.customer.user,
        customer=contract.customer,
        kind="dispute",
        category="charge_challenged",
        description="The late fee should not apply.",
        filed_via="portal",
        contract_id=contract.pk,
    )


def pending_remedy_case(settings, reviewer) -> Case:
    settings.APPEALS_SECOND_APPROVAL_ABOVE = "1.00"
    case = disputed_contract_case()
    first = case.contract.installments.get(seq=1)
    case_acknowledge(actor=reviewer, case_id=case.pk)
    case_investigate(actor=reviewer, case_id=case.pk)
    case_resolve(
        actor=reviewer,
        case_id=case.pk,
        outcome="partially_upheld",
        reasons="Part written down.",
        remedy={"write_down_principal": {str(first.pk): "50.00"}},
    )
    case.refresh_from_db()
    assert case.remedy["pending"]
    return case


def test_actions_follow_the_state():
    agent = make_staff(Role.AGENT)
    case = disputed_contract_case()
    assert case_actions_for(user=agent, case=case) == [CaseAction.ACKNOWLEDGE]
    case_acknowledge(actor=agent, case_id=case.pk)
    case.refresh_from_db()
    assert case_actions_for(user=agent, case=case) == [CaseAction.INVESTIGATE, CaseAction.RESOLVE]


def test_a_pending_remedy_freezes_the_decision_for_everyone_but_a_second_approver(settings):
    reviewer, supervisor, agent = make_staff(Role.SUPERVISOR), make_staff(Role.SUPERVISOR), make_staff(Role.AGENT)
    case = pending_remedy_case(settings, reviewer)
    assert case_actions_for(user=reviewer, case=case) == []
    assert case_actions_for(user=agent, case=case) == []  # no approval permission
    assert case_actions_for(user=supervisor, case=case) == [CaseAction.APPROVE]
    # The services apply the same rule: resolving again over a pending remedy is refused.
    with pytest.raises(ApplicationError) as excinfo:
        case_resolve(actor=reviewer, case_id=case.pk, outcome="rejected", reasons="Changed my mind.")
    assert excinfo.value.code == "remedy_pending"
    assert case_action_refusal(user=reviewer, case=case, action=CaseAction.APPROVE).code == "approver_is_reviewer"
    assert case_action_refusal(user=agent, case=case, action=CaseAction.APPROVE).code == "approval_not_allowed"


def test_a_crafted_post_meets_the_same_rule_as_the_page(settings):
    reviewer = make_staff(Role.SUPERVISOR)
    case = pending_remedy_case(settings, reviewer)
    client = Client()
    login_verified_staff(client, reviewer)
    page = client.get(f"/staff/appeals/{case.pk}/")
    assert page.status_code == 200 and b'value="approve"' not in page.content
    response = client.post(f"/staff/appeals/{case.pk}/", {"action": "approve"}, follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING and case.remedy["pending"]


def test_one_evidence_limit_for_form_service_api_and_help_text():
    assert MAX_EVIDENCE_FILES == 5
    assert "5" in evidence_help_text()
    profile = make_customer()
    with pytest.raises(ApplicationError) as excinfo:
        case_file(
            actor=profile.user,
            customer=profile,
            kind="complaint",
            category="staff_conduct",
            description="Rude call.",
            filed_via="portal",
            evidence=[pdf(n) for n in range(MAX_EVIDENCE_FILES + 1)],
        )
    assert excinfo.value.code == "too_many_files" and excinfo.value.field == "evidence"
    assert not Case.objects.exists()
    client = Client()
    login(client, profile.user)
    api = client.post(
        "/api/v1/cases/",
        {
            "kind": "complaint",
            "category": "staff_conduct",
            "description": "Rude call.",
            "evidence": [pdf(n) for n in range(MAX_EVIDENCE_FILES + 1)],
        },
    )
    assert api.status_code == 400 and not Case.objects.exists()
    page = client.post(
        "/me/appeals/new/",
        {
            "kind": "complaint",
            "category": "staff_conduct",
            "description": "Rude call.",
            "evidence": [pdf(n) for n in range(MAX_EVIDENCE_FILES + 1)],
        },
    )
    assert page.status_code == 200 and not Case.objects.exists()
    assert "evidence" in page.context["form"].errors
