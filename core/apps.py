from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel: coded errors, money, business dates, operational telemetry. Imports no app."""

    name = "core"
    verbose_name = _("Core")
