from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.models import User
from accounts.roles import Role
from tests.accounts.factories import PASSWORD, make_customer, make_staff


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit and refusal counters live in the cache: each test starts with none. The
    holiday calendar's in-process copy too: a test's edits roll back with its transaction."""
    from appeals.calendar import calendar_drop

    _clear_own_cache()
    calendar_drop()
    yield
    _clear_own_cache()
    calendar_drop()


def _clear_own_cache() -> None:
    """Clear this test process's keys only: on a Redis shared by parallel test processes a
    ``flushdb`` would wipe another process's counters in the middle of its test."""
    from django.conf import settings

    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    if not prefix:
        cache.clear()
        return
    cache.delete_pattern("*")  # type: ignore[attr-defined]  # django-redis: this prefix's keys only


@pytest.fixture
def customer(db):
    return make_customer()


@pytest.fixture
def staff_factory(db):
    return make_staff


def login(client: Client, user: User, password: str = PASSWORD) -> None:
    """Log in through the real login page (lockout backend and audit included)."""
    response = client.post("/accounts/login/", {"username": user.email or user.phone, "password": password})
    assert response.status_code == 302, response.content


def login_verified_staff(client: Client, user: User) -> TOTPDevice:
    """Log a staff user in with a confirmed TOTP device and a verified session."""
    from django_otp.oath import totp

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True, key=random_hex(20))
    login(client, user)
    response = client.post("/accounts/2fa/verify/", {"token": f"{totp(device.bin_key):06d}", "next": "/staff/"})
    assert response.status_code == 302, response.content
    return device


@pytest.fixture
def verified_agent_client(db, client):
    user = make_staff(Role.AGENT)
    login_verified_staff(client, user)
    client.user = user
    return client


@pytest.fixture(autouse=True)
def audit_checkpoint_dir(settings, tmp_path):
    """Each test's audit checkpoints in its own folder (the files stand outside the database)."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit-checkpoints")
    return tmp_path / "audit-checkpoints"
