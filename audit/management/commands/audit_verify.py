from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.selectors import audit_log_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log against the chain key, the signed checkpoints in the database and the "
        "checkpoint files; name what broke and exit 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint-dir", help="Checkpoint files to check against (default: AUDIT_CHECKPOINT_DIR)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from pathlib import Path

        directory = Path(options["checkpoint_dir"]) if options.get("checkpoint_dir") else None
        report = audit_log_verify(directory=directory)
        if not report.ok:
            details = "; ".join(item.describe() for item in report.breaks)
            raise CommandError(f"Audit log BROKEN after {report.checked} good events: {details}", returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {report.checked} events verified against {report.checkpoints} signed "
                f"checkpoints and {report.checkpoint_files} checkpoint files; {report.unsealed} awaiting their seal."
            )
        )
