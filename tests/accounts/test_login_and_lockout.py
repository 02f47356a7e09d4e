from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from audit.models import AuditEvent
from tests.accounts.factories import PASSWORD, make_customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["{email}", "{EMAIL}", "{phone}", "+86 {phone}", "{spaced}"])
def test_customer_logs_in_by_email_or_mobile_in_any_format(client, typed):
    profile = make_customer(phone="13912345678")
    email = profile.email
    identifier = typed.format(email=email, EMAIL=email.upper(), phone="13912345678", spaced="139 1234 5678")
    response = client.post("/accounts/login/", {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(profile.user_id)
    assert AuditEvent.objects.filter(action="auth.login", subject_user_id=profile.user_id).exists()


def test_failed_login_shows_a_clear_error_and_is_audited(client):
    profile = make_customer()
    response = client.post("/accounts/login/", {"username": profile.email, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed", data__identifier=profile.email).exists()


def test_logout_is_audited(client):
    profile = make_customer()
    client.post("/accounts/login/", {"username": profile.email, "password": PASSWORD})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.logout", subject_user_id=profile.user_id).exists()


def test_axes_locks_the_account_after_repeated_failures(client):
    profile = make_customer(phone="13912340000")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": profile.email, "password": "wrong"})
    # Locked: even the right password, typed as the mobile number, is refused.
    response = client.post("/accounts/login/", {"username": "139 1234 0000", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=profile.email).exists()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_successful_login_before_the_limit_resets_the_counter(client):
    profile = make_customer()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": profile.email, "password": "wrong"})
    assert client.post("/accounts/login/", {"username": profile.email, "password": PASSWORD}).status_code == 302
