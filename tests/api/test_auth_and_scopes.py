from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services.api_access import api_token_revoke
from audit.models import AuditEvent
from tests.accounts.factories import make_customer, make_staff
from tests.api.helpers import make_token, token_client
from tests.conftest import login, login_verified_staff
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_shown_once():
    token, raw = make_token(["contracts:read"])
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith(f"fd_{stored.prefix}_")
    assert raw not in str(stored.__dict__.values()) and stored.key_hash != raw and len(stored.key_hash) == 64
    assert AuditEvent.objects.filter(action="api_token.issued", object_id=str(token.pk)).exists()


def test_no_credentials_is_401_in_the_one_error_shape():
    response = APIClient().get("/api/v1/contracts")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated" and body["message"]


def test_token_without_the_scope_gets_403():
    contract = make_contract()
    api = token_client(["contracts:read"])
    response = api.post(
        "/api/v1/payments",
        {"contract": contract.number, "amount": "10.00", "channel": "bank", "reference": "T1"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not contract.payments.exists()
    eligibility = api.get("/api/v1/service-eligibility", {"customer": contract.customer.customer_number})
    assert eligibility.status_code == 403


def test_a_write_scope_reads_what_it_writes():
    make_contract()
    assert token_client(["payments:write"]).get("/api/v1/contracts").status_code == 200
    assert token_client(["eligibility:read"]).get("/api/v1/contracts").status_code == 403


def test_revoked_token_and_inactive_client_are_refused():
    api = token_client(["contracts:read"])
    assert api.get("/api/v1/customers").status_code == 200
    from django.db import transaction

    with transaction.atomic():
        api_token_revoke(actor=None, token=api.token)
    assert api.get("/api/v1/customers").status_code == 401
    other = token_client(["contracts:read"])
    client = other.token.client
    client.is_active = False
    client.save()
    assert other.get("/api/v1/customers").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer fd_nothing_here")
    assert bad.get("/api/v1/customers").status_code == 401


def test_throttled_per_client():
    api = token_client(["contracts:read"], rate=3)
    codes = [api.get("/api/v1/customers").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert token_client(["contracts:read"]).get("/api/v1/customers").status_code == 200


def test_session_staff_need_the_mapped_permission_and_a_verified_second_factor():
    from django.test import Client

    from accounts.roles import Role

    make_contract()
    unverified = Client()
    login(unverified, make_staff(Role.ADMIN))
    assert unverified.get("/api/v1/contracts").status_code == 403
    admin = Client()
    login_verified_staff(admin, make_staff(Role.ADMIN))
    assert admin.get("/api/v1/contracts").status_code == 200
    agent = Client()
    login_verified_staff(agent, make_staff(Role.AGENT))
    assert agent.get("/api/v1/contracts").status_code == 403
    customer = Client()
    login(customer, make_customer().user)
    assert customer.get("/api/v1/contracts").status_code == 403


def test_audit_names_the_client_for_writes_by_token():
    api = token_client(["contracts:write"])
    response = api.post("/api/v1/customers", {"legal_name": "张三", "phone": "13900001111"}, format="json")
    assert response.status_code == 201, response.json()
    event = AuditEvent.objects.get(action="customer.created", data__customer_number=response.json()["number"])
    assert event.actor_label == f"api:{api.token.client.name}"
