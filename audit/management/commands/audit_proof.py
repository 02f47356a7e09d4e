import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.proofs import audit_consistency_proof, audit_inclusion_proof
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Emit an RFC 9162 inclusion proof for audit events (--event, repeatable) or a consistency proof "
        "between two checkpoints (--consistency FIRST SECOND), as JSON for audit.verifier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", type=int, action="append", default=[], help="Audit event id.")
        parser.add_argument("--tree-size", type=int, help="Prove against the checkpoint of this size.")
        parser.add_argument("--consistency", type=int, nargs=2, metavar=("FIRST", "SECOND"))
        parser.add_argument("--output", type=Path, help="Write the proof here instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["consistency"]:
                first, second = options["consistency"]
                proof = audit_consistency_proof(first_size=first, second_size=second)
            elif options["event"]:
                proof = audit_inclusion_proof(event_ids=options["event"], tree_size=options["tree_size"])
            else:
                raise CommandError("Name at least one --event or use --consistency FIRST SECOND.")
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        text = json.dumps(proof, indent=2, ensure_ascii=False)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
