from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and ledger")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the limitation table check)
