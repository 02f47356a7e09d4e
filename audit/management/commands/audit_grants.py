from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from audit.grants import audit_grants_sql


class Command(BaseCommand):
    help = (
        "Least privilege on PostgreSQL: print (or, as the tables' owner, --apply) the grants under which "
        "ROLE may only INSERT and SELECT the audit log and cannot alter or truncate it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="The application's database role.")
        parser.add_argument("--apply", action="store_true", help="Run the statements now (connected as the owner).")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("audit_grants is for PostgreSQL (the embedded SQLite has no roles).")
        statements = audit_grants_sql(role=options["role"])
        if options["apply"]:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            self.stdout.write(self.style.SUCCESS(f"Applied {len(statements)} statements for role {options['role']}."))
        else:
            self.stdout.write(";\n".join(statements) + ";")
