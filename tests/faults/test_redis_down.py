"""Redis (cache, sessions' cache, throttles and the Celery broker) crashes while the portal is
serving: pages and payments keep working from the database; the notices written meanwhile wait
in the outbox and go out once Redis is back, through real worker and beat processes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ContactChannel, ContactPreference
from accounts.roles import Role
from appeals.models import Case
from contracts.models import Payment
from notices.models import Notice, NoticeStatus, Purpose
from portal.celery import app
from tests.accounts.factories import make_customer, make_staff
from tests.api.helpers import token_client
from tests.cases.factories import overdue_contract
from tests.celery_runtime import celery_processes, wait_for
from tests.conftest import login, login_verified_staff
from tests.faults.services import RedisProcess
from tests.notices.test_delivery_workers import all_final, worker_env


def _use_redis(settings, url: str) -> None:
    redis = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": django_settings.REDIS_CACHE_OPTIONS,
    }
    settings.CACHES = {"default": {**redis, "KEY_PREFIX": "faults"}, "progress": {**redis, "KEY_PREFIX": "faultsp"}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CELERY_BROKER_URL = url
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._pool = None  # the producer pool reconnects to the new broker


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_pages_and_payments_keep_working_and_notices_go_out_when_it_is_back(
    tmp_path, settings, mailbox_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox_server.port
    broker_url, pool = app.conf.broker_url, app._pool
    server = RedisProcess(tmp_path / "redis")
    server.start()
    try:
        _use_redis(settings, server.url)
        customer = make_customer()
        ContactPreference.objects.create(
            profile=customer, preferred_channel=ContactChannel.EMAIL, late_contact_consent=True
        )
        contract = overdue_contract(customer=customer)
        portal = Client()
        login(portal, customer.user)
        staff = Client()
        login_verified_staff(staff, make_staff(Role.SUPERVISOR))
        api = token_client(["payments:write", "contracts:read"])
        assert portal.get(reverse("portal:dashboard")).status_code == 200  # the session is in the cache too

        server.kill()
        assert not server.reachable()

        # Customers and staff keep working: pages, a payment through the API, a dispute.
        dashboard = portal.get(reverse("portal:dashboard"))
        assert dashboard.status_code == 200 and contract.number in dashboard.content.decode()
        assert portal.get(reverse("portal:contract", args=[contract.pk])).status_code == 200
        assert staff.get(reverse("staff:home")).status_code == 200
        assert staff.get(reverse("staff:contract_detail", args=[contract.pk])).status_code == 200
        paid = api.post(
            "/api/v1/payments",
            {
                "contract": contract.number,
                "amount": "50.00",
                "channel": "bank_transfer",
                "reference": "REDIS-DOWN-1",
                "received_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="redis-down-1",
        )
        assert paid.status_code == 201, paid.content
        assert Payment.objects.filter(contract=contract, external_reference="REDIS-DOWN-1").count() == 1
        filed = portal.post(
            reverse("portal:appeal_new"),
            {
                "kind": "dispute",
                "category": "amount_wrong",
                "contract": contract.pk,
                "description": "金额不对，我已经还过这一期。",
            },
        )
        assert filed.status_code == 302, filed.content.decode()[:2000]
        case = Case.objects.get(customer=customer)
        acknowledged = staff.post(reverse("staff:appeal_case", args=[case.pk]), {"action": "acknowledge"})
        assert acknowledged.status_code == 302
        waiting = list(
            Notice.objects.filter(
                customer=customer, purpose=Purpose.ACKNOWLEDGEMENT, channel=ContactChannel.EMAIL
            ).values_list("pk", flat=True)
        )
        assert len(waiting) == 1
        assert Notice.objects.get(pk=waiting[0]).status == NoticeStatus.PENDING
        assert mailbox_server.message_ids == []

        # Redis is back (empty: it kept nothing): the beat's relay finds the notice, a worker sends it.
        server.start()
        env = worker_env(tmp_path, mailbox_server.port, CELERY_BROKER_URL=server.url, REDIS_URL=server.url)
        with celery_processes(tmp_path, beat=True, extra_env=env):
            wait_for(lambda: all_final(waiting), timeout=90, logs=tmp_path)
        assert mailbox_server.message_ids == [Notice.objects.get(pk=waiting[0]).email_message_id]
    finally:
        server.stop()
        app.conf.broker_url, app._pool = broker_url, pool
