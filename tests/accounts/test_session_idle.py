"""Sessions: no write on a request that changes nothing, idle expiry still holds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import make_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _session_writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_a_page_that_changes_nothing_does_not_write_the_session():
    me = make_customer()
    client = Client()
    login(client, me.user)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("portal:dashboard")).status_code == 200
        assert client.get(reverse("portal:messages")).status_code == 200
    assert _session_writes(ctx) == []


def test_idle_expiry_still_holds_and_activity_keeps_the_session_alive():
    me = make_customer()
    client = Client()
    idle, refresh = settings.SESSION_COOKIE_AGE, settings.SESSION_IDLE_REFRESH_SECONDS
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        login(client, me.user)
        key = client.session.session_key
        first_expiry = Session.objects.get(session_key=key).expire_date
        # Activity after the refresh interval saves the session once: its expiry moves on.
        clock.shift(dt.timedelta(seconds=refresh + 1))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("portal:dashboard")).status_code == 200
        assert len(_session_writes(ctx)) == 1
        assert Session.objects.get(session_key=key).expire_date > first_expiry
        # Active for longer than the idle limit in all: still signed in.
        for _ in range(3):
            clock.shift(dt.timedelta(seconds=idle // 2))
            assert client.get(reverse("portal:dashboard")).status_code == 200
        # Idle for longer than the limit: signed out. (On Redis the cached copy's TTL runs on
        # the server's clock, which the test cannot move; it lapses at the same moment.)
        clock.shift(dt.timedelta(seconds=idle + 1))
        cache.delete(KEY_PREFIX + key)
        response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_logout_leaves_no_session_behind():
    me = make_customer()
    client = Client()
    login(client, me.user)
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists() or all(
        "_auth_user_id" not in s.get_decoded() for s in Session.objects.all()
    )
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
