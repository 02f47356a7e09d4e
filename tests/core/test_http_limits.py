"""API request limits: oversized bodies answer 413 before parsing, deep JSON a coded 400."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from core.errors import PayloadTooLargeError
from core.http_limits import LimitedJSONParser, json_depth_exceeds
from tests.accounts.factories import make_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"


@pytest.fixture
def api_client(db) -> Client:
    client = Client()
    login(client, make_customer().user)
    return client


def _case(**extra: object) -> dict[str, object]:
    return {"kind": "complaint", "category": "staff_conduct", "description": "Rude call.", **extra}


def test_oversized_json_body_is_refused_with_413(api_client, settings):
    settings.API_MAX_BODY_BYTES = 64 * 1024
    body = json.dumps(_case(description="x" * (200 * 1024)))
    response = api_client.post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert response.json()["message"]


def test_thirty_megabyte_json_is_refused_by_default(api_client):
    body = json.dumps(_case(description="x" * (30 * 1024 * 1024)))
    response = api_client.post(URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_oversized_multipart_body_is_refused_with_413(api_client, settings):
    settings.API_MAX_UPLOAD_BYTES = 1024
    response = api_client.post(URL, _case(description="y" * 4096))
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_parser_limits_the_actual_read_whatever_the_header_says(settings):
    settings.API_MAX_BODY_BYTES = 100
    with pytest.raises(PayloadTooLargeError) as excinfo:
        LimitedJSONParser().parse(io.BytesIO(b'{"a": "' + b"z" * 200 + b'"}'), "application/json", {})
    assert excinfo.value.code == "request_too_large" and excinfo.value.http_status == 413


@pytest.mark.parametrize("depth", [33, 50_000])
def test_deeply_nested_json_is_a_coded_400_not_a_crash(api_client, depth):
    body = json.dumps(_case())[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    response = api_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_deep_json_message_is_translated(api_client):
    body = "[" * 100 + "]" * 100
    response = api_client.post(URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "JSON" in response.json()["message"] and "nested" not in response.json()["message"]


def test_json_within_the_limits_is_parsed(api_client):
    response = api_client.post(URL, json.dumps(_case(extra=[[["ok"]]])), content_type="application/json")
    assert response.status_code == 201, response.content


def test_json_depth_counts_containers():
    assert not json_depth_exceeds([[1]], 2)
    assert json_depth_exceeds([[[1]]], 2)
    assert not json_depth_exceeds({"a": {"b": "c"}}, 2)
    assert not json_depth_exceeds("scalar", 0)
