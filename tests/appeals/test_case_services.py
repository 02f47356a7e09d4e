"""Appeals services: holds, SLA clocks, remedies through the ledger, approvals, evidence checks."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import ContactPreference
from accounts.roles import Role
from appeals import sla
from appeals.models import Case, CaseStatus
from appeals.services import (
    case_acknowledge,
    case_appeal,
    case_appeal_decide,
    case_close,
    case_file,
    case_investigate,
    case_remedy_approve,
    case_resolve,
    sla_check,
)
from contracts.models import CollectionHold, ProductKind, ServiceState
from contracts.services import delinquency_sweep_range, payment_post, service_notice_give
from core.errors import ApplicationError
from notices.contact import ProposedDetails, contact_judge, ruleset_for
from notices.models import Notice, NoticeStatus
from notices.services import notice_deliver
from tests.accounts.factories import make_customer, make_staff
from tests.contracts.evidence_files import minimal_pdf
from tests.contracts.factories import UNCAPPED, make_contract

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def overdue(days_after_first_due: int = 20, **kwargs):
    contract = make_contract(start_date=dt.date(2026, 1, 1), **{**UNCAPPED, **kwargs})
    sweep(contract, dt.date(2026, 2, 1) + dt.timedelta(days=days_after_first_due))
    contract.refresh_from_db()
    return contract


def sweep(contract, day):
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)


def pdf(name="evidence.pdf", size=None):
    content = minimal_pdf()
    if size:
        content += b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def dispute(contract, **kwargs):
    return case_file(
        actor=contract.customer.user,
        customer=contract.customer,
        kind="dispute",
        category="charge_challenged",
        description="The late fee should not apply: I paid on time.",
        filed_via="portal",
        contract_id=contract.pk,
        evidence=[pdf()],
        **kwargs,
    )


def judge(contract, channel, at, **extra):
    return contact_judge(
        profile=contract.customer,
        contract=contract,
        proposed=ProposedDetails(channel=channel, at=at, purpose="collection", **extra),
    )


def test_a_dispute_blocks_sms_calls_and_visits_until_the_resolution_is_sent():
    contract = overdue()
    ten = dt.datetime(2026, 2, 21, 10, 0, tzinfo=SHANGHAI)
    assert judge(contract, "sms", ten, opt_out_notice=True).allowed
    case = dispute(contract)
    assert CollectionHold.objects.filter(contract=contract, released_on__isnull=True, reason="dispute").exists()
    for channel, extra in (("sms", {"opt_out_notice": True}), ("call", {}), ("visit", {"staff_count": 2})):
        verdict = judge(contract, channel, ten, **extra)
        assert not verdict.allowed and "DISPUTE_HOLD" in verdict.reasons, channel
    staff = make_staff(Role.AGENT)
    case_acknowledge(actor=staff, case_id=case.pk)
    case_investigate(actor=staff, case_id=case.pk)
    case_resolve(
        actor=staff, case_id=case.pk, outcome="rejected", reasons="The payment arrived after the grace period."
    )
    # Resolved, but the hold stays until the resolution notice has been sent.
    assert not judge(contract, "call", ten).allowed
    resolution = Notice.objects.get(idempotency_key__startswith=f"case{case.pk}:resolved:resolution", channel="in_app")
    # Outside 08:00-22:00 Shanghai the in-app message waits for the morning (CBA guideline).
    assert notice_deliver(resolution.pk, now=max(timezone.now(), resolution.next_attempt_at)) == NoticeStatus.DELIVERED
    assert not CollectionHold.objects.filter(contract=contract, released_on__isnull=True).exists()
    assert judge(contract, "call", ten).allowed
    assert "The payment arrived after the grace period." in resolution.body


def test_sla_clock_across_national_day_week():
    # Filed on the last working day before the 2026 National Day holiday (1–7 October).
    filed = dt.datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    assert sla.add_business_days(dt.date(2026, 9, 30), 1, "CN") == dt.date(2026, 10, 8)
    # Oct 10 (Saturday) is a make-up working day in 2026; 15 working days from Sept 30:
    # Oct 8, 9, 10, 12–16, 19–23, 26, 27.
    assert sla.add_business_days(dt.date(2026, 9, 30), 15, "CN") == dt.date(2026, 10, 27)
    contract = overdue()
    case = dispute(contract, now=filed)
    assert case.acknowledge_due_at == dt.datetime(2026, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)
    assert case.resolve_due_at == dt.datetime(2026, 10, 27, 23, 59, 59, tzinfo=SHANGHAI)
    us = make_customer(jurisdiction="US-REGF", timezone="America/Chicago", phone="+1 312 555 0100", national_id="")
    us_contract = make_contract(customer=us, start_date=dt.date(2026, 8, 1))
    us_case = dispute(us_contract, now=filed)
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    assert us_case.resolve_due_at == dt.datetime(2026, 10, 30, 23, 59, 59, tzinfo=chicago)  # 30 calendar days


def test_an_upheld_fee_dispute_reverses_exactly_the_fee_and_reallocates_later_payments():
    contract = overdue(days_after_first_due=10)  # first installment's late fee was charged at grace end
    first = contract.installments.get(seq=1)
    assert first.fee_charged == Decimal("50.00")
    noon = timezone.make_aware(dt.datetime(2026, 2, 12, 12))
    payment, _ = payment_post(
        actor=None, contract_id=contract.pk, channel="bank", external_reference="p-1", amount="300.00", received_at=noon
    )
    first.refresh_from_db()
    assert first.fee_paid == Decimal("50.00")  # fees are paid first
    paid_before = {c: getattr(first, f"{c}_paid") for c in ("penalty", "interest", "principal")}
    case = dispute(contract)
    staff = make_staff(Role.AGENT)
    case_acknowledge(actor=staff, case_id=case.pk)
    case_resolve(
        actor=staff,
        case_id=case.pk,
        outcome="upheld",
        reasons="Fee charged in error.",
        remedy={"reverse_late_fees": [first.pk]},
    )
    first.refresh_from_db()
    assert first.fee_charged == Decimal("0.00") and first.fee_paid == Decimal("0.00")
    # The 50.00 that paid the fee now pays the next components in order instead: here principal.
    assert first.penalty_paid == paid_before["penalty"] and first.interest_paid == paid_before["interest"]
    assert first.principal_paid - paid_before["principal"] == Decimal("50.00")
    assert sum(line.amount for line in payment.allocations.all()) == Decimal("300.00")
    assert not payment.allocations.filter(component="fee").exists()
    # Only the disputed fee was reversed: the second installment's own late fee stands.
    assert contract.installments.get(seq=2).fee_charged in (Decimal("0.00"), Decimal("50.00"))


@pytest.mark.parametrize(
    "upload,code",
    [
        (lambda: pdf(size=6 * 1024 * 1024), "file_too_large"),
        (
            lambda: SimpleUploadedFile(
                "invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf"
            ),
            "file_type_not_allowed",
        ),
        (
            lambda: SimpleUploadedFile(
                "page.html", b"<!doctype html><html><script>alert(1)</script></html>", content_type="text/html"
            ),
            "file_type_not_allowed",
        ),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_created(upload, code):
    contract = overdue()
    with pytest.raises(ApplicationError) as excinfo:
        case_file(
            actor=contract.customer.user,
            customer=contract.customer,
            kind="dispute",
            category="amount_wrong",
            description="wrong",
            filed_via="portal",
            contract_id=contract.pk,
            evidence=[upload()],
        )
    assert excinfo.value.code == code
    assert not Case.objects.exists() and not CollectionHold.objects.exists()


def test_another_customers_contract_cannot_be_disputed():
    contract = overdue()
    stranger = make_customer()
    with pytest.raises(ApplicationError) as excinfo:
        case_file(
            actor=stranger.user,
            customer=stranger,
            kind="dispute",
            category="amount_wrong",
            description="x",
            filed_via="portal",
            contract_id=contract.pk,
        )
    assert excinfo.value.code == "contract_not_found"


def test_large_remedy_needs_a_second_approver_and_appeal_needs_another_reviewer(settings):
    settings.APPEALS_SECOND_APPROVAL_ABOVE = "100.00"
    contract = overdue()
    first = contract.installments.get(seq=1)
    case = dispute(contract)
    reviewer, supervisor = make_staff(Role.SUPERVISOR), make_staff(Role.SUPERVISOR)
    case_acknowledge(actor=reviewer, case_id=case.pk)
    case_investigate(actor=reviewer, case_id=case.pk)
    case_resolve(
        actor=reviewer,
        case_id=case.pk,
        outcome="partially_upheld",
        reasons="Part of the principal written down.",
        remedy={"write_down_principal": {str(first.pk): "200.00"}},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING and case.remedy["pending"]
    first.refresh_from_db()
    assert first.principal_waived == Decimal("0.00")  # nothing changes before approval
    with pytest.raises(ApplicationError):
        case_remedy_approve(actor=reviewer, case_id=case.pk)
    case_remedy_approve(actor=supervisor, case_id=case.pk)
    first.refresh_from_db()
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and first.principal_waived == Decimal("200.00")
    case_appeal(actor=contract.customer.user, case_id=case.pk, reason="I want the whole amount written down.")
    with pytest.raises(ApplicationError) as excinfo:
        case_appeal_decide(actor=reviewer, case_id=case.pk, outcome="rejected", reasons="no")
    assert excinfo.value.code == "same_reviewer"
    case_appeal_decide(actor=supervisor, case_id=case.pk, outcome="rejected", reasons="The first decision stands.")
    case.refresh_from_db()
    assert case.status == CaseStatus.FINAL and not case.can_appeal()


def test_a_contact_frequency_complaint_lowers_limits_until_closed():
    contract = overdue()
    customer = contract.customer
    assert ruleset_for(customer, contract).cn_daily_unanswered_cap == 6
    case = case_file(
        actor=customer.user,
        customer=customer,
        kind="complaint",
        category="contact_frequency",
        description="Five calls in one morning.",
        filed_via="portal",
        contract_id=contract.pk,
    )
    assert ContactPreference.objects.get(profile=customer).reduced_contact_limits
    assert ruleset_for(customer, contract).cn_daily_unanswered_cap == 2
    staff = make_staff(Role.AGENT)
    case_acknowledge(actor=staff, case_id=case.pk)
    case_resolve(actor=staff, case_id=case.pk, outcome="upheld", reasons="Agent coached; limits reviewed.")
    assert ruleset_for(customer, contract).cn_daily_unanswered_cap == 2  # until closed
    case_close(actor=staff, case_id=case.pk)
    assert ruleset_for(customer, contract).cn_daily_unanswered_cap == 6


def test_accepted_hardship_proposes_a_plan_and_an_upheld_suspension_appeal_restores_service():
    contract = overdue()
    customer = contract.customer
    staff = make_staff(Role.AGENT)
    hardship = case_file(
        actor=customer.user,
        customer=customer,
        kind="hardship",
        category="income_loss",
        description="Lost my job in January.",
        filed_via="phone",
        contract_id=contract.pk,
        evidence=[pdf()],
    )
    case_acknowledge(actor=staff, case_id=hardship.pk)
    case_resolve(actor=staff, case_id=hardship.pk, outcome="upheld", reasons="Plan offered.", remedy={"plan_months": 6})
    plan = contract.plans.get()
    assert plan.status == "proposed" and plan.months == 6

    service = make_contract(
        kind=ProductKind.SERVICE_SUBSCRIPTION,
        schedule_method="subscription",
        annual_interest_rate=Decimal("0"),
        principal="199.00",
        penalty_daily_rate=Decimal("0"),
        late_fee_kind="none",
        start_date=dt.date(2026, 1, 1),
        customer=customer,
    )
    sweep(service, dt.date(2026, 2, 5))
    service_notice_give(actor=None, contract_id=service.pk, on=dt.date(2026, 2, 5))
    sweep(service, dt.date(2026, 2, 12))
    service.refresh_from_db()
    assert service.service_state == ServiceState.SUSPENDED
    appeal = case_file(
        actor=customer.user,
        customer=customer,
        kind="appeal",
        category="against_suspension",
        description="The technician visit is for a safety issue.",
        filed_via="portal",
        contract_id=service.pk,
    )
    case_acknowledge(actor=staff, case_id=appeal.pk)
    case_resolve(
        actor=staff, case_id=appeal.pk, outcome="upheld", reasons="Safety first.", remedy={"restore_service": True}
    )
    service.refresh_from_db()
    assert service.service_state == ServiceState.RESTORED


def test_sla_check_reminds_before_and_escalates_at_breach():
    supervisor = make_staff(Role.SUPERVISOR)
    contract = overdue()
    filed = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # Monday
    case = dispute(contract, now=filed)
    assert sla_check(now=filed) == {"reminded": 0, "breached": 0}
    assert sla_check(now=dt.datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI))["reminded"] == 1  # ack due end of Tue
    assert sla_check(now=dt.datetime(2026, 3, 4, 0, 30, tzinfo=SHANGHAI))["breached"] == 1
    case.refresh_from_db()
    assert case.escalated_to == supervisor and case.breached_at is not None
    assert sla_check(now=dt.datetime(2026, 3, 4, 1, 30, tzinfo=SHANGHAI)) == {"reminded": 0, "breached": 0}
