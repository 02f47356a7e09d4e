"""Production settings refuse to start without explicit secrets (checked in a fresh process)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 60 + "-production-like-secret-for-the-check",
    "DATABASE_URL": "postgres://fairdue@127.0.0.1:5432/fairdue",
    "DJANGO_ALLOWED_HOSTS": "fairdue.example",
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "PAYMENT_PROVIDER": "alipay",
    "SMS_BACKEND": "notices.channels.sms.HttpSmsGateway",
    "EMAIL_URL": "smtp+tls://fairdue:secret@smtp.fairdue.example:587",
    "AUDIT_CHAIN_KEY": "k" * 48,
    "AUDIT_SIGNING_KEY": base64.b64encode(b"\x01" * 32).decode(),
}


def _run(env_overrides: dict[str, str | None], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "FIELD_", "PAYMENT_", "SMS_", "EMAIL_", "AUDIT_"))
    }
    env.update(PRODUCTION_ENV)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=60
    )


REQUIRED = ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"]


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without(missing):
    result = _run({missing: None}, "check")
    assert result.returncode != 0
    assert f"{missing} must be set explicitly" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = _run({}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("missing", "warning"), [("AUDIT_CHAIN_KEY", "W010"), ("AUDIT_SIGNING_KEY", "W011")])
def test_the_deployment_checklist_warns_without_audit_keys(missing, warning):
    result = _run({missing: None}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and f"fairdue.{warning}" in result.stdout + result.stderr


def test_embedded_default_generates_its_secret_once(tmp_path):
    env = {
        "DJANGO_ENV": "development",
        "DJANGO_SECRET_KEY": None,
        "DATABASE_URL": None,
        "DJANGO_ALLOWED_HOSTS": None,
        "FIELD_ENCRYPTION_KEY": None,
        "FAIRDUE_VAR_DIR": str(tmp_path),
    }
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _run(env, "shell", "-c", code)
    second = _run(env, "shell", "-c", code)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert key == second.stdout.strip().splitlines()[-1] and len(key) > 50
    assert (tmp_path / "secret_key").read_text().strip() == key


@pytest.mark.parametrize(
    "variable,check_id",
    [("PAYMENT_PROVIDER", "fairdue.W001"), ("SMS_BACKEND", "fairdue.W002"), ("EMAIL_URL", "fairdue.W003")],
)
def test_the_deployment_checklist_refuses_embedded_stand_ins(variable, check_id):
    result = _run({variable: None}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_production_collectstatic_resolves_every_reference_of_the_vendored_assets(tmp_path):
    """The manifest storage rewrites every url() and source map reference of the static files and
    fails the deployment on one it cannot find (a vendored file without its map did)."""
    result = _run({"STATIC_ROOT": str(tmp_path / "static")}, "collectstatic", "--noinput", "-v", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    for asset in ("vendor/chartjs/chart.umd.min.js", "vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js"):
        assert f'"{asset}"' in manifest
