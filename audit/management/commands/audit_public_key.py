from typing import Any

from django.core.management.base import BaseCommand

from audit.keys import public_key_pem


class Command(BaseCommand):
    help = "Print the public key that verifies audit checkpoints and proofs (PEM)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(public_key_pem(), ending="")
