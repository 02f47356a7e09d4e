"""Guarantee claims (第三方保障): only for a charged-off contract, at most what is owed and what
the guarantee covers; the payout is a third-party payment that reduces the balance exactly."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from cases.models import ClaimStatus, GuaranteeKind
from cases.services import (
    GUARANTEE_CHANNEL,
    guarantee_add,
    guarantee_claim_decide,
    guarantee_claim_package,
    guarantee_claim_payout,
    guarantee_claim_prepare,
    guarantee_claim_submit,
)
from contracts.models import ContractStatus, Payment
from contracts.selectors import contract_balance
from core.errors import ApplicationError, ForbiddenError
from tests.accounts.factories import make_staff
from tests.cases.factories import overdue_contract

pytestmark = pytest.mark.django_db


def _charged_off():
    contract = overdue_contract(started_days_ago=150, charge_off_dpd=60)
    assert contract.status == ContractStatus.CHARGED_OFF
    return contract


def test_a_guarantee_payout_reduces_the_balance_exactly():
    contract = _charged_off()
    supervisor = make_staff(Role.SUPERVISOR)
    guarantee = guarantee_add(
        actor=supervisor,
        contract_id=contract.pk,
        kind=GuaranteeKind.INSURER,
        provider="某某财产保险股份有限公司",
        reference="POL-2026-0001",
        covered_amount="3000.00",
    )
    claim = guarantee_claim_prepare(actor=supervisor, guarantee_id=guarantee.pk)
    assert claim.amount_claimed == Decimal("3000.00")  # the cover, below what is owed
    with pytest.raises(ApplicationError):
        guarantee_claim_prepare(actor=supervisor, guarantee_id=guarantee.pk)  # one open claim
    with pytest.raises(ApplicationError):  # not accepted yet
        guarantee_claim_payout(
            actor=supervisor, claim_id=claim.pk, amount="100.00", reference="P1", received_at=timezone.now()
        )
    guarantee_claim_submit(actor=supervisor, claim_id=claim.pk, provider_reference="CLM-77")
    guarantee_claim_decide(actor=supervisor, claim_id=claim.pk, accepted=True)
    with pytest.raises(ApplicationError):
        guarantee_claim_payout(
            actor=supervisor, claim_id=claim.pk, amount="3000.01", reference="P1", received_at=timezone.now()
        )
    before = contract_balance(contract=contract).total
    paid = guarantee_claim_payout(
        actor=supervisor, claim_id=claim.pk, amount="2876.43", reference="P1", received_at=timezone.now()
    )
    after = contract_balance(contract=contract).total
    assert before - after == Decimal("2876.43")
    assert paid.status == ClaimStatus.PAID and paid.amount_paid == Decimal("2876.43")
    payment = Payment.objects.get(pk=paid.payment_id)
    assert payment.channel == GUARANTEE_CHANNEL and payment.amount == Decimal("2876.43")
    assert sum(line.amount for line in payment.allocations.all()) == Decimal("2876.43")
    actions = list(AuditEvent.objects.filter(object_id=str(claim.pk), action__startswith="guarantee_claim"))
    assert [e.data["to"] for e in actions if e.action == "guarantee_claim.status"] == ["submitted", "accepted", "paid"]


def test_a_claim_needs_a_charged_off_contract_and_the_role():
    contract = overdue_contract(started_days_ago=70)
    supervisor = make_staff(Role.SUPERVISOR)
    guarantee = guarantee_add(
        actor=supervisor, contract_id=contract.pk, kind=GuaranteeKind.GUARANTOR, provider="某担保公司", reference="G-1"
    )
    with pytest.raises(ApplicationError) as excinfo:
        guarantee_claim_prepare(actor=supervisor, guarantee_id=guarantee.pk)
    assert excinfo.value.code == "claim_not_charged_off"
    with pytest.raises(ForbiddenError):
        guarantee_claim_prepare(actor=make_staff(Role.AGENT), guarantee_id=guarantee.pk)


def test_the_claim_package_holds_the_letter_and_the_records():
    contract = _charged_off()
    supervisor = make_staff(Role.SUPERVISOR)
    guarantee = guarantee_add(
        actor=supervisor, contract_id=contract.pk, kind=GuaranteeKind.GUARANTOR, provider="某担保公司", reference="G-2"
    )
    claim = guarantee_claim_prepare(actor=supervisor, guarantee_id=guarantee.pk, amount="500.00")
    archive = zipfile.ZipFile(io.BytesIO(guarantee_claim_package(actor=supervisor, claim_id=claim.pk)))
    assert set(archive.namelist()) == {
        "claim_letter.pdf",
        "schedule.csv",
        "ledger.csv",
        "payments.csv",
        "communications.csv",
    }
    assert archive.read("claim_letter.pdf").startswith(b"%PDF")
    assert archive.read("schedule.csv").decode().startswith("seq,due_date")
