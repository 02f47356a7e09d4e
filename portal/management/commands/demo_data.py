"""Load the demo (idempotent: a second run adds nothing) and print the logins."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, load_demo_data

# The nightly batch logs every range it does; a replay of months would drown the logins.
QUIET_LOGGERS = ("notices", "contracts", "appeals", "kombu")


class Command(BaseCommand):
    help = (
        "Create demo customers (one per interesting state) and one user per staff role, and live "
        "their past days through the real nightly sweep, ladder and delivery."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        try:
            result = load_demo_data()
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {result.created} created, {result.existing} already there; "
                f"{result.days} past days lived (sweep, ladder, delivery), {result.notices_sent} notices sent."
            )
        )
        self.stdout.write("")
        port = os.environ.get("WEB_PORT") or "8000"
        self.stdout.write(f"Open http://127.0.0.1:{port} and log in with:")
        width = max(len(login.identifier) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login.identifier.ljust(width)}  {DEMO_PASSWORD}  {login.description}")
        self.stdout.write("Staff users set up two-factor authentication (any TOTP app) at their first login.")
