"""Branded, translated error pages (customers and staff) and DEBUG off unless asked for."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from accounts.roles import Role
from portal import urls as portal_urls
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db
BASE = Path(__file__).resolve().parents[2]


def _boom(request):
    raise RuntimeError("broken on purpose")


urlpatterns = [path("staff/boom/", _boom), path("boom/", _boom), *portal_urls.urlpatterns]
handler500 = "portal.views_errors.server_error"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_missing_page_is_the_branded_404_in_chinese_by_default(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = _text(response)
    assert 'id="error-page"' in body and "页面不存在" in body
    assert "Not Found" not in body and "URLconf" not in body
    assert "navbar-customer" in body and 'id="customer-footer"' in body


def test_the_404_follows_the_customers_language():
    me = make_customer()
    client = Client()
    login(client, me.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    response = client.get("/me/contracts/999999/")
    assert response.status_code == 404
    body = _text(response)
    assert "Page not found" in body and "Back to my account" in body


def test_an_agent_opening_the_outbox_gets_the_branded_403_in_the_staff_layout():
    agent = make_staff(Role.AGENT)
    client = Client()
    login_verified_staff(client, agent)
    response = client.get("/staff/outbox/")
    assert response.status_code == 403
    body = _text(response)
    assert 'id="error-page"' in body and "您无权访问此页面" in body
    assert "navbar-staff" in body and "navbar-customer" not in body
    assert 'id="customer-footer"' not in body
    assert "返回员工首页" in body


def test_a_customer_opening_a_staff_page_gets_the_branded_403(client):
    me = make_customer()
    login(client, me.user)
    response = client.get("/me/", follow=False)
    assert response.status_code == 200
    staff_page = client.get("/staff/customers/")
    assert staff_page.status_code in (302, 403)
    if staff_page.status_code == 403:
        assert 'id="error-page"' in _text(staff_page)


@pytest.mark.urls("tests.portal.test_error_pages")
def test_a_server_error_is_the_branded_500_without_the_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = _text(response)
    assert 'id="error-page"' in body and "服务器出了点问题" in body
    assert "broken on purpose" not in body and "Traceback" not in body
    staff = client.get("/staff/boom/")
    assert staff.status_code == 500 and "navbar-staff" in _text(staff)


def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/css/fairdue.css")
    assert response.status_code == 200


def _settings_debug(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings');"
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=BASE,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return (result.stdout + result.stderr).strip()


def test_debug_is_off_by_default_and_on_only_when_a_developer_asks():
    assert _settings_debug(DJANGO_ENV="development").endswith("False")
    assert _settings_debug(DJANGO_ENV="development", DJANGO_DEBUG="1").endswith("True")
    assert "DJANGO_DEBUG must be off" in _settings_debug(
        DJANGO_ENV="production",
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="x" * 64,
        DATABASE_URL="sqlite:///tmp/x.sqlite3",
        DJANGO_ALLOWED_HOSTS="fairdue.example",
        FIELD_ENCRYPTION_KEY="k",
    )
