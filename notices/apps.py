from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and contact compliance")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the record retention check)
