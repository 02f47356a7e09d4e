from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    # Runs once, after the last app with models migrated (and after a flush), so every app's
    # permissions and tables exist: staff roles and the default ladder and notice texts are in place.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    from accounts.services import roles_sync
    from notices.defaults import install_defaults

    roles_sync(actor=None)
    install_defaults(actor=None)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)

        post_migrate.connect(_after_migrate, dispatch_uid="portal_after_migrate")
