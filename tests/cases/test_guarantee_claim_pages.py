"""The guarantee-claim pages (第三方保障), for staff with the legal route: record a guarantee on
a charged-off contract, prepare the claim, walk it through submit, decision and payout (the
balance falls by exactly the payout), download the package (audited); claims listed by status
in a fixed number of queries; nobody else reaches them."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import ClaimStatus, Guarantee, GuaranteeClaim, GuaranteeKind
from cases.services import guarantee_add, guarantee_claim_prepare
from contracts.models import ContractStatus, Payment
from contracts.selectors import contract_balance
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    login_verified_staff(client, user)
    return client


def _charged_off():
    contract = overdue_contract(started_days_ago=150, charge_off_dpd=60)
    assert contract.status == ContractStatus.CHARGED_OFF
    return contract


def _claim(contract=None, *, by=None, reference=None, amount="800.00"):
    contract = contract or _charged_off()
    by = by or make_staff(Role.SUPERVISOR)
    guarantee = guarantee_add(
        actor=by,
        contract_id=contract.pk,
        kind=GuaranteeKind.GUARANTOR,
        provider="某融资担保有限公司",
        reference=reference or f"G-{contract.pk}",
    )
    return guarantee_claim_prepare(actor=by, guarantee_id=guarantee.pk, amount=amount)


def test_a_claim_from_the_guarantee_form_to_the_payout_through_the_pages():
    contract = _charged_off()
    supervisor = make_staff(Role.SUPERVISOR)
    client = _client(supervisor)
    assert (
        reverse("staff:contract_guarantees", args=[contract.pk])
        in client.get(reverse("staff:contract_detail", args=[contract.pk])).content.decode()
    )
    url = reverse("staff:contract_guarantees", args=[contract.pk])
    empty = client.post(url, {"kind": "insurer", "provider": " ", "reference": "POL-1"})
    assert empty.status_code == 400 and not Guarantee.objects.exists()
    added = client.post(
        url,
        {"kind": "insurer", "provider": "某某财产保险股份有限公司", "reference": "POL-1", "covered_amount": "5000.00"},
    )
    assert added.status_code == 302
    guarantee = Guarantee.objects.get(contract=contract)
    assert guarantee.covered_amount == Decimal("5000.00") and guarantee.kind == "insurer"

    too_much = client.post(
        reverse("staff:guarantee_claim_new", args=[guarantee.pk]), {f"g{guarantee.pk}-amount": "5000.01"}
    )
    assert too_much.status_code == 400 and "索赔金额必须大于零" in too_much.content.decode()
    prepared = client.post(
        reverse("staff:guarantee_claim_new", args=[guarantee.pk]), {f"g{guarantee.pk}-amount": "1500.00"}
    )
    claim = GuaranteeClaim.objects.get(guarantee=guarantee)
    assert prepared.status_code == 302 and prepared["Location"] == reverse("staff:claim_detail", args=[claim.pk])
    assert claim.amount_claimed == Decimal("1500.00") and claim.status == ClaimStatus.PREPARED

    page = client.get(reverse("staff:claim_detail", args=[claim.pk])).content.decode()
    assert 'id="claim-action-submit"' in page and 'id="claim-action-withdraw"' in page
    assert 'id="claim-action-payout"' not in page
    action = lambda name: reverse("staff:claim_action", args=[claim.pk, name])  # noqa: E731
    assert client.post(action("submit"), {"submit-provider_reference": "CLM-9"}).status_code == 302
    refused = client.post(action("decide"), {"decide-decision": "reject", "decide-note": ""})
    assert refused.status_code == 400
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert client.post(action("decide"), {"decide-decision": "accept"}).status_code == 302

    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    over = client.post(
        action("payout"), {"payout-amount": "1500.01", "payout-reference": "PAY-1", "payout-received_at": now}
    )
    assert over.status_code == 400 and not Payment.objects.filter(channel="guarantee").exists()
    before = contract_balance(contract=contract).total
    paid = client.post(
        action("payout"), {"payout-amount": "1234.56", "payout-reference": "PAY-1", "payout-received_at": now}
    )
    assert paid.status_code == 302
    after = contract_balance(contract=contract).total
    assert before - after == Decimal("1234.56")  # exactly, to the cent
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claim.amount_paid == Decimal("1234.56")
    assert Payment.objects.get(pk=claim.payment_id).channel == "guarantee"
    page = client.get(reverse("staff:claim_detail", args=[claim.pk])).content.decode()
    assert 'id="claim-action-' not in page and "submitted → accepted" in page


def test_the_package_download_is_a_zip_and_audited():
    claim = _claim()
    supervisor = make_staff(Role.SUPERVISOR)
    client = _client(supervisor)
    response = client.get(reverse("staff:claim_package", args=[claim.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    names = set(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert {"claim_letter.pdf", "schedule.csv", "ledger.csv", "payments.csv", "communications.csv"} <= names
    event = AuditEvent.objects.get(action="pii.viewed", data__purpose="guarantee_claim_package")
    assert event.actor_id == supervisor.pk and event.object_id == str(claim.pk)


def test_withdrawing_needs_a_reason():
    claim = _claim()
    client = _client(make_staff(Role.SUPERVISOR))
    url = reverse("staff:claim_action", args=[claim.pk, "withdraw"])
    assert client.post(url, {"withdraw-note": "否"}).status_code == 400
    assert client.post(url, {"withdraw-note": "客户已全额结清，撤回索赔"}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert client.post(reverse("staff:claim_action", args=[claim.pk, "launch"]), {}).status_code == 404
    assert client.get(reverse("staff:claim_detail", args=[claim.pk + 999])).status_code == 404


def test_claims_are_listed_by_status_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    supervisor = make_staff(Role.SUPERVISOR)
    first = _claim(by=supervisor)
    client = _client(supervisor)
    with django_assert_max_num_queries(9) as one:
        body = client.get(reverse("staff:claims")).content.decode()
    assert f'data-claim="{first.pk}"' in body
    more = [_claim(by=supervisor) for _n in range(3)]
    from cases.services import guarantee_claim_submit

    guarantee_claim_submit(actor=supervisor, claim_id=more[0].pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(reverse("staff:claims")).content.decode()
    assert body.count('class="claim-row"') == 4
    submitted = client.get(reverse("staff:claims") + "?status=submitted").content.decode()
    assert submitted.count('class="claim-row"') == 1 and f'data-claim="{more[0].pk}"' in submitted


@pytest.mark.parametrize("role", [Role.AGENT, Role.FIELD_OFFICER, Role.COMPLIANCE_OFFICER, "customer"])
def test_only_the_legal_route_reaches_the_claim_pages(role):
    claim = _claim()
    if role == "customer":
        client = Client()
        login(client, claim.contract.customer.user)
    else:
        client = _client(make_staff(role))
    for url in (
        reverse("staff:claims"),
        reverse("staff:claim_detail", args=[claim.pk]),
        reverse("staff:claim_package", args=[claim.pk]),
        reverse("staff:contract_guarantees", args=[claim.contract_id]),
    ):
        assert client.get(url).status_code == 403, url
    post = client.post(reverse("staff:claim_action", args=[claim.pk, "withdraw"]), {"withdraw-note": "想撤回这个索赔"})
    assert post.status_code == 403
    assert client.post(reverse("staff:guarantee_claim_new", args=[claim.guarantee_id]), {}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PREPARED
    assert not AuditEvent.objects.filter(action="pii.viewed").exists()
