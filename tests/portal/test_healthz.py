"""/healthz: 200 when the database and the broker answer, 503 naming what failed."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from audit.models import AuditEvent
from portal.celery import app

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_login_session_or_audit():
    before = AuditEvent.objects.count()
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "sessionid" not in response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert AuditEvent.objects.count() == before


def test_healthz_names_the_broker_when_it_is_down(monkeypatch):
    dead = "redis://127.0.0.1:1/0"  # nothing listens there
    # The conf first: its value is read (to restore it) before the environment changes it.
    monkeypatch.setattr(app.conf, "broker_url", dead)
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery prefers the environment to its conf
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "broker": "unavailable"}}
    assert "127.0.0.1" not in response.content.decode()


def test_healthz_names_the_database_when_it_is_down(monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "broker": "ok"}


@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_not_redirected_to_https():
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/accounts/login/").status_code == 301
