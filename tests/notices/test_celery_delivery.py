"""End to end with a real Celery worker: the nightly task sweeps the demo contracts, the ladder
writes its notices, the worker delivers them (email to a real SMTP server), and running it all
again sends nothing new."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from accounts.models import ContactPreference, CustomerProfile
from notices.models import Notice, NoticeStatus
from portal.demo import DEMO_PASSWORD, load_demo_data
from tests.celery_runtime import BASE, celery_processes, subprocess_database_url, wait_for


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


LATE_EMAIL = "late3@test.fairdue.example"


def _three_days_late_tonight(today: dt.date) -> None:
    """A customer whose first installment fell due three days before ``today``, signed up
    after the demo's last night: tonight's ladder owes them its first overdue steps."""
    from accounts.services import customer_create
    from contracts.models import TermsVersion
    from contracts.schedules import add_months
    from contracts.services import contract_create

    profile = customer_create(
        actor=None, legal_name="迟三天", password=DEMO_PASSWORD, email=LATE_EMAIL, phone="13800138099"
    )
    first_due = today - dt.timedelta(days=3)
    start = add_months(first_due, -1, first_due.day)
    contract_create(
        actor=None,
        customer=profile,
        terms=TermsVersion.objects.filter(product__code="demo-loan").latest("version"),
        principal=Decimal("3000.00"),
        term=3,
        start_date=start,
        first_due_date=first_due,
        signed_at=timezone.now(),
    )


def celery_call(tmp_path: Path, task: str, *args: str) -> None:
    env = dict(os.environ)
    env.update({"DATABASE_URL": subprocess_database_url(), "FAIRDUE_CELERY_DIR": str(tmp_path / "celery")})
    argv = "[" + ",".join(f'"{a}"' for a in args) + "]"
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "portal", "call", task, f"--args={argv}"],
        cwd=BASE,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_nightly_task_sends_the_ladder_notices_once(tmp_path):
    today = timezone.localdate()
    load_demo_data(today=today)  # its history (through yesterday) is sent already
    _three_days_late_tonight(today)
    # The run must not depend on the hour CI happens to run at: these customers agreed to
    # contact in the quiet hours (the quiet-hours rule itself is tested elsewhere).
    for profile in CustomerProfile.objects.all():
        ContactPreference.objects.update_or_create(profile=profile, defaults={"late_contact_consent": True})
    mailbox = Mailbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        env = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "FAIRDUE_VAR_DIR": str(tmp_path / "var")}
        with celery_processes(tmp_path, extra_env=env):
            celery_call(tmp_path, "notices.tasks.sweep_and_notify", today.isoformat())
            wait_for(
                lambda: (
                    # Tonight's notices exist (the demo's history alone must not satisfy this: it
                    # is all sent already), and none is waiting or being sent: a claimed notice is
                    # ``sending`` until its batch's outcomes are recorded.
                    Notice.objects.filter(customer__email=LATE_EMAIL).exists()
                    and not Notice.objects.filter(status__in=[NoticeStatus.PENDING, NoticeStatus.SENDING]).exists()
                ),
                timeout=180,  # a loaded 2-core CI machine: generous, still bounded
                logs=tmp_path,
            )
            wait_for(lambda: len(mailbox.messages) >= 1, timeout=60, logs=tmp_path)
            overdue3 = CustomerProfile.objects.get(email=LATE_EMAIL)
            sent = {(n.step.code, n.channel, n.status) for n in Notice.objects.filter(customer=overdue3)}
            assert ("dpd-1", "email", NoticeStatus.SENT) in sent
            assert ("dpd-1", "sms", NoticeStatus.DELIVERED) in sent
            assert ("dpd-3", "in_app", NoticeStatus.DELIVERED) in sent
            recipients = [r for rcpts, _ in mailbox.messages for r in rcpts]
            assert recipients.count(LATE_EMAIL) == 1
            body = next(content for rcpts, content in mailbox.messages if LATE_EMAIL in rcpts)
            assert "X-Fairdue-Notice" in body
            before = (Notice.objects.count(), len(mailbox.messages))
            # Again: the sweep, the ladder and the relay find nothing new to send.
            celery_call(tmp_path, "notices.tasks.sweep_and_notify", today.isoformat())
            celery_call(tmp_path, "notices.tasks.outbox_relay")
            time.sleep(5)
            assert (Notice.objects.count(), len(mailbox.messages)) == before
    finally:
        smtp.stop()
