"""Delivery with real Celery workers, a real SMTP server and (for the races) PostgreSQL: a
worker that dies after sending, two workers racing for one batch, an SMTP connection that
drops mid-batch, a broker that is down while staff act."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu import Producer
from kombu.exceptions import OperationalError

from accounts.models import ContactChannel, ContactPreference
from accounts.roles import Role
from notices.models import Notice, NoticeStatus, Purpose
from notices.services import notices_deliver
from tests.accounts.factories import make_customer, make_staff
from tests.celery_runtime import BASE, celery_processes, subprocess_database_url, wait_for
from tests.conftest import login_verified_staff
from tests.notices.test_celery_delivery import free_port
from tests.notices.test_delivery_semantics import Crash, email_notice


class Mailbox:
    """Counts messages by Message-ID; may drop the connection instead of answering one DATA."""

    def __init__(self, *, drop_at: int | None = None) -> None:
        self.message_ids: list[str] = []
        self.lock = threading.Lock()
        self.drop_at = drop_at
        self.datas = 0
        self.dropped = False

    async def handle_DATA(self, server, smtp_state, envelope):
        with self.lock:
            self.datas += 1
            if self.drop_at is not None and self.datas == self.drop_at and not self.dropped:
                self.dropped = True
                server.transport.close()  # the connection drops before the message is accepted
                return "421 closing"
            parsed = email.message_from_bytes(envelope.content)
            self.message_ids.append(str(parsed["Message-ID"]))
        return "250 OK"


@pytest.fixture
def mailbox_server(request):
    mailbox = Mailbox(**getattr(request, "param", {}))
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port  # type: ignore[attr-defined]
    yield mailbox
    controller.stop()


def worker_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "FAIRDUE_VAR_DIR": str(tmp_path / "var"),
        # A broker of this test's own (parallel tests must not take each other's tasks).
        "CELERY_BROKER_URL": "filesystem://",
        "DELIVERY_REQUEUE_AFTER_SECONDS": "1",
        "OUTBOX_RELAY_SECONDS": "1",
    }
    env.update(extra)
    return env


def publish(tmp_path: Path, env: dict[str, str], task: str, *argument_lists: list) -> None:
    """Put tasks on the test's broker from a separate process, as a web process would."""
    script = (
        "import django, json, sys; django.setup();"
        "from portal.celery import app;"
        f"[app.send_task({task!r}, args=a) for a in json.loads(sys.argv[1])]"
    )
    process_env = dict(os.environ)
    process_env.update(env)
    process_env.update(
        {
            "DATABASE_URL": subprocess_database_url(),
            "FAIRDUE_CELERY_DIR": str(tmp_path / "celery"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    subprocess.run(
        [sys.executable, "-c", script, json.dumps([list(a) for a in argument_lists])],
        cwd=BASE,
        env=process_env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def all_final(ids: list[int]) -> bool:
    return not Notice.objects.filter(pk__in=ids).exclude(status__in=[NoticeStatus.SENT]).exists()


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_dying_after_sending_resends_once_with_the_same_message_id(tmp_path, settings, mailbox_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox_server.port
    settings.DELIVERY_LEASE_SECONDS = 3
    now = timezone.now()
    notices = [email_notice(now=now, purpose=Purpose.ACKNOWLEDGEMENT) for _ in range(5)]
    for notice in notices:
        ContactPreference.objects.create(profile=notice.customer, late_contact_consent=True)
    ids = [n.pk for n in notices]

    def die_after_the_first(outcome):
        raise Crash

    with pytest.raises(Crash):
        notices_deliver(ids, after_send=die_after_the_first)  # claims all five, sends the first, dies before recording
    crashed_at = time.monotonic()
    assert mailbox_server.message_ids == [notices[0].email_message_id]
    assert set(Notice.objects.filter(pk__in=ids).values_list("status", flat=True)) == {NoticeStatus.SENDING}

    env = worker_env(tmp_path, mailbox_server.port, DELIVERY_LEASE_SECONDS="3")
    with celery_processes(tmp_path, beat=True, extra_env=env):
        wait_for(lambda: all_final(ids), timeout=60, logs=tmp_path)
    resumed_within = time.monotonic() - crashed_at
    assert resumed_within < 60
    counts = {mid: mailbox_server.message_ids.count(mid) for mid in set(mailbox_server.message_ids)}
    assert set(counts) == {n.email_message_id for n in notices}  # none lost
    assert counts[notices[0].email_message_id] == 2  # the one in flight, sent again with its id
    assert sum(counts.values()) - len(counts) == 1  # no other duplicate


@pytest.mark.celery_worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_batch_send_each_message_once(tmp_path, mailbox_server):
    now = timezone.now()
    notices = [email_notice(now=now) for _ in range(60)]
    for notice in notices:
        ContactPreference.objects.create(profile=notice.customer, late_contact_consent=True)
    ids = [n.pk for n in notices]
    env = worker_env(tmp_path, mailbox_server.port, OUTBOX_RELAY_SECONDS="3600")
    # The same batch four times on the queue before both workers start: they race for it.
    publish(tmp_path, env, "notices.tasks.deliver_notices", [ids], [ids], [ids[::-1]], [ids[::-1]])
    with celery_processes(tmp_path, extra_env=env, workers=2):
        wait_for(lambda: all_final(ids), timeout=120, logs=tmp_path)
        time.sleep(2)  # a late duplicate would arrive now
    assert sorted(mailbox_server.message_ids) == sorted(n.email_message_id for n in notices)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mailbox_server", [{"drop_at": 4}], indirect=True)
def test_an_smtp_connection_dropped_mid_batch_is_reopened_and_the_batch_completes(tmp_path, mailbox_server):
    now = timezone.now()
    notices = [email_notice(now=now) for _ in range(10)]
    for notice in notices:
        ContactPreference.objects.create(profile=notice.customer, late_contact_consent=True)
    ids = [n.pk for n in notices]
    env = worker_env(tmp_path, mailbox_server.port, OUTBOX_RELAY_SECONDS="3600")
    publish(tmp_path, env, "notices.tasks.deliver_notices", [ids])
    with celery_processes(tmp_path, extra_env=env):
        wait_for(lambda: all_final(ids), timeout=90, logs=tmp_path)
    assert mailbox_server.dropped
    assert sorted(mailbox_server.message_ids) == sorted(n.email_message_id for n in notices)
    # Done in the same batch, on a fresh connection: no notice needed a later retry.
    assert set(Notice.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_broker_down_during_a_staff_action_the_page_succeeds_and_the_notice_goes_out_later(
    tmp_path, monkeypatch, mailbox_server
):
    from appeals.services import case_file

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
    client = Client(raise_request_exception=True)
    login_verified_staff(client, make_staff(Role.AGENT))

    def broker_down(self, body, *args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(Producer, "publish", broker_down)
    response = client.post(reverse("staff:appeal_case", kwargs={"pk": case.pk}), {"action": "acknowledge"})
    monkeypatch.undo()
    assert response.status_code == 302
    email_row = Notice.objects.get(customer=customer, purpose=Purpose.ACKNOWLEDGEMENT, channel=ContactChannel.EMAIL)
    assert email_row.status == NoticeStatus.PENDING and mailbox_server.message_ids == []

    # The broker is back: the relay (on the beat) finds the row whose task never arrived.
    with celery_processes(tmp_path, beat=True, extra_env=worker_env(tmp_path, mailbox_server.port)):
        wait_for(lambda: all_final([email_row.pk]), timeout=90, logs=tmp_path)
    assert mailbox_server.message_ids == [email_row.email_message_id]
