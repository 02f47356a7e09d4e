"""SMS rate limits that hold across workers: token buckets in the cache (Redis in production),
a per-number limit that reschedules instead of sending, and no waiting inside a transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import ContactChannel, ContactPreference
from core.throttle import bucket_take
from notices.models import NoticeStatus
from notices.services import notices_deliver
from notices.services.delivery import pace
from tests.accounts.factories import make_customer
from tests.notices.test_sms_channel import make_notice


def test_a_bucket_gives_its_capacity_then_says_how_long_to_wait():
    key = f"bucket-test-{timezone.now().timestamp()}"
    assert bucket_take("test", key, rate=1 / 30, capacity=2) == 0.0
    assert bucket_take("test", key, rate=1 / 30, capacity=2) == 0.0
    wait = bucket_take("test", key, rate=1 / 30, capacity=2)
    assert 29 < wait <= 30


@pytest.mark.django_db
def test_waiting_for_a_rate_is_refused_inside_a_transaction():
    with transaction.atomic(), pytest.raises(AssertionError):
        pace(0.01)


@pytest.mark.django_db
def test_a_second_sms_to_the_same_number_within_the_per_number_rate_is_rescheduled(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SMS_PER_NUMBER_PER_MINUTE = 2  # one every 30 s, no bursts
    customer = make_customer()
    ContactPreference.objects.create(profile=customer, late_contact_consent=True)
    number = f"+86137{timezone.now().microsecond:08d}"
    first = make_notice(customer, recipient=number)
    second = make_notice(customer, recipient=number)
    now = timezone.now()
    results = notices_deliver([first.pk, second.pk], now=now)
    assert results[first.pk] == NoticeStatus.DELIVERED
    assert results[second.pk] == NoticeStatus.PENDING
    second.refresh_from_db()
    assert second.reason_codes == ["SMS_NUMBER_RATE"] and second.attempts == 0
    assert now + dt.timedelta(seconds=25) < second.next_attempt_at <= now + dt.timedelta(seconds=31)
    assert len(list((tmp_path / "sms").rglob("*.json"))) == 1
    assert second.channel == ContactChannel.SMS
