"""System checks for the limitation table: warn about every US jurisdiction without a limitation
period in force today for written contracts, since a debt governed by one counts as time-barred
only when staff flag it (12 CFR 1006.26(b))."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError
from django.utils import timezone


@register()
def limitation_periods_known(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from .selectors import limitation_jurisdictions_missing, limitation_periods

    try:
        periods = limitation_periods()
    except DatabaseError:  # before the table exists (first migrate) or without a database
        return []
    missing = limitation_jurisdictions_missing(on_date=timezone.localdate(), periods=periods)
    if not missing:
        return []
    return [
        CheckWarning(
            "No limitation period for written contracts is in force today for: "
            f"{', '.join(missing)}. Their debts count as time-barred only when staff flag them.",
            hint="Enter each state's period in the admin (Limitation periods); see docs/ARCHITECTURE.md.",
            obj="limitation periods",
            id="contracts.W001",
        )
    ]
