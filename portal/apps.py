from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # Runs after the last app migrated, so every app's permissions exist.
    from accounts.services import roles_sync

    roles_sync(actor=None)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="portal_sync_roles")
