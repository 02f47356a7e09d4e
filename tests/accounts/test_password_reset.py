"""The reset link names the configured site, never the host the request came with."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import RequestFactory, override_settings

from accounts.password_reset import SitePasswordResetForm

pytestmark = pytest.mark.django_db


def _send(customer, *, host: str, secure: bool = False) -> str:
    request = RequestFactory().post("/accounts/password/reset/", HTTP_HOST=host, secure=secure)
    form = SitePasswordResetForm(data={"email": customer.user.email})
    assert form.is_valid(), form.errors
    # What Django's PasswordResetView passes: the request's own scheme.
    form.save(
        request=request,
        use_https=request.is_secure(),
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
    )
    assert len(mail.outbox) == 1
    return mail.outbox[0].body


@override_settings(
    SITE_URL="https://portal.fairdue.example",
    ALLOWED_HOSTS=["evil.example", "portal.fairdue.example"],
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
def test_reset_link_uses_site_url_not_request_host(customer):
    body = _send(customer, host="evil.example")
    assert "https://portal.fairdue.example/accounts/" in body
    assert "evil.example" not in body


@override_settings(
    SITE_URL="http://127.0.0.1:8000",
    ALLOWED_HOSTS=["evil.example"],
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
def test_reset_link_keeps_site_url_scheme_and_port(customer):
    body = _send(customer, host="evil.example", secure=True)
    assert "http://127.0.0.1:8000/accounts/" in body
    assert "https://" not in body
