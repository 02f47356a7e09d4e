"""The gentle pre-due reminder for high-risk customers: the default ladder's ``t-7-risk`` step
fires a week before a due date only for contracts not overdue whose early-warning score is
high, and goes through the compliance engine like any contact."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django import forms

from accounts.models import ContactPreference
from contracts.models import ContractRiskScore, Installment, PromiseStatus, PromiseToPay
from contracts.services import delinquency_sweep_range
from notices.admin import LadderStepForm
from notices.models import ContactAttempt, EscalationLadder, LadderStep, Notice, NoticeStatus, Purpose
from notices.services import ladder_evaluate
from notices.services.nightly import sweep_and_notify_range
from tests.contracts.factories import make_contract
from tests.contracts.ledger_helpers import pay, sweep_days

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 10)
TEN = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


def _current_contract(band: str | None):
    """Not overdue, next installment due 2026-03-17 (a week after DAY)."""
    contract = make_contract(start_date=dt.date(2026, 2, 17), first_due_date=dt.date(2026, 3, 17), term=6)
    delinquency_sweep_range(business_date=DAY, first_id=contract.pk, last_id=contract.pk)
    if band is not None:
        ContractRiskScore.objects.create(
            contract=contract, probability=Decimal("0.5"), band=band, method="rule", scored_on=DAY
        )
    return contract


def _evaluate(contract):
    return ladder_evaluate(business_date=DAY, first_id=contract.pk, last_id=contract.pk, now=TEN)


def test_the_default_ladder_has_the_risk_gated_step():
    step = LadderStep.objects.get(ladder=EscalationLadder.objects.get(product__isnull=True), code="t-7-risk")
    assert (step.anchor, step.offset_days, step.purpose, step.min_risk_band) == (
        "due_date",
        -7,
        Purpose.PRE_DUE_REMINDER,
        "high",
    )


def test_a_high_risk_customer_gets_a_gentle_reminder_a_week_before_the_due_date():
    risky, medium, unscored = _current_contract("high"), _current_contract("medium"), _current_contract(None)
    for contract in (risky, medium, unscored):
        _evaluate(contract)
    notices = Notice.objects.filter(contract=risky)
    assert {(n.step.code, n.channel) for n in notices} == {("t-7-risk", "sms"), ("t-7-risk", "in_app")}
    assert all(n.purpose == Purpose.PRE_DUE_REMINDER and n.status == NoticeStatus.PENDING for n in notices)
    assert all(n.idempotency_key.startswith(f"c{risky.pk}:due2026-03-17:t-7-risk:") for n in notices)
    assert "2026-03-17" in notices.get(channel="sms").body or "3月17日" in notices.get(channel="sms").body
    assert not Notice.objects.filter(contract__in=[medium, unscored]).exists()
    _evaluate(risky)  # once per installment
    assert Notice.objects.filter(contract=risky).count() == 2


def test_the_reminder_is_judged_by_the_compliance_engine():
    contract = _current_contract("high")
    ContactPreference.objects.create(profile=contract.customer, opt_outs=["sms"])
    _evaluate(contract)
    sms = Notice.objects.get(contract=contract, channel="sms")
    assert sms.status == NoticeStatus.DROPPED and sms.reason_codes == ["CHANNEL_OPT_OUT"]
    assert ContactAttempt.objects.get(notice=sms).verdict == "blocked"
    late = dt.datetime(2026, 3, 10, 22, 30, tzinfo=SHANGHAI)  # outside the contact window
    other = _current_contract("high")
    ladder_evaluate(business_date=DAY, first_id=other.pk, last_id=other.pk, now=late)
    assert Notice.objects.get(contract=other, channel="sms").status == NoticeStatus.DEFERRED


def test_an_overdue_contract_gets_no_pre_due_reminder_whatever_its_score():
    contract = make_contract(start_date=dt.date(2026, 1, 17), first_due_date=dt.date(2026, 2, 17), term=6)
    sweep_days(contract, dt.date(2026, 1, 17), DAY)  # 21 days past due; next due 2026-03-17
    ContractRiskScore.objects.create(
        contract=contract, probability=Decimal("0.9"), band="high", method="rule", scored_on=DAY
    )
    _evaluate(contract)
    assert not Notice.objects.filter(contract=contract, step__code="t-7-risk").exists()


def test_the_nightly_batch_scores_then_reminds():
    # Two installments paid late and two broken promises: the rule score is high (38 points).
    contract = make_contract(start_date=dt.date(2025, 12, 17), first_due_date=dt.date(2026, 1, 17), term=6)
    sweep_days(contract, dt.date(2025, 12, 17), dt.date(2026, 1, 26))
    first = Installment.objects.get(contract=contract, seq=1)
    pay(contract, first.principal_due + first.interest_due + Decimal("80.00"), dt.date(2026, 1, 27))
    sweep_days(contract, dt.date(2026, 1, 27), dt.date(2026, 2, 26))
    second = Installment.objects.get(contract=contract, seq=2)
    pay(contract, second.principal_due + second.interest_due + Decimal("80.00"), dt.date(2026, 2, 27))
    for promised in (dt.date(2026, 1, 22), dt.date(2026, 2, 22)):
        PromiseToPay.objects.create(
            contract=contract,
            amount=Decimal("100.00"),
            promised_date=promised,
            status=PromiseStatus.BROKEN,
            recorded_on=promised - dt.timedelta(days=2),
            resolved_on=promised + dt.timedelta(days=1),
        )
    sweep_days(contract, dt.date(2026, 2, 27), DAY - dt.timedelta(days=1))
    sweep_and_notify_range(business_date=DAY, first_id=contract.pk, last_id=contract.pk)
    score = ContractRiskScore.objects.get(contract=contract)
    assert (score.band, score.method, score.scored_on) == ("high", "rule", DAY)
    assert score.probability == Decimal("0.3800")
    assert Notice.objects.filter(contract=contract, step__code="t-7-risk").count() == 2


def test_only_a_step_before_the_due_date_can_be_limited_to_a_risk_band():
    ladder = EscalationLadder.objects.get(product__isnull=True)
    form = LadderStepForm(
        data={
            "code": "dpd-5-risk",
            "anchor": "dpd",
            "offset_days": 5,
            "purpose": Purpose.OVERDUE_REMINDER,
            "channels": ["sms"],
            "min_risk_band": "high",
            "is_active": "on",
        },
        instance=LadderStep(ladder=ladder),
    )
    assert isinstance(form, forms.ModelForm)
    assert not form.is_valid() and "min_risk_band" in form.errors
