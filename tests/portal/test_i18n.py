from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.accounts.factories import make_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_login_page_defaults_to_simplified_chinese(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-Hans"' in body
    assert "登录" in body


def test_language_switch_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    assert 'lang="en"' in response.content.decode() and "Log in" in response.content.decode()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"}, follow=True)
    assert "登录" in response.content.decode()


def test_a_customers_language_choice_is_remembered_and_audited(client):
    profile = make_customer()
    login(client, profile.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    profile.refresh_from_db()
    profile.user.refresh_from_db()
    assert profile.language == "en" and profile.user.language == "en"
    assert AuditEvent.objects.filter(action="user.language_set", actor_id=profile.user_id).exists()


def test_customer_and_staff_areas_look_different(verified_agent_client):
    profile = make_customer()
    customer_client = Client()
    login(customer_client, profile.user)
    customer_page = customer_client.get("/me/").content.decode()
    staff_page = verified_agent_client.get("/staff/").content.decode()
    assert "navbar-customer" in customer_page and "navbar-staff" not in customer_page
    assert "navbar-staff" in staff_page and "staff-area" in staff_page
