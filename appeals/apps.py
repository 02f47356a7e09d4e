from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "appeals"
    verbose_name = _("Disputes, complaints and appeals")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the holiday calendar check)
