"""Small things a newcomer trips on: a way back from every customer page, the right keyboard."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import make_customer
from tests.portal.test_customer_pages import customer_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["portal:messages", "portal:preferences", "portal:visits"])
def test_messages_preferences_and_visits_lead_back_to_the_account(name):
    me = make_customer()
    body = customer_client(me).get(reverse(name)).content.decode()
    dashboard = reverse("portal:dashboard")
    assert re.search(rf'<nav aria-label="breadcrumb">.*?href="{dashboard}"', body, re.S)


def test_the_login_field_takes_an_email_or_a_phone_number_with_a_plain_keyboard():
    body = Client().get(reverse("accounts:login")).content.decode()
    field = re.search(r'<input[^>]*name="username"[^>]*>', body).group(0)
    assert 'autocomplete="username"' in field
    assert 'inputmode="email"' not in field and 'inputmode="text"' in field
    assert 'autocapitalize="none"' in field
