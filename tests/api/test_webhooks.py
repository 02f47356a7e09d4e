"""Webhooks end to end: an endpoint registered through the API, the outbox row written with
the payment, delivery to a real HTTP receiver on this machine, retries, dead letter, replay.

The receiver verifies signatures exactly as docs/API.md tells a receiver to (it does not use
the application's own signing code)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from accounts.models import WebhookDelivery, WebhookEndpoint
from accounts.models_api import DeliveryStatus
from accounts.services.webhooks import webhook_deliver, webhook_deliveries_due, webhook_delivery_replay
from audit.models import AuditEvent
from tests.api.helpers import token_client
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


def verify_signature(secret: str, header: str, raw_body: bytes, tolerance: int = 300) -> bool:
    """docs/API.md, "Verifying a delivery": split t= and v1=, HMAC-SHA256 over
    "<t>.<raw body>" with the secret, compare in constant time, refuse an old timestamp."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Receiver:
    def __init__(self, fail_first: int) -> None:
        self.fail_first = fail_first
        self.hits: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.hits) < receiver.fail_first else 200
                receiver.hits.append(
                    {
                        "status": status,
                        "raw": raw,
                        "signature": self.headers["Fairdue-Signature"],
                        "event": self.headers["Fairdue-Event"],
                        "delivery": self.headers["Fairdue-Delivery"],
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/fairdue"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def successes(self) -> list[dict]:
        return [hit for hit in self.hits if hit["status"] == 200]


@pytest.fixture
def receiver_factory():
    made = []

    def make(fail_first: int = 0) -> Receiver:
        receiver = Receiver(fail_first)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


def register(api, url, events=("payment.posted",)):
    response = api.post("/api/v1/webhooks", {"url": url, "events": list(events)}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def post_payment(api, contract, key="k-1"):
    response = api.post(
        "/api/v1/payments",
        {
            "contract": contract.number,
            "amount": "120.00",
            "channel": "bank_transfer",
            "reference": key,
            "received_at": "2026-02-10T10:00:00+08:00",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 201, response.json()
    return response.json()


def deliver_until_done(delivery: WebhookDelivery, *, tries: int) -> list[str]:
    outcomes = []
    moment = max(timezone.now(), delivery.next_attempt_at + dt.timedelta(seconds=1))
    for _ in range(tries):
        with time_machine.travel(moment, tick=True):
            outcomes.append(webhook_deliver(delivery_id=delivery.pk))
        delivery.refresh_from_db()
        moment = max(moment, delivery.next_attempt_at) + dt.timedelta(seconds=1)
    return outcomes


def test_signature_verifies_with_the_documented_algorithm(receiver_factory):
    receiver = receiver_factory()
    api = token_client(["payments:write", "events:read"])
    hook = register(api, receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in api.get(f"/api/v1/webhooks/{hook['id']}").json()
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    payment = post_payment(api, contract)
    delivery = WebhookDelivery.objects.get(event_type="payment.posted")
    assert webhook_deliver(delivery_id=delivery.pk) == "delivered"
    (hit,) = receiver.hits
    assert verify_signature(hook["secret"], hit["signature"], hit["raw"])
    assert not verify_signature("whsec_wrong", hit["signature"], hit["raw"])
    assert not verify_signature(hook["secret"], hit["signature"], hit["raw"].replace(b"120.00", b"999.00"))
    body = json.loads(hit["raw"])
    assert body["type"] == hit["event"] == "payment.posted"
    assert body["id"] == hit["delivery"] == str(delivery.event_id)
    assert body["data"]["payment"] == payment["id"] and body["data"]["amount"] == "120.00"
    assert body["data"]["contract"] == contract.number


def test_a_receiver_that_fails_three_times_then_succeeds_gets_exactly_one_successful_delivery(receiver_factory):
    receiver = receiver_factory(fail_first=3)
    api = token_client(["payments:write", "events:read"])
    register(api, receiver.url)
    post_payment(api, make_contract(start_date=dt.date(2026, 1, 1)))
    delivery = WebhookDelivery.objects.get()
    outcomes = deliver_until_done(delivery, tries=6)
    assert outcomes == ["retry", "retry", "retry", "delivered", "skipped", "skipped"]
    assert [hit["status"] for hit in receiver.hits] == [500, 500, 500, 200]
    assert len(receiver.successes) == 1
    assert len({hit["delivery"] for hit in receiver.hits}) == 1  # the same event id on every try
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 4
    assert delivery.pk not in webhook_deliveries_due()
    assert AuditEvent.objects.filter(action="webhook.delivered", object_id=str(delivery.pk)).count() == 1


def test_retries_back_off_then_dead_letter_and_replay_from_the_admin(receiver_factory, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver = receiver_factory(fail_first=3)
    api = token_client(["payments:write", "events:read"])
    register(api, receiver.url)
    post_payment(api, make_contract(start_date=dt.date(2026, 1, 1)))
    delivery = WebhookDelivery.objects.get()
    before = timezone.now()
    assert webhook_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    first_wait = delivery.next_attempt_at - before
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"  # not due yet
    assert deliver_until_done(delivery, tries=3) == ["retry", "dead", "skipped"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD and delivery.last_status_code == 500
    assert first_wait >= dt.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS - 1)
    from django.db import transaction

    from tests.accounts.factories import make_staff

    with transaction.atomic():
        webhook_delivery_replay(actor=make_staff(), delivery_id=delivery.pk)
    assert webhook_deliver(delivery_id=delivery.pk) == "delivered"
    assert len(receiver.successes) == 1
    assert AuditEvent.objects.filter(action="webhook.replayed").count() == 1
    assert AuditEvent.objects.filter(action="webhook.dead_lettered").count() == 1


def test_outbox_row_is_written_in_the_event_transaction_only_for_subscribers(receiver_factory):
    receiver = receiver_factory()
    api = token_client(["payments:write", "events:read"])
    register(api, receiver.url, events=["payment.reversed"])
    payment = post_payment(api, make_contract(start_date=dt.date(2026, 1, 1)))
    assert not WebhookDelivery.objects.exists()  # not subscribed to payment.posted
    api.post(f"/api/v1/payments/{payment['id']}/reverse", {"reason": "bounced"}, format="json")
    api.post(f"/api/v1/payments/{payment['id']}/reverse", {"reason": "bounced"}, format="json")
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event_type == "payment.reversed" and delivery.payload["data"]["reason"] == "bounced"


def test_webhook_registration_is_validated_and_scoped_to_the_client():
    api = token_client(["events:read"])
    bad = api.post("/api/v1/webhooks", {"url": "ftp://x.test/", "events": ["payment.posted"]}, format="json")
    assert bad.status_code == 400
    unknown = api.post("/api/v1/webhooks", {"url": "https://x.test/", "events": ["nope"]}, format="json")
    assert unknown.status_code == 400 and "events.0" in unknown.json()["field_errors"]
    hook = api.post("/api/v1/webhooks", {"url": "https://x.test/h", "events": ["contract.cured"]}, format="json").json()
    other = token_client(["events:read"])
    assert other.get(f"/api/v1/webhooks/{hook['id']}").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204
    assert api.get("/api/v1/webhooks").json() == []


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "https://127.0.0.1:8000/admin/",
        "https://10.0.0.5/hooks",
        "https://192.168.1.10/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:10.0.0.1]/hooks",
    ],
)
def test_in_production_a_webhook_to_a_private_or_local_address_is_refused_when_saved(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    api = token_client(["events:read"])
    refused = api.post("/api/v1/webhooks", {"url": url, "events": ["payment.posted"]}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "url"
    assert not WebhookEndpoint.objects.exists()


def test_in_production_a_name_that_resolves_to_a_private_address_is_not_called(receiver_factory, settings):
    receiver = receiver_factory()
    api = token_client(["payments:write", "events:read"])
    register(api, receiver.url.replace("127.0.0.1", "localhost"))  # a name: accepted when saved
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    post_payment(api, make_contract(start_date=dt.date(2026, 1, 1)))
    delivery = WebhookDelivery.objects.get()
    assert deliver_until_done(delivery, tries=1) == ["retry"]
    delivery.refresh_from_db()
    assert receiver.hits == [] and "non-public address" in delivery.last_error
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # (development) the same delivery goes out
    assert deliver_until_done(delivery, tries=1) == ["delivered"] and len(receiver.successes) == 1
