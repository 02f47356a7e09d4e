"""The password-reset form whose link always points at the configured site.

Django's form takes the link's host from the request (``get_current_site``), i.e. from the
``Host`` header a requester controls; this one builds it from ``settings.SITE_URL``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm


def site_domain_and_https() -> tuple[str, bool]:
    """(host[:port], uses https) of ``settings.SITE_URL``."""
    parts = urlsplit(settings.SITE_URL)
    return parts.netloc, parts.scheme == "https"


class SitePasswordResetForm(PasswordResetForm):
    """Sends the reset link for ``SITE_URL``, whatever host or scheme the request came with."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        domain, use_https = site_domain_and_https()
        kwargs["domain_override"] = domain
        kwargs["use_https"] = use_https
        super().save(*args, **kwargs)
