from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from audit.models import AuditEvent
from tests.accounts.factories import make_customer, make_staff
from tests.conftest import login, login_verified_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/staff/", "/staff/customers/", "/admin/"])
def test_staff_without_a_device_is_sent_to_set_one_up(client, path):
    user = make_staff(Role.SUPERVISOR)
    login(client, user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")


def test_staff_with_a_device_but_unverified_session_is_asked_for_a_code(client):
    user = make_staff()
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    login(client, user)
    response = client.get("/staff/")
    assert response["Location"].startswith("/accounts/2fa/verify/")


def test_setup_flow_confirms_the_device_and_opens_staff_pages(client):
    user = make_staff()
    login(client, user)
    page = client.get("/accounts/2fa/setup/?next=/staff/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert re.search(r'id="totp-secret"[^>]*>[A-Z2-7]{32}<', page.content.decode())
    wrong = client.post("/accounts/2fa/setup/", {"token": "000000", "next": "/staff/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    response = client.post("/accounts/2fa/setup/", {"token": f"{totp(device.bin_key):06d}", "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.totp_confirmed", actor_id=user.pk).exists()


def test_verified_staff_reaches_staff_pages(verified_agent_client):
    assert verified_agent_client.get("/staff/").status_code == 200


def test_customers_cannot_reach_staff_pages(client):
    profile = make_customer()
    login(client, profile.user)
    assert client.get("/staff/").status_code == 403


def test_admin_requires_two_factor_too(client):
    admin = make_staff(Role.ADMIN)
    login(client, admin)
    assert client.get("/admin/").status_code == 302
    login_verified_staff(client, admin)
    assert client.get("/admin/").status_code == 200
