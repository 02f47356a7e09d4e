"""The ladder writes outbox rows; delivery re-checks the contact rules at send time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from accounts.models import ContactPreference
from contracts.services import delinquency_sweep_range, hold_place
from notices.contact import ProposedDetails, contact_judge
from notices.models import ContactAttempt, ContactRuleTightening, Notice, NoticeStatus
from notices.services import ladder_evaluate, notice_deliver, outbox_relay
from tests.accounts.factories import make_customer
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def overdue_contract(dpd: int, business_date: dt.date, **customer):
    first_due = business_date - dt.timedelta(days=dpd)
    contract = make_contract(
        customer=make_customer(**customer) if customer else None,
        start_date=first_due - dt.timedelta(days=31),
        first_due_date=first_due,
    )
    delinquency_sweep_range(business_date=business_date, first_id=contract.pk, last_id=contract.pk)
    contract.refresh_from_db()
    return contract


def evaluate(contract, business_date, now):
    return ladder_evaluate(business_date=business_date, first_id=contract.pk, last_id=contract.pk, now=now)


def test_ladder_writes_the_dpd1_notices_once_per_episode():
    day = dt.date(2026, 3, 10)
    contract = overdue_contract(1, day)
    now = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    evaluate(contract, day, now)
    notices = Notice.objects.filter(contract=contract)
    assert {(n.step.code, n.channel) for n in notices} == {("dpd-1", "sms"), ("dpd-1", "email")}
    sms = notices.get(channel="sms")
    assert sms.status == NoticeStatus.PENDING
    assert "1" in sms.body and contract.number not in sms.recipient
    assert sms.context["days_overdue"] == "1"
    # Running again (same day, or the next days of the same episode) adds nothing.
    evaluate(contract, day, now)
    evaluate(contract, day, now + dt.timedelta(hours=1))
    assert Notice.objects.filter(contract=contract).count() == 2


@pytest.mark.parametrize("where", ["us", "cn_tightened"])
def test_a_notice_due_at_2130_is_deferred_to_0800_and_sent_then(where):
    day = dt.date(2026, 3, 10)
    if where == "us":  # Regulation F window [08:00, 21:00) in the customer's time
        zone = zoneinfo.ZoneInfo("America/Chicago")
        contract = overdue_contract(
            1, day, phone="+1 312 555 0101", jurisdiction="US-REGF", timezone="America/Chicago", national_id=""
        )
    else:  # CN allows until 22:00; this product's compliance officer tightened it to 21:00
        zone = SHANGHAI
        contract = overdue_contract(1, day)
        ContactRuleTightening.objects.create(product=contract.product, jurisdiction="CN", window_end=dt.time(21, 0))
    late = dt.datetime(2026, 3, 10, 21, 30, tzinfo=zone)
    evaluate(contract, day, late)
    sms = Notice.objects.get(contract=contract, channel="sms")
    assert sms.status == NoticeStatus.DEFERRED
    assert "TIME_WINDOW" in sms.reason_codes
    eight = dt.datetime(2026, 3, 11, 8, 0, tzinfo=zone)
    assert sms.next_attempt_at == eight
    # Before 08:00 nothing is claimed; the relay picks it up at 08:00 and it is sent.
    assert notice_deliver(sms.pk, now=eight - dt.timedelta(minutes=1)) == "not_claimed"
    assert sms.pk in outbox_relay(now=eight)
    assert notice_deliver(sms.pk, now=eight) in (NoticeStatus.SENT, NoticeStatus.DELIVERED)
    sms.refresh_from_db()
    assert sms.sent_at == eight
    attempt = ContactAttempt.objects.filter(notice=sms).latest("at")
    assert attempt.verdict == "allowed" and attempt.at == eight


def test_an_opted_out_channel_is_skipped_with_channel_opt_out_recorded():
    day = dt.date(2026, 3, 10)
    contract = overdue_contract(1, day)
    ContactPreference.objects.create(profile=contract.customer, opt_outs=["sms"])
    evaluate(contract, day, dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI))
    sms = Notice.objects.get(contract=contract, channel="sms")
    assert sms.status == NoticeStatus.DROPPED and sms.reason_codes == ["CHANNEL_OPT_OUT"]
    attempt = ContactAttempt.objects.get(notice=sms)
    assert attempt.verdict == "blocked" and attempt.reason_codes == ["CHANNEL_OPT_OUT"]
    assert Notice.objects.get(contract=contract, channel="email").status == NoticeStatus.PENDING


def test_a_us_customer_with_numbers_in_two_time_zones_is_contacted_only_inside_both_windows():
    profile = make_customer(
        email="us@example.test",
        phone="+1 212 555 0142",
        jurisdiction="US-REGF",
        timezone="America/New_York",
        national_id="",
    )
    profile.alternate_phones = ["+1 213 555 0199"]  # Los Angeles
    profile.save(update_fields=["alternate_phones"])
    new_york = zoneinfo.ZoneInfo("America/New_York")
    early = dt.datetime(2026, 4, 7, 9, 30, tzinfo=new_york)  # 06:30 in Los Angeles
    verdict = contact_judge(
        profile=profile, contract=None, proposed=ProposedDetails(channel="call", at=early, purpose="collection")
    )
    assert not verdict.allowed and "TIME_WINDOW" in verdict.reasons
    assert verdict.next_allowed_at == dt.datetime(2026, 4, 7, 11, 0, tzinfo=new_york)  # 08:00 in Los Angeles
    late = dt.datetime(2026, 4, 7, 20, 30, tzinfo=new_york)  # 17:30 in LA, but 20:30 is fine in NY too
    assert contact_judge(
        profile=profile, contract=None, proposed=ProposedDetails(channel="call", at=late, purpose="collection")
    ).allowed
    too_late = dt.datetime(2026, 4, 7, 21, 0, tzinfo=new_york)
    assert not contact_judge(
        profile=profile, contract=None, proposed=ProposedDetails(channel="call", at=too_late, purpose="collection")
    ).allowed


def test_a_disputed_contract_gets_no_collection_notice_and_a_sent_one_is_dropped_at_send_time():
    day = dt.date(2026, 3, 10)
    contract = overdue_contract(1, day)
    ten = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    evaluate(contract, day, ten)
    sms = Notice.objects.get(contract=contract, channel="sms")
    hold_place(actor=None, contract_id=contract.pk, reason="dispute", source="test")
    assert notice_deliver(sms.pk, now=ten) == NoticeStatus.DROPPED
    sms.refresh_from_db()
    assert "DISPUTE_HOLD" in sms.reason_codes
    later = overdue_contract(1, day)
    hold_place(actor=None, contract_id=later.pk, reason="dispute", source="test")
    evaluate(later, day, ten)
    assert not Notice.objects.filter(contract=later).exists()


def test_cured_contracts_stop():
    from django.utils import timezone

    from contracts.services import payment_post

    day = dt.date(2026, 3, 10)
    contract = overdue_contract(1, day)
    ten = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
    evaluate(contract, day, ten)
    email = Notice.objects.get(contract=contract, channel="email")
    due = contract.installments.order_by("seq").first()
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="cure-1",
        amount=due.principal_due + due.interest_due,
        received_at=timezone.make_aware(dt.datetime(2026, 3, 10, 11)),
    )
    assert notice_deliver(email.pk, now=ten + dt.timedelta(hours=2)) == NoticeStatus.SKIPPED
    email.refresh_from_db()
    assert email.reason_codes == ["CONTRACT_CURED"] and email.sent_at is None
