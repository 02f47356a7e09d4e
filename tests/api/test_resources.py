from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from appeals.models import Case
from contracts.models import Contract
from contracts.selectors import contract_balance
from contracts.services import delinquency_sweep_range, service_notice_give
from tests.accounts.factories import make_customer
from tests.api.helpers import token_client
from tests.contracts.factories import make_contract, make_product

pytestmark = pytest.mark.django_db


def sweep(contract, day):
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)


def test_customer_create_list_read_with_masked_contact_details():
    api = token_client(["contracts:write"])
    created = api.post("/api/v1/customers", {"legal_name": "李四", "email": "li@example.test"}, format="json")
    assert created.status_code == 201
    number = created.json()["number"]
    assert created.json()["name"] == "李*" and created.json()["email"] != "li@example.test"
    assert api.get(f"/api/v1/customers/{number}").json()["number"] == number
    assert api.get("/api/v1/customers", {"number": number}).json()["results"][0]["number"] == number
    assert api.get("/api/v1/customers/NOPE").json()["code"] == "customer_not_found"
    refused = api.post("/api/v1/customers", {"legal_name": "x"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    bad_zone = api.post(
        "/api/v1/customers", {"legal_name": "y", "email": "y@example.test", "timezone": "Mars/Base"}, format="json"
    )
    assert bad_zone.status_code == 400


def test_contract_create_and_read_with_balance():
    customer = make_customer()
    product = make_product()
    make_contract(product=product)  # publishes terms
    api = token_client(["contracts:write"])
    response = api.post(
        "/api/v1/contracts",
        {
            "customer": customer.customer_number,
            "product": product.code,
            "principal": "6000.00",
            "term": 6,
            "start_date": "2026-01-01",
            "number": "API-0001",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == "API-0001" and response.json()["principal"] == "6000.00"
    detail = api.get("/api/v1/contracts/API-0001").json()
    assert detail["balance"]["currency"] == "CNY" and len(detail["installments"]) == 6
    assert isinstance(detail["balance"]["payoff"], str)
    taken = api.post(
        "/api/v1/contracts",
        {
            "customer": customer.customer_number,
            "product": product.code,
            "principal": "1.00",
            "term": 6,
            "start_date": "2026-01-01",
            "number": "API-0001",
        },
        format="json",
    )
    assert taken.status_code == 400 and taken.json()["field"] == "number"
    assert Contract.objects.filter(number="API-0001").count() == 1


def test_bulk_create_is_all_or_nothing_with_row_errors():
    customer = make_customer()
    product = make_product()
    make_contract(product=product)
    api = token_client(["contracts:write"])
    row = {
        "customer": customer.customer_number,
        "product": product.code,
        "principal": "1000.00",
        "term": 3,
        "start_date": "2026-01-01",
    }
    before = Contract.objects.count()
    bad = api.post("/api/v1/contracts/bulk", {"contracts": [row, {**row, "product": "nope"}]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"index": 1, "field": "product", "code": "product_unknown", "message": bad.json()["errors"][0]["message"]}
    ]
    assert Contract.objects.count() == before
    good = api.post("/api/v1/contracts/bulk", {"contracts": [row, {**row, "term": 6}]}, format="json")
    assert good.status_code == 201 and good.json()["created"] == 2
    assert Contract.objects.count() == before + 2


def test_balance_and_payoff_quote_as_of_a_date_match_the_ledger():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    sweep(contract, dt.date(2026, 3, 1))
    api = token_client(["contracts:read"])
    stored = contract_balance(contract=contract, as_of=dt.date(2026, 3, 2))
    balance = api.get(f"/api/v1/contracts/{contract.number}/balance", {"as_of": "2026-03-02"}).json()
    assert Decimal(balance["payoff"]) == stored.payoff and Decimal(balance["overdue"]) == stored.overdue
    later = api.get(f"/api/v1/contracts/{contract.number}/payoff-quote", {"as_of": "2026-03-20"}).json()
    assert Decimal(later["payoff"]) > stored.payoff  # penalty interest keeps accruing until then
    # The quote changes nothing: the ledger is still accrued through 03-01.
    contract.refresh_from_db()
    assert contract.accrued_through == dt.date(2026, 3, 1)
    sweep(contract, dt.date(2026, 3, 19))
    after = contract_balance(contract=contract, as_of=dt.date(2026, 3, 20))
    assert Decimal(later["payoff"]) == after.payoff
    earlier = api.get(f"/api/v1/contracts/{contract.number}/payoff-quote", {"as_of": "2026-02-01"}).json()
    assert Decimal(earlier["payoff"]) < stored.payoff
    refused = api.get(f"/api/v1/contracts/{contract.number}/balance", {"as_of": "2025-12-01"})
    assert refused.status_code == 400 and refused.json()["code"] == "quote_date_out_of_range"
    assert api.get(f"/api/v1/contracts/{contract.number}/balance", {"as_of": "soon"}).status_code == 400


def test_service_eligibility_for_field_dispatch_and_its_webhook_events():
    from accounts.models import WebhookDelivery
    from contracts.models import ProductKind
    from contracts.services import payment_post

    contract = make_contract(
        kind=ProductKind.SERVICE_SUBSCRIPTION,
        schedule_method="subscription",
        annual_interest_rate=Decimal("0"),
        principal="199.00",
        term=12,
        penalty_daily_rate=Decimal("0"),
        late_fee_kind="none",
        start_date=dt.date(2026, 1, 1),
    )
    api = token_client(["eligibility:read", "events:read"])
    events = ["contract.delinquent", "contract.cured", "service.suspended", "service.restored"]
    assert (
        api.post("/api/v1/webhooks", {"url": "https://dispatch.test/h", "events": events}, format="json").status_code
        == 201
    )
    ref = contract.customer.customer_number
    allowed = api.get("/api/v1/service-eligibility", {"customer": ref}).json()
    assert allowed["state"] == "allowed" and allowed["may_dispatch"] is True
    sweep(contract, dt.date(2026, 2, 5))
    service_notice_give(actor=None, contract_id=contract.pk, on=dt.date(2026, 2, 5))
    notice = api.get("/api/v1/service-eligibility", {"customer": ref}).json()
    assert notice["state"] == "notice_given" and notice["may_dispatch"] is True
    assert notice["effective_date"] == "2026-02-12"
    sweep(contract, dt.date(2026, 2, 12))
    suspended = api.get("/api/v1/service-eligibility", {"customer": ref}).json()
    assert suspended["state"] == "suspended" and suspended["may_dispatch"] is False
    assert suspended["contract"] == contract.number and suspended["since"] == "2026-02-12"
    assert api.get("/api/v1/service-eligibility", {"contract": contract.number}).json()["state"] == "suspended"
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank",
        external_reference="s-1",
        amount=contract_balance(contract=contract, as_of=dt.date(2026, 2, 13)).pay_now,
        received_at=timezone.make_aware(dt.datetime(2026, 2, 13, 12)),
    )
    assert api.get("/api/v1/service-eligibility", {"customer": ref}).json()["state"] == "restored"
    assert sorted(WebhookDelivery.objects.values_list("event_type", flat=True)) == sorted(events)
    assert api.get("/api/v1/service-eligibility", {"customer": "NOPE"}).status_code == 404
    assert api.get("/api/v1/service-eligibility").status_code == 400


def test_delinquency_events_are_listed_oldest_first_with_filters(django_assert_max_num_queries):
    contracts = [make_contract(start_date=dt.date(2026, 1, 1)) for _ in range(3)]
    for contract in contracts:
        sweep(contract, dt.date(2026, 2, 10))
    api = token_client(["events:read"])
    with django_assert_max_num_queries(6):
        page = api.get("/api/v1/delinquency-events", {"event": "became_delinquent"}).json()
    assert [e["contract"] for e in page["results"]] == [c.number for c in contracts]
    assert page["results"][0]["on_date"] == "2026-02-02"
    only = api.get("/api/v1/delinquency-events", {"contract": contracts[1].number}).json()["results"]
    assert {e["contract"] for e in only} == {contracts[1].number}
    assert api.get("/api/v1/delinquency-events", {"on_date_from": "2030-01-01"}).json()["results"] == []


def test_lists_are_cursor_paginated_with_pinned_queries(django_assert_max_num_queries):
    for _ in range(5):
        make_contract()
    api = token_client(["contracts:read"])
    with django_assert_max_num_queries(5):
        first = api.get("/api/v1/contracts", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {c["number"] for c in first["results"]} & {c["number"] for c in second["results"]}
    bad = api.get("/api/v1/contracts", {"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.json()["field_errors"]


def test_appeals_create_and_read_through_the_api():
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    api = token_client(["appeals:write"])
    response = api.post(
        "/api/v1/appeals",
        {
            "customer": contract.customer.customer_number,
            "kind": "dispute",
            "category": "amount_wrong",
            "contract": contract.number,
            "description": "Charged twice for February.",
            "disputed_amount": "50.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    reference = response.json()["reference"]
    case = Case.objects.get(reference=reference)
    assert case.filed_via == "api" and case.hold_id is not None
    assert api.get(f"/api/v1/appeals/{reference}").json()["contract"] == contract.number
    listing = api.get("/api/v1/appeals", {"customer": contract.customer.customer_number}).json()
    assert [c["reference"] for c in listing["results"]] == [reference]
    other = make_customer()
    foreign = api.post(
        "/api/v1/appeals",
        {
            "customer": other.customer_number,
            "kind": "dispute",
            "category": "amount_wrong",
            "contract": contract.number,
            "description": "x",
        },
        format="json",
    )
    assert foreign.status_code == 404


def test_notice_status_list(django_assert_max_num_queries):
    from notices.models import Notice

    contract = make_contract(start_date=dt.date(2026, 1, 1))
    Notice.objects.create(
        idempotency_key="n-1",
        customer=contract.customer,
        contract=contract,
        purpose="reminder",
        channel="sms",
        locale="zh-hans",
        body="text",
        scheduled_for=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    api = token_client(["events:read"])
    with django_assert_max_num_queries(5):
        page = api.get("/api/v1/notices", {"contract": contract.number}).json()
    (notice,) = page["results"]
    assert notice["status"] == "pending" and "body" not in notice
    assert api.get(f"/api/v1/notices/{notice['id']}").json()["id"] == notice["id"]
