from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.services import audit_seal_all


class Command(BaseCommand):
    help = "Seal committed audit events now (normally the sealer task does this every few seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Look at every event, not only recent ones.")
        parser.add_argument("--checkpoint", action="store_true", help="Write a signed checkpoint at the end.")

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = audit_seal_all(full=options["full"], force_checkpoint=options["checkpoint"], budget_seconds=3600)
        self.stdout.write(f"Sealed {sealed} events.")
