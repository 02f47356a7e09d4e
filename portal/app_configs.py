"""Third-party apps under translated names in the admin (their own configs name them in English)."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpDefaultConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in lockouts")


class OtpStaticConfig(OtpStaticDefaultConfig):
    verbose_name = _("Two-factor backup codes")


class OtpTotpConfig(OtpTotpDefaultConfig):
    verbose_name = _("Two-factor authenticator apps")
