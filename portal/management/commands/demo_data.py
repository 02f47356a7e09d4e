"""Load demo users (idempotent: a second run adds nothing) and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Create demo customers (one per interesting state) and one user per staff role."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo_data()
        self.stdout.write(self.style.SUCCESS(f"Demo data: {result.created} created, {result.existing} already there."))
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000 and log in with:")
        width = max(len(login.identifier) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login.identifier.ljust(width)}  {DEMO_PASSWORD}  {login.description}")
        self.stdout.write("Staff users set up two-factor authentication (any TOTP app) at their first login.")
