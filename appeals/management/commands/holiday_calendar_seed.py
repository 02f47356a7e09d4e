from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from appeals.services import calendar_seed
from appeals.services.calendar import SEED_FIRST_YEAR, SEED_LAST_YEAR


class Command(BaseCommand):
    help = (
        "Add the years missing from the holiday calendar (statutory days from the holidays package;"
        " years already there are left alone). migrate seeds 2004–2030."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--first", type=int, default=SEED_FIRST_YEAR)
        parser.add_argument("--last", type=int, default=SEED_LAST_YEAR)

    def handle(self, *args: Any, **options: Any) -> None:
        created = calendar_seed(actor=None, years=range(options["first"], options["last"] + 1))
        self.stdout.write(f"Seeded {len(created)} years: {', '.join(map(str, created)) or 'none missing'}.")
