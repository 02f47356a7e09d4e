"""Schemathesis against the live schema (``/api/schema/``, served by the application itself)
for every operation, with a client token that holds every scope and with a verified staff
session: no 5xx, and every answer conforms to the schema (status code, content type, headers,
body). Examples per operation are bounded so the suite stays fast."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.roles import Role
from contracts.services import payment_post
from portal.wsgi import application
from tests.accounts.factories import make_staff
from tests.api.helpers import make_token
from tests.conftest import login_verified_staff
from tests.contracts.factories import make_contract

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 5


def _live_schema() -> schemathesis.BaseSchema:
    """The schema the running application serves, fetched through its WSGI entry point."""
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@contextmanager
def wsgi_in_test_transaction():
    """Calls go straight to the WSGI application: keep Django from closing the test's
    connection at the end of each request, as its own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = _live_schema()


def _seed():
    from django.utils import timezone

    contract = make_contract(start_date=dt.date(2026, 1, 1))
    payment_post(
        actor=None,
        contract_id=contract.pk,
        channel="bank_transfer",
        external_reference="SEED-1",
        amount="100.00",
        received_at=timezone.make_aware(dt.datetime(2026, 2, 1, 10)),
    )


@pytest.fixture
def token_credentials(db):
    _seed()
    _token, raw = make_token(rate=1_000_000)
    with wsgi_in_test_transaction():
        yield {"headers": {"Authorization": f"Bearer {raw}", "Idempotency-Key": "schemathesis"}, "cookies": {}}


@pytest.fixture
def session_credentials(db):
    _seed()
    browser = Client()
    login_verified_staff(browser, make_staff(Role.ADMIN))
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"].value
    with wsgi_in_test_transaction():
        yield {
            "headers": {"X-CSRFToken": csrf, "Idempotency-Key": "schemathesis"},
            "cookies": {"sessionid": browser.cookies["sessionid"].value, "csrftoken": csrf},
        }


BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
    derandomize=True,
)


def _call(case, credentials):
    headers = {**(case.headers or {}), **credentials["headers"]}
    case.call_and_validate(headers=headers, cookies=credentials["cookies"], checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_every_operation_conforms_with_a_token(case, token_credentials):
    _call(case, token_credentials)


@schema.parametrize()
@BOUNDED
def test_every_operation_conforms_with_a_session(case, session_credentials):
    _call(case, session_credentials)
