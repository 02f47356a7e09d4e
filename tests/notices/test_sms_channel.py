"""The SMS channel: file backend, the signed HTTP gateway against a real local server, the
per-number daily limit, and signed delivery receipts."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ContactChannel
from audit.models import AuditEvent
from notices.channels import ChannelError
from notices.channels.sms import (
    FileSmsBackend,
    HttpSmsGateway,
    SmsChannel,
    SmsDailyLimitReached,
    get_sms_backend,
    sms_daily_quota_take,
)
from notices.models import DeliveryReceipt, Notice, NoticeStatus, Purpose, SmsDailyCount
from tests.accounts.factories import make_customer

KEY_ID = "key-test"
GATEWAY_SECRET = "gateway-secret-for-tests"
RECEIPT_SECRET = "receipt-secret-for-tests"
_keys = itertools.count(1)


def make_notice(customer=None, **fields) -> Notice:
    now = timezone.now()
    values = {
        "idempotency_key": f"sms-test-{next(_keys)}",
        "customer": customer or make_customer(),
        "purpose": Purpose.PRE_DUE_REMINDER,
        "channel": ContactChannel.SMS,
        "locale": "zh-hans",
        "recipient": "+8613900000001",
        "body": "您的账单将于 2025-03-01 到期，应还 1,234.50 元。",
        "scheduled_for": now,
        "next_attempt_at": now,
    }
    values.update(fields)
    return Notice.objects.create(**values)


# --- a real gateway on 127.0.0.1 ---------------------------------------------------------------
class FakeGateway:
    """Answers each POST with the next scripted action (then ``ok``), after checking the signature
    with its own HMAC."""

    def __init__(self) -> None:
        self.script: deque[str] = deque()
        self.requests: list[dict] = []
        self.release = threading.Event()
        self._ids = itertools.count(1)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        timestamp = handler.headers.get("X-Timestamp", "")
        nonce = handler.headers.get("X-Nonce", "")
        expected = hmac.new(
            GATEWAY_SECRET.encode(), timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body, hashlib.sha256
        ).hexdigest()
        signature_ok = hmac.compare_digest(expected, handler.headers.get("X-Signature", ""))
        self.requests.append(
            {
                "body": json.loads(body),
                "key_id": handler.headers.get("X-Key-Id"),
                "timestamp": timestamp,
                "nonce": nonce,
                "signature_ok": signature_ok,
            }
        )
        if not signature_ok:
            return self._reply(handler, 401, {"error": "bad signature"})
        action = self.script.popleft() if self.script else "ok"
        if action == "ok":
            return self._reply(handler, 200, {"message_id": f"gw-{next(self._ids)}"})
        if action == "timeout":
            self.release.wait(10)  # longer than the client waits; released at teardown
            return None
        status = int(action)
        return self._reply(handler, status, {"error": f"scripted {status}"})

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@pytest.fixture
def gateway():
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            try:
                fake.handle(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def make_gateway(fake: FakeGateway, sleeps: list[float], **overrides) -> HttpSmsGateway:
    options = {
        "url": fake.url,
        "key_id": KEY_ID,
        "secret": GATEWAY_SECRET,
        "timeout": 2,
        "retries": 3,
        "sleep": sleeps.append,
    }
    options.update(overrides)
    return HttpSmsGateway(**options)


@pytest.mark.django_db
def test_gateway_signs_the_request_and_returns_the_message_id(gateway):
    notice = make_notice()
    sleeps: list[float] = []

    result = make_gateway(gateway, sleeps).send(notice)

    assert result.provider_message_id == "gw-1"
    assert result.status == "sent"
    assert sleeps == []
    [request] = gateway.requests
    assert request["signature_ok"]
    assert request["key_id"] == KEY_ID
    # The client reference derives from the notice's idempotency key: a resend after a crash
    # carries the same one.
    expected_ref = hashlib.sha256(notice.idempotency_key.encode()).hexdigest()[:32]
    assert request["body"] == {"to": notice.recipient, "body": notice.body, "client_ref": expected_ref}
    assert abs(int(request["timestamp"]) - time.time()) < 60
    assert len(request["nonce"]) >= 16


@pytest.mark.django_db
def test_gateway_with_the_wrong_secret_is_refused_terminally(gateway):
    sleeps: list[float] = []
    with pytest.raises(ChannelError) as caught:
        make_gateway(gateway, sleeps, secret="not-the-secret").send(make_notice())
    assert caught.value.transient is False
    assert "401" in str(caught.value)
    assert [r["signature_ok"] for r in gateway.requests] == [False]


@pytest.mark.django_db
def test_gateway_retries_5xx_and_429_with_backoff_then_succeeds(gateway):
    gateway.script.extend(["500", "429", "503"])
    sleeps: list[float] = []

    result = make_gateway(gateway, sleeps).send(make_notice())

    assert result.provider_message_id == "gw-1"
    assert len(gateway.requests) == 4
    assert all(r["signature_ok"] for r in gateway.requests)
    assert sleeps == [0.5, 1.0, 2.0]
    # Every attempt is signed afresh, but keeps the reference the gateway deduplicates on.
    assert len({r["nonce"] for r in gateway.requests}) == 4
    assert len({r["body"]["client_ref"] for r in gateway.requests}) == 1


@pytest.mark.django_db
def test_gateway_gives_up_after_the_configured_retries_with_a_transient_error(gateway):
    gateway.script.extend(["500"] * 10)
    sleeps: list[float] = []
    with pytest.raises(ChannelError) as caught:
        make_gateway(gateway, sleeps, retries=2).send(make_notice())
    assert caught.value.transient is True
    assert len(gateway.requests) == 3
    assert sleeps == [0.5, 1.0]


@pytest.mark.django_db
def test_gateway_400_is_terminal_and_not_retried(gateway):
    gateway.script.append("400")
    sleeps: list[float] = []
    with pytest.raises(ChannelError) as caught:
        make_gateway(gateway, sleeps).send(make_notice())
    assert caught.value.transient is False
    assert "400" in str(caught.value)
    assert "scripted 400" in str(caught.value)
    assert len(gateway.requests) == 1
    assert sleeps == []


@pytest.mark.django_db
def test_gateway_timeout_is_retried_then_succeeds(gateway):
    gateway.script.append("timeout")
    sleeps: list[float] = []

    result = make_gateway(gateway, sleeps, timeout=0.3).send(make_notice())

    assert result.provider_message_id == "gw-1"
    assert len(gateway.requests) == 2
    assert sleeps == [0.5]


@pytest.mark.django_db
def test_gateway_timeouts_exhaust_the_retries_into_a_transient_error(gateway):
    gateway.script.extend(["timeout"] * 3)
    sleeps: list[float] = []
    started = time.monotonic()
    with pytest.raises(ChannelError) as caught:
        make_gateway(gateway, sleeps, timeout=0.3, retries=2).send(make_notice())
    assert caught.value.transient is True
    assert "after 3 attempts" in str(caught.value)
    assert len(gateway.requests) == 3
    assert sleeps == [0.5, 1.0]
    assert time.monotonic() - started < 5  # the timeout really bounded each attempt


@pytest.mark.django_db
def test_gateway_unreachable_is_transient(gateway):
    sleeps: list[float] = []
    with pytest.raises(ChannelError) as caught:
        # Port 9 (discard) on loopback: nothing listens, the connection is refused.
        make_gateway(gateway, sleeps, url="http://127.0.0.1:9/v1/sms", retries=1).send(make_notice())
    assert caught.value.transient is True
    assert sleeps == [0.5]


# --- file backend --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_file_backend_writes_one_json_file_per_message(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    notice = make_notice()

    result = FileSmsBackend().send(notice)

    folder = tmp_path / "sms" / timezone.localdate().isoformat()
    [written] = list(folder.iterdir())
    assert written.name.startswith(f"{notice.pk}-") and written.suffix == ".json"
    message = json.loads(written.read_text(encoding="utf-8"))
    assert message["to"] == notice.recipient
    assert message["body"] == notice.body
    assert message["notice_id"] == notice.pk
    assert dt.datetime.fromisoformat(message["sent_at"]) <= timezone.now()
    assert result.status == "delivered"
    assert result.provider_message_id == f"file-{written.stem.split('-', 1)[1]}"


def test_default_backend_is_the_file_backend(settings):
    settings.SMS_BACKEND = "notices.channels.sms.FileSmsBackend"
    assert isinstance(get_sms_backend(), FileSmsBackend)


# --- per-number daily limit ----------------------------------------------------------------------
@pytest.mark.django_db
def test_daily_limit_per_number_is_enforced(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 3
    channel = SmsChannel(backend=FileSmsBackend())
    customer = make_customer()

    # The same number, however it is written, shares one count.
    for recipient in ("+8613900000001", "13900000001", "139 0000 0001"):
        channel.send(make_notice(customer, recipient=recipient))
    with pytest.raises(SmsDailyLimitReached) as caught:
        channel.send(make_notice(customer, recipient="+8613900000001"))

    assert caught.value.transient is False
    assert "sms_daily_limit" in str(caught.value)
    assert len(list((tmp_path / "sms").rglob("*.json"))) == 3  # the refused one was not sent
    today = timezone.localdate()
    assert SmsDailyCount.objects.get(number="+8613900000001", day=today).count == 3

    # Another number is not affected, nor the same number on another day.
    channel.send(make_notice(customer, recipient="+8613900000002"))
    assert sms_daily_quota_take(number="+8613900000001", day=today + dt.timedelta(days=1)) == 1
    assert SmsDailyCount.objects.get(number="+8613900000002", day=today).count == 1


@pytest.mark.django_db
def test_invalid_number_is_a_terminal_failure():
    with pytest.raises(ChannelError) as caught:
        sms_daily_quota_take(number="not a number", day=timezone.localdate())
    assert caught.value.transient is False
    assert not SmsDailyCount.objects.exists()


# --- signed delivery receipts --------------------------------------------------------------------
@pytest.fixture
def receipt_secret(settings):
    settings.SMS_RECEIPT_SECRET = RECEIPT_SECRET
    return RECEIPT_SECRET


def post_receipt(client, payload: dict, *, secret: str = RECEIPT_SECRET, signature: str | None = None):
    body = json.dumps(payload).encode()
    if signature is None:
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("notices:sms_receipt"), data=body, content_type="application/json", headers={"X-Signature": signature}
    )


def sent_notice(message_id: str = "gw-receipt-1") -> Notice:
    return make_notice(status=NoticeStatus.SENT, provider_message_id=message_id, sent_at=timezone.now())


@pytest.mark.django_db
def test_signed_receipt_marks_the_notice_delivered_and_a_repeat_changes_nothing(client, receipt_secret):
    notice = sent_notice()
    payload = {"message_id": "gw-receipt-1", "status": "delivered", "timestamp": int(time.time())}

    response = post_receipt(client, payload)

    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED
    assert notice.delivered_at is not None
    first_delivered_at = notice.delivered_at
    assert DeliveryReceipt.objects.filter(provider_message_id="gw-receipt-1", status="delivered").count() == 1
    [event] = AuditEvent.objects.filter(action="sms.receipt_recorded")
    assert event.object_type == "notices.notice" and event.object_id == str(notice.pk)
    assert event.data["applied"] is True

    repeat = post_receipt(client, payload)

    assert repeat.status_code == 200
    assert repeat.json()["duplicate"] is True
    notice.refresh_from_db()
    assert notice.delivered_at == first_delivered_at
    assert DeliveryReceipt.objects.count() == 1
    assert AuditEvent.objects.filter(action="sms.receipt_recorded").count() == 1


@pytest.mark.django_db
def test_signed_failure_receipt_marks_the_notice_failed(client, receipt_secret):
    notice = sent_notice("gw-receipt-2")
    payload = {"message_id": "gw-receipt-2", "status": "failed", "timestamp": int(time.time()), "error": "UNDELIV"}

    response = post_receipt(client, payload)

    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert "UNDELIV" in notice.last_error
    assert notice.delivered_at is None


@pytest.mark.django_db
def test_receipt_with_a_bad_signature_is_refused_and_audited(client, receipt_secret):
    notice = sent_notice()
    payload = {"message_id": "gw-receipt-1", "status": "delivered", "timestamp": int(time.time())}

    forged = post_receipt(client, payload, secret="guessed-secret")
    unsigned = client.post(reverse("notices:sms_receipt"), data=json.dumps(payload), content_type="application/json")

    assert forged.status_code == 403
    assert unsigned.status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert notice.delivered_at is None
    assert not DeliveryReceipt.objects.exists()
    rejected = AuditEvent.objects.filter(action="sms.receipt_rejected")
    assert [e.data["reason"] for e in rejected] == ["bad_signature", "bad_signature"]
    assert not AuditEvent.objects.filter(action="sms.receipt_recorded").exists()


@pytest.mark.django_db
def test_receipts_are_refused_while_no_secret_is_configured(client, settings):
    settings.SMS_RECEIPT_SECRET = ""
    notice = sent_notice()
    payload = {"message_id": "gw-receipt-1", "status": "delivered", "timestamp": int(time.time())}

    response = post_receipt(client, payload, secret="")

    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert not DeliveryReceipt.objects.exists()


@pytest.mark.django_db
def test_receipt_with_an_old_timestamp_is_refused(client, receipt_secret):
    notice = sent_notice()
    eleven_minutes_ago = int(time.time()) - 11 * 60
    payload = {"message_id": "gw-receipt-1", "status": "delivered", "timestamp": eleven_minutes_ago}

    response = post_receipt(client, payload)

    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert not DeliveryReceipt.objects.exists()
    [event] = AuditEvent.objects.filter(action="sms.receipt_rejected")
    assert event.data["reason"] == "stale_timestamp"


@pytest.mark.django_db
def test_signed_but_malformed_receipt_is_a_bad_request(client, receipt_secret):
    response = post_receipt(client, {"message_id": "gw-receipt-1", "status": "read", "timestamp": int(time.time())})

    assert response.status_code == 400
    assert not DeliveryReceipt.objects.exists()
    [event] = AuditEvent.objects.filter(action="sms.receipt_rejected")
    assert event.data["reason"] == "invalid_payload"


@pytest.mark.django_db
def test_receipt_endpoint_accepts_only_post(client, receipt_secret):
    assert client.get(reverse("notices:sms_receipt")).status_code == 405
