from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import IdempotentRequest
from contracts.models import Payment
from tests.api.helpers import token_client
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments"


def body(target, **overrides):
    values = {
        "contract": target.number,
        "amount": "100.00",
        "channel": "bank_transfer",
        "reference": "BT-1",
        "received_at": "2026-02-10T10:00:00+08:00",
    }
    values.update(overrides)
    return values


def test_same_payment_twice_with_one_idempotency_key_posts_once_and_answers_the_same():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api = token_client(["payments:write"])
    first = api.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="pay-0001")
    second = api.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="pay-0001")
    assert first.status_code == 201, first.json()
    assert second.status_code == first.status_code
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(contract=contract).count() == 1
    payment = Payment.objects.get(contract=contract)
    assert first.json()["id"] == payment.pk and first.json()["amount"] == "100.00"
    assert IdempotentRequest.objects.filter(key="pay-0001").count() == 1


def test_same_key_with_a_different_body_is_refused_and_changes_nothing():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api = token_client(["payments:write"])
    assert api.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    other = api.post(URL, body(contract, amount="5.00"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Payment.objects.filter(contract=contract).count() == 1


def test_key_is_required_and_belongs_to_its_client():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api = token_client(["payments:write"])
    missing = api.post(URL, body(contract), format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_missing"
    assert not Payment.objects.exists()
    assert api.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code == 201
    # Another client with the same key is its own request; the same payment reference is the
    # same payment, so it is not posted twice either (200 with the original).
    other = token_client(["payments:write"])
    again = other.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert again.status_code == 200 and Payment.objects.count() == 1


def test_invalid_input_has_field_errors_and_posts_nothing():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api = token_client(["payments:write"])
    response = api.post(URL, body(contract, amount="abc", channel=""), format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and set(data["field_errors"]) == {"amount", "channel"}
    too_much = api.post(URL, body(contract, amount="99999.00"), format="json", HTTP_IDEMPOTENCY_KEY="y")
    assert too_much.status_code == 400 and too_much.json()["code"] == "amount_exceeds_payoff"
    assert too_much.json()["field"] == "amount"
    unknown = api.post(URL, body(contract, contract="NOPE"), format="json", HTTP_IDEMPOTENCY_KEY="z")
    assert unknown.status_code == 404
    assert not Payment.objects.exists() and not IdempotentRequest.objects.exists()


def test_reverse_list_and_read():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api = token_client(["payments:write"])
    posted = api.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="r1").json()
    reversed_ = api.post(f"{URL}/{posted['id']}/reverse", {"reason": "bounced"}, format="json")
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    again = api.post(f"{URL}/{posted['id']}/reverse", {"reason": "bounced"}, format="json")
    assert again.json() == reversed_.json()
    listing = api.get(URL, {"contract": contract.number})
    assert [p["id"] for p in listing.json()["results"]] == [posted["id"]]
    assert api.get(f"{URL}/{posted['id']}").json()["status"] == "reversed"
    assert api.get(f"{URL}/999999").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_post_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL")
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api_token = token_client(["payments:write"])
    answers = []

    def post():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token.raw_token}")
        answers.append(client.post(URL, body(contract), format="json", HTTP_IDEMPOTENCY_KEY="race"))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Payment.objects.filter(contract=contract).count() == 1
    assert answers[0].json() == answers[1].json()
    assert Decimal(answers[0].json()["amount"]) == Decimal("100.00")
