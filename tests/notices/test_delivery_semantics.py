"""Claim, send, record: leases, stable message ids, the batch's send-time check, the relay,
and a broker outage during a staff action."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import zoneinfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from kombu import Producer
from kombu.exceptions import OperationalError

from accounts.models import ContactChannel, ContactPreference
from accounts.roles import Role
from appeals.models import CaseStatus
from audit.models import AuditEvent
from notices.contact import ProposedDetails, contact_judge
from notices.delivery_inputs import batch_inputs_load
from notices.models import ContactAttempt, Notice, NoticeStatus, Purpose
from notices.services import notices_claim, notices_deliver, outbox_relay
from notices.services.outbox import delivery_batches
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login_verified_staff

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)
_keys = itertools.count(1)


def email_notice(customer=None, *, now=NOON, **fields) -> Notice:
    customer = customer or make_customer()
    values = {
        "idempotency_key": f"delivery-test-{next(_keys)}",
        "customer": customer,
        "purpose": Purpose.ACKNOWLEDGEMENT,
        "channel": ContactChannel.EMAIL,
        "locale": "zh-hans",
        "recipient": customer.email,
        "subject": "您的申请已收到",
        "body": "我们已收到您的申请。",
        "scheduled_for": now,
        "next_attempt_at": now,
    }
    values.update(fields)
    return Notice.objects.create(**values)


class Crash(BaseException):
    """A worker dying between sending and recording (not an error the code handles)."""


@pytest.mark.django_db
def test_every_email_carries_a_message_id_derived_from_the_idempotency_key(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notice = email_notice()
    assert notices_deliver([notice.pk], now=NOON) == {notice.pk: NoticeStatus.SENT}
    [message] = mail.outbox
    digest = hashlib.sha256(notice.idempotency_key.encode()).hexdigest()[:32]
    assert message.extra_headers["Message-ID"] == f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    assert message.message()["Message-ID"] == f"<{digest}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"
    notice.refresh_from_db()
    assert notice.provider_message_id == message.extra_headers["Message-ID"]
    assert notice.lease_until is None and notice.claimed_by == ""
    attempt = ContactAttempt.objects.get(notice=notice)
    assert attempt.verdict == "allowed" and attempt.provider_message_id == notice.provider_message_id
    event = AuditEvent.objects.get(action="notice.sent", object_id=str(notice.pk))
    assert event.data["from"] == NoticeStatus.SENDING and event.data["message_ref"] == digest


@pytest.mark.django_db
def test_a_crash_after_sending_resends_after_the_lease_with_the_same_message_id(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DELIVERY_LEASE_SECONDS = 30
    notices = [email_notice() for _ in range(3)]
    ids = [n.pk for n in notices]

    def crash_after_the_first(outcome):
        raise Crash

    with pytest.raises(Crash):
        notices_deliver(ids, now=NOON, after_send=crash_after_the_first)
    assert len(mail.outbox) == 1
    # The claim committed; nothing was recorded: all three are still held by the dead worker.
    assert set(Notice.objects.filter(pk__in=ids).values_list("status", flat=True)) == {NoticeStatus.SENDING}
    assert not ContactAttempt.objects.filter(notice_id__in=ids).exists()
    # While the lease holds nobody claims them, and the relay leaves them alone.
    assert notices_deliver(ids, now=NOON + dt.timedelta(seconds=10)) == dict.fromkeys(ids, "not_claimed")
    assert outbox_relay(now=NOON + dt.timedelta(seconds=10)) == []
    # The lease runs out: the relay queues them again and the next worker sends all three.
    later = NOON + dt.timedelta(seconds=31)
    assert sorted(outbox_relay(now=later)) == ids
    assert set(notices_deliver(ids, now=later).values()) == {NoticeStatus.SENT}
    message_ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(message_ids) == 4
    assert message_ids[0] == message_ids[1]  # the resend is recognisable as the same message
    assert len(set(message_ids)) == 3
    assert ContactAttempt.objects.filter(notice_id__in=ids).count() == 3


@pytest.mark.django_db
def test_a_claimed_batch_is_not_claimed_twice():
    notices = [email_notice() for _ in range(4)]
    ids = [n.pk for n in notices]
    first_claim, first = notices_claim(ids[:3], now=NOON)
    second_claim, second = notices_claim(ids, now=NOON)
    assert [n.pk for n in first] == ids[:3]
    assert [n.pk for n in second] == ids[3:]
    assert first_claim != second_claim
    held = Notice.objects.get(pk=ids[0])
    assert held.status == NoticeStatus.SENDING and held.claimed_by == first_claim
    assert held.lease_until is not None and held.lease_until > NOON


@pytest.mark.django_db
def test_the_batch_check_gives_the_verdicts_contact_judge_gives():
    quiet = make_customer()
    ContactPreference.objects.create(profile=quiet, inconvenient_times=["11:00-13:00"])
    refused = make_customer()
    ContactPreference.objects.create(profile=refused, opt_outs=[ContactChannel.EMAIL])
    plain = make_customer()
    notices = [email_notice(c) for c in (quiet, refused, plain)]
    inputs = batch_inputs_load(list(Notice.objects.select_related("customer", "contract")), now=NOON)
    allowed = []
    for notice in notices:
        proposed = ProposedDetails(
            channel=notice.channel, at=NOON, purpose=notice.purpose, endpoint=notice.recipient, opt_out_notice=True
        )
        expected = contact_judge(profile=notice.customer, contract=None, proposed=proposed)
        assert inputs.judge(notice, proposed) == expected
        allowed.append(expected.allowed)
    assert allowed == [False, False, True]


@pytest.mark.django_db
def test_blocked_contacts_are_recorded_deferred_or_dropped_in_the_batch(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    quiet = make_customer()
    ContactPreference.objects.create(profile=quiet, inconvenient_times=["11:00-13:00"])
    refused = make_customer()
    ContactPreference.objects.create(profile=refused, opt_outs=[ContactChannel.EMAIL])
    deferred, dropped, sent = (email_notice(c) for c in (quiet, refused, make_customer()))
    results = notices_deliver([deferred.pk, dropped.pk, sent.pk], now=NOON)
    assert results == {
        deferred.pk: NoticeStatus.DEFERRED,
        dropped.pk: NoticeStatus.DROPPED,
        sent.pk: NoticeStatus.SENT,
    }
    assert len(mail.outbox) == 1
    deferred.refresh_from_db()
    assert deferred.next_attempt_at > NOON and deferred.lease_until is None
    for notice, status in ((deferred, "deferred"), (dropped, "dropped"), (sent, "sent")):
        assert AuditEvent.objects.filter(action=f"notice.{status}", object_id=str(notice.pk)).count() == 1
        assert ContactAttempt.objects.filter(notice=notice).count() == 1


def test_queued_rows_fan_out_in_small_batches(settings):
    settings.DELIVERY_BATCH_SIZE = 50
    batches = delivery_batches(list(range(1, 121)))
    assert [len(b) for b in batches] == [50, 50, 20]
    assert [i for b in batches for i in b] == list(range(1, 121))


@pytest.mark.django_db
def test_a_lost_task_is_queued_again_within_a_minute(settings):
    settings.DELIVERY_REQUEUE_AFTER_SECONDS = 45
    notice = email_notice(queued_at=NOON)
    assert outbox_relay(now=NOON + dt.timedelta(seconds=30)) == []
    assert outbox_relay(now=NOON + dt.timedelta(seconds=50)) == [notice.pk]
    # Queued again just now: not again at the next run.
    assert outbox_relay(now=NOON + dt.timedelta(seconds=65)) == []


@pytest.mark.django_db(transaction=True)
def test_a_staff_action_succeeds_while_the_broker_is_down_and_the_relay_delivers_later(monkeypatch, settings):
    """The acknowledgement commits and queues its messages after commit; publishing fails (the
    broker is down): the page still answers with its redirect, and the relay sends them later."""
    from appeals.services import case_file

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    customer = make_customer()
    ContactPreference.objects.create(
        profile=customer, preferred_channel=ContactChannel.EMAIL, late_contact_consent=True
    )
    case = case_file(
        actor=customer.user,
        customer=customer,
        kind="complaint",
        category="staff_conduct",
        description="The agent was rude on the phone.",
        filed_via="portal",
    )
    agent = make_staff(Role.AGENT)
    client = Client(raise_request_exception=True)
    login_verified_staff(client, agent)
    published: list[str] = []

    def broker_down(self, body, *args, **kwargs):
        published.append(kwargs.get("routing_key", ""))
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(Producer, "publish", broker_down)
    response = client.post(reverse("staff:appeal_case", kwargs={"pk": case.pk}), {"action": "acknowledge"})
    assert response.status_code == 302
    assert published  # the publish was really tried, and failed
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED
    queued = list(Notice.objects.filter(customer=customer, purpose=Purpose.ACKNOWLEDGEMENT))
    assert {n.channel for n in queued} == {ContactChannel.IN_APP, ContactChannel.EMAIL}
    assert {n.status for n in queued} == {NoticeStatus.PENDING}

    monkeypatch.undo()  # the broker is back (here: tasks run in this process)
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        later = max(n.queued_at for n in queued) + dt.timedelta(seconds=settings.DELIVERY_REQUEUE_AFTER_SECONDS + 1)
        assert sorted(outbox_relay(now=later)) == sorted(n.pk for n in queued)
    finally:
        app.conf.task_always_eager = eager
    statuses = {n.channel: n.status for n in Notice.objects.filter(pk__in=[n.pk for n in queued])}
    assert statuses == {ContactChannel.IN_APP: NoticeStatus.DELIVERED, ContactChannel.EMAIL: NoticeStatus.SENT}
    assert [m.to for m in mail.outbox] == [[customer.email]]
