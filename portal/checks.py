"""Deployment checks (``manage.py check --deploy``): demo stand-ins must not reach production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def embedded_stand_ins(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    found: list[CheckMessage] = []
    if settings.PAYMENT_PROVIDER == "sandbox":
        found.append(
            CheckWarning(
                "The sandbox payment provider takes no real money.",
                hint="Set PAYMENT_PROVIDER=alipay and its keys (see .env.example).",
                id="fairdue.W001",
            )
        )
    if settings.SMS_BACKEND.endswith("FileSmsBackend"):
        found.append(
            CheckWarning(
                "Text messages would be written to files, not sent.",
                hint="Set SMS_BACKEND=notices.channels.sms.HttpSmsGateway and the gateway settings.",
                id="fairdue.W002",
            )
        )
    if not settings.EMAIL_URL:
        found.append(
            CheckWarning(
                "Email would be written to files under var/mail, not sent.",
                hint="Set EMAIL_URL, e.g. smtp+tls://user:password@host:587.",
                id="fairdue.W003",
            )
        )
    return found
