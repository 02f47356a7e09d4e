"""Delinquency transitions as webhook events (``contract.delinquent``, ``contract.cured``),
written to the outbox in the transaction that records the transition: the engine path
(``ledger_store.save``) and the set-based sweep (``sweep_sql``) both call this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from accounts.services.webhooks import WebhookEvent, webhook_events_emit

from .models import Contract

EVENT_FOR_TRANSITION = {"became_delinquent": "contract.delinquent", "cured": "contract.cured"}


def transitions_emit(rows: Iterable[tuple[int, dt.date, str, int, int]]) -> int:
    """``rows``: (contract id, date, transition event, days past due, episode)."""
    wanted = [row for row in rows if row[2] in EVENT_FOR_TRANSITION]
    if not wanted:
        return 0
    numbers = {
        pk: (number, customer)
        for pk, number, customer in Contract.objects.filter(pk__in={row[0] for row in wanted}).values_list(
            "pk", "number", "customer__customer_number"
        )
    }
    events = [
        WebhookEvent(
            EVENT_FOR_TRANSITION[event],
            f"{contract_id}:{on_date.isoformat()}:{event}",
            {
                "contract": numbers[contract_id][0],
                "customer": numbers[contract_id][1],
                "on": on_date,
                "days_past_due": days_past_due,
                "episode": episode,
            },
        )
        for contract_id, on_date, event, days_past_due, episode in wanted
        if contract_id in numbers
    ]
    return webhook_events_emit(events)
