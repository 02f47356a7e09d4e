"""Re-encrypt stored personal data under the first FIELD_ENCRYPTION_KEY (docs/OPERATIONS.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.services.key_rotation import field_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every national ID under the first FIELD_ENCRYPTION_KEY and recompute its lookup digest."

    def handle(self, *args: Any, **options: Any) -> None:
        count = field_keys_rotate()
        self.stdout.write(f"{count} customer profiles re-encrypted under the first key.")
