"""The admin is Fairdue's, in the staff member's language, with every app named in it."""

from __future__ import annotations

import html
import re

import pytest
from django.apps import apps

from tests.accounts.test_admin_pii import admin_client

pytestmark = pytest.mark.django_db


def test_the_admin_is_branded_fairdue_and_its_app_names_are_translated():
    client, _user = admin_client()
    body = html.unescape(client.get("/admin/").content.decode())
    assert "Fairdue 管理" in body and "Django 管理" not in body and "Django administration" not in body
    captions = re.findall(r'<caption>\s*<a[^>]*class="section"[^>]*>([^<]+)</a>', body)
    assert captions, "no app sections on the admin index"
    for caption in captions:
        assert re.search(r"[\u4e00-\u9fff]", caption), f"untranslated app name: {caption}"
    assert "登录锁定" in captions  # django-axes, named by us
    for label in ("axes", "otp_static", "otp_totp"):
        assert re.search(r"[\u4e00-\u9fff]", str(apps.get_app_config(label).verbose_name)), label
