"""The validation notice's timing (12 CFR 1006.34(a)(1): the initial communication or within
five days after it, nothing else in between), its delivery (1006.42: mail, or email with
E-SIGN consent), and the consumer's responses (15 U.S.C. 1692g(b))."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accounts.models import ContactPreference
from accounts.services.esign import esign_consent_give, esign_consent_withdraw
from audit.models import AuditEvent
from contracts.models import CollectionHold, HoldReason
from core.errors import ApplicationError, ConflictError, ForbiddenError
from notices.contact import ProposedDetails, contact_judge
from notices.models import Notice, NoticeStatus, Purpose, ValidationNotice, ValidationResponse
from notices.services import notice_deliver, sweep_and_notify_range
from notices.services.contacts import contact_attempt_outcome, contact_attempt_start
from notices.services.validation import (
    validation_notice_issue,
    validation_notices_due,
    validation_response_record,
    verification_send,
)
from tests.accounts.factories import make_customer, make_staff
from tests.contracts.factories import make_contract
from tests.contracts.ledger_helpers import at, sweep
from tests.notices.validation_helpers import START, TODAY, us_customer, us_debt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _call(contract, when: dt.datetime):  # type: ignore[no-untyped-def]
    attempt = contact_attempt_start(
        actor=None, profile=contract.customer, contract=contract, channel="call", endpoint="+13125550100", at=when
    )
    assert attempt.verdict == "allowed", attempt.reason_codes
    return contact_attempt_outcome(actor=None, attempt_id=attempt.pk, outcome="conversation")


def _email_reminder(contract, when: dt.datetime):  # type: ignore[no-untyped-def]
    return contact_judge(
        profile=contract.customer,
        contract=contract,
        proposed=ProposedDetails(
            channel="email",
            at=when,
            purpose=Purpose.OVERDUE_REMINDER,
            endpoint=contract.customer.email,
            opt_out_notice=True,
        ),
    )


# ------------------------------------------------------------------ the five-day rule


def test_after_an_initial_communication_nothing_else_before_the_notice_which_follows_within_five_days():
    contract = us_debt()
    call = _call(contract, at(TODAY, 10))
    verdict = _email_reminder(contract, at(TODAY, 15))
    assert not verdict.allowed and verdict.reasons == ["COLLECTION_BEFORE_VALIDATION_NOTICE"]

    issued = validation_notices_due(now=at(TODAY, 16))
    assert issued == [contract.pk]
    record = ValidationNotice.objects.get(contract=contract)
    assert record.initial_communication_at == call.at
    assert record.issued_on - call.at.date() <= dt.timedelta(days=5)
    # Idempotent: the task finds nothing more to do.
    assert validation_notices_due(now=at(TODAY, 17)) == []
    assert (
        ValidationNotice.objects.count() == 1 and Notice.objects.filter(purpose=Purpose.VALIDATION_NOTICE).count() == 1
    )

    assert notice_deliver(record.notice_id, now=at(TODAY, 16)) == NoticeStatus.SENT
    assert _email_reminder(contract, at(TODAY, 17)).allowed


def test_the_task_skips_debts_outside_regulation_f_or_not_in_collection():
    current = make_contract(customer=us_customer(), start_date=TODAY)  # nothing due yet
    chinese = make_contract(customer=make_customer(), start_date=START)
    sweep(chinese, TODAY)
    assert validation_notices_due(now=at(TODAY, 9)) == []
    assert not ValidationNotice.objects.filter(contract__in=[current, chinese]).exists()
    # Chinese debts are not subject to the rule.
    _call(chinese, at(TODAY, 10))
    assert _email_reminder(chinese, at(TODAY, 15)).allowed


def test_the_nightly_ladder_sends_the_notice_first_and_holds_other_collection_notices_until_it_is_sent():
    contract = us_debt(through=dt.date(2026, 2, 1))
    _call(contract, at(dt.date(2026, 2, 1), 10))  # the initial communication, before the notice
    sweep_and_notify_range(business_date=dt.date(2026, 2, 2), first_id=contract.pk, last_id=contract.pk)
    record = ValidationNotice.objects.get(contract=contract)
    assert record.notice.status == NoticeStatus.PENDING
    reminders = list(Notice.objects.filter(contract=contract, step__code="dpd-1"))
    assert reminders and all(n.status == NoticeStatus.DROPPED for n in reminders)
    assert all(n.reason_codes == ["COLLECTION_BEFORE_VALIDATION_NOTICE"] for n in reminders)

    assert notice_deliver(record.notice_id) == NoticeStatus.SENT
    sweep_and_notify_range(business_date=dt.date(2026, 2, 4), first_id=contract.pk, last_id=contract.pk)
    [banner] = Notice.objects.filter(contract=contract, step__code="dpd-3")
    assert banner.status == NoticeStatus.PENDING
    assert notice_deliver(banner.pk) == NoticeStatus.DELIVERED


def test_without_an_earlier_communication_the_notice_is_the_initial_one():
    contract = us_debt(through=dt.date(2026, 2, 1))
    sweep_and_notify_range(business_date=dt.date(2026, 2, 2), first_id=contract.pk, last_id=contract.pk)
    record = ValidationNotice.objects.get(contract=contract)
    assert record.initial_communication_at is None
    reminders = list(Notice.objects.filter(contract=contract, step__code="dpd-1"))
    assert reminders and all(n.status == NoticeStatus.PENDING for n in reminders)
    # Delivered in order, the notice goes first, then the reminders may follow it.
    results = [notice_deliver(record.notice_id), *(notice_deliver(n.pk) for n in reminders)]
    assert results[0] == NoticeStatus.SENT
    assert all(status in (NoticeStatus.SENT, NoticeStatus.DELIVERED) for status in results[1:])


# ------------------------------------------------------------------ 12 CFR 1006.42


def test_by_mail_without_consent_and_by_email_with_e_sign_consent():
    mailed = us_debt()
    assert validation_notice_issue(actor=None, contract_id=mailed.pk, business_date=TODAY).channel == "letter"

    customer = us_customer()
    with pytest.raises(ApplicationError) as caught:
        esign_consent_give(actor=customer.user, profile=customer, disclosures_acknowledged=False)
    assert caught.value.code == "esign_disclosures_not_acknowledged"
    assert not ContactPreference.objects.get(profile=customer).has_esign_consent
    preference = esign_consent_give(actor=customer.user, profile=customer, disclosures_acknowledged=True)
    assert preference.esign_consent_at is not None and preference.esign_consent_method.startswith("portal:")
    assert preference.esign_consent_email == customer.email
    assert AuditEvent.objects.filter(action="esign_consent.given", object_id=str(preference.pk)).exists()
    emailed = us_debt(customer=customer)
    record = validation_notice_issue(actor=None, contract_id=emailed.pk, business_date=TODAY, now=at(TODAY, 10))
    assert record.channel == "email" and record.notice.status == NoticeStatus.PENDING
    assert notice_deliver(record.notice_id, now=at(TODAY, 10)) == NoticeStatus.SENT
    [message] = mail.outbox
    assert message.to == [customer.email]
    assert "Fairdue Collections is a debt collector." in message.body
    assert "To stop these emails" in message.body  # the opt-out every email carries
    [(_name, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")

    esign_consent_withdraw(actor=customer.user, profile=customer)
    assert AuditEvent.objects.filter(action="esign_consent.withdrawn").exists()
    later = us_debt(customer=customer)
    assert validation_notice_issue(actor=None, contract_id=later.pk, business_date=TODAY).channel == "letter"


def test_an_email_refused_at_send_time_goes_by_mail_instead():
    customer = us_customer()
    esign_consent_give(actor=customer.user, profile=customer, disclosures_acknowledged=True)
    contract = us_debt(customer=customer)
    record = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=TODAY, now=at(TODAY, 10))
    assert record.channel == "email"
    esign_consent_withdraw(actor=customer.user, profile=customer)  # before the email left
    assert notice_deliver(record.notice_id, now=at(TODAY, 10)) == NoticeStatus.DROPPED
    emailed = Notice.objects.get(pk=record.notice_id)
    assert emailed.reason_codes == ["ELECTRONIC_DELIVERY_WITHOUT_CONSENT"] and not mail.outbox
    validation_notices_due(now=at(TODAY, 11))
    record.refresh_from_db()
    assert record.channel == "letter" and record.notice_id != emailed.pk
    assert notice_deliver(record.notice_id, now=at(TODAY, 11)) == NoticeStatus.SENT
    record.refresh_from_db()
    assert record.sent_at is not None
    validation_notices_due(now=at(TODAY, 12))  # nothing more
    assert Notice.objects.filter(purpose=Purpose.VALIDATION_NOTICE, contract=contract).count() == 2


def test_consent_for_an_old_address_does_not_reach_a_new_one():
    customer = us_customer()
    esign_consent_give(actor=customer.user, profile=customer, disclosures_acknowledged=True)
    customer.email = "new-address@example.test"
    customer.save(update_fields=["email"])
    contract = us_debt(customer=customer)
    assert validation_notice_issue(actor=None, contract_id=contract.pk, business_date=TODAY).channel == "letter"


def test_the_engine_refuses_an_emailed_notice_without_consent():
    contract = us_debt()
    proposed = ProposedDetails(
        channel="email",
        at=at(TODAY, 10),
        purpose=Purpose.VALIDATION_NOTICE,
        endpoint=contract.customer.email,
        opt_out_notice=True,
    )
    verdict = contact_judge(profile=contract.customer, contract=contract, proposed=proposed)
    assert verdict.reasons == ["ELECTRONIC_DELIVERY_WITHOUT_CONSENT"]
    esign_consent_give(actor=contract.customer.user, profile=contract.customer, disclosures_acknowledged=True)
    assert contact_judge(profile=contract.customer, contract=contract, proposed=proposed).allowed


# ------------------------------------------------------------------ responses


def _sent_notice(contract, day: dt.date = TODAY) -> ValidationNotice:  # type: ignore[no-untyped-def]
    record = validation_notice_issue(actor=None, contract_id=contract.pk, business_date=day, now=at(day, 10))
    notice_deliver(record.notice_id, now=at(day, 10))
    record.refresh_from_db()
    return record


def test_a_response_after_the_period_is_recorded_without_a_hold():
    record = _sent_notice(us_debt(), dt.date(2026, 3, 16))
    late = record.validation_period_end + dt.timedelta(days=1)
    response = validation_response_record(
        actor=None, validation_notice_id=record.pk, dispute_reasons=["not_mine"], channel="mail", received_on=late
    )
    assert not response.within_period and response.hold is None
    assert not CollectionHold.objects.filter(contract=record.contract).exists()
    staff = make_staff()
    with pytest.raises(ConflictError):
        verification_send(actor=staff, response_id=response.pk)


def test_bad_responses_change_nothing():
    record = _sent_notice(us_debt())
    for kwargs, code in (
        ({"dispute_reasons": []}, "validation_response_empty"),
        ({"dispute_reasons": ["because"]}, "validation_response_reason"),
        ({"dispute_reasons": [], "enclosed_amount": "-5"}, "validation_response_amount"),
        ({"dispute_reasons": ["not_mine"], "received_on": dt.date(2020, 1, 1)}, "validation_response_date"),
    ):
        with pytest.raises(ApplicationError) as caught:
            validation_response_record(actor=None, validation_notice_id=record.pk, **kwargs)
        assert caught.value.code == code
    assert not ValidationResponse.objects.exists() and not CollectionHold.objects.exists()


def test_an_original_creditor_request_holds_until_the_name_and_address_are_sent():
    record = _sent_notice(us_debt())
    response = validation_response_record(
        actor=None,
        validation_notice_id=record.pk,
        dispute_reasons=[],
        original_creditor_requested=True,
        received_on=TODAY + dt.timedelta(days=10),
    )
    assert response.within_period and response.hold.reason == HoldReason.ORIGINAL_CREDITOR
    customer = record.customer
    with pytest.raises(ForbiddenError):
        verification_send(actor=customer.user, response_id=response.pk)
    staff = make_staff()
    notice = verification_send(actor=staff, response_id=response.pk)
    assert verification_send(actor=staff, response_id=response.pk).pk == notice.pk  # once
    assert "First Prairie Bank, 1 Bank Plaza, Chicago, IL 60601" in notice.body
    assert CollectionHold.objects.get(pk=response.hold_id).released_on is None  # not yet sent
    assert notice_deliver(notice.pk) == NoticeStatus.SENT
    assert CollectionHold.objects.get(pk=response.hold_id).released_on is not None
    assert AuditEvent.objects.filter(action="verification.scheduled", object_id=str(response.pk)).exists()
