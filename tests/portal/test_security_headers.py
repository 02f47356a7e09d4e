"""Every page carries a strict Content-Security-Policy and a Permissions-Policy; the
templates need neither inline scripts nor style attributes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
TEMPLATES = [
    path
    for path in ROOT.rglob("*.html")
    if not {".venv", "staticfiles", "var", "node_modules"} & set(path.relative_to(ROOT).parts)
]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/login/code/"])
def test_pages_have_a_strict_content_security_policy(url):
    response = Client().get(url)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_pages_switch_off_unused_browser_features():
    header = Client().get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


def test_api_answers_carry_the_policy_too():
    response = Client().get("/api/v1/cases/")
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response


def test_templates_have_no_inline_script_or_style():
    assert TEMPLATES
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in match.group(0) and 'type="application/json"' not in match.group(0):
                offenders.append(f"{path}: {match.group(0)}")
        offenders += [f"{path}: {m.group(0)}" for m in re.finditer(r"\sstyle=|<style\b|\son[a-z]+=", text)]
    assert not offenders, offenders
