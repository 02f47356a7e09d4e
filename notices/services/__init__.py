"""Notices: the ladder decides them inside the sweep's transaction (outbox rows), Celery
delivers them after commit, and every delivery is judged again by the compliance engine.

Nothing is lost (a relay re-queues rows whose task vanished or whose worker died). Delivery is
claim (a lease, SKIP LOCKED on PostgreSQL), send outside any transaction, record: at-least-once,
every message with a stable identity derived from its idempotency key, so a resend after a
crash is recognisable; at most the in-flight batch of a crashed worker is sent twice.

One module per concern: ``ladder`` (deciding and writing ladder notices), ``nightly`` (the night's fan-out, its
ranges and its progress), ``case_messages``
(messages about a case), ``outbox`` (writing rows, queueing, claiming, the relay),
``delivery`` (sending through channels, retries, outcomes), ``contacts`` (staff calls,
visits and agency actions), ``inbox`` (read marks) and ``templates`` (template versions).
"""

from .case_messages import service_message_schedule
from .contacts import contact_attempt_outcome, contact_attempt_start
from .delivery import (
    MAX_ATTEMPTS,
    notice_deliver,
    notices_claim,
    notices_deliver,
    outcomes_record,
)
from .inbox import notice_mark_read
from .ladder import (
    CATCH_UP_DAYS,
    Firing,
    ladder_evaluate,
    ladder_for,
    ladder_range_write,
    notice_schedule,
    steps_due,
)
from .nightly import nightly_range_run, nightly_run_start, sweep_and_notify_days, sweep_and_notify_range
from .outbox import outbox_relay, queue_delivery, recipient_for, render_notice
from .senders import CallTaskChannel, EmailChannel, InAppChannel, LetterChannel
from .templates import template_save

__all__ = [
    "CATCH_UP_DAYS",
    "MAX_ATTEMPTS",
    "CallTaskChannel",
    "EmailChannel",
    "Firing",
    "InAppChannel",
    "LetterChannel",
    "contact_attempt_outcome",
    "contact_attempt_start",
    "ladder_evaluate",
    "ladder_for",
    "ladder_range_write",
    "nightly_range_run",
    "nightly_run_start",
    "notice_deliver",
    "notice_mark_read",
    "notice_schedule",
    "notices_claim",
    "notices_deliver",
    "outbox_relay",
    "outcomes_record",
    "queue_delivery",
    "recipient_for",
    "render_notice",
    "service_message_schedule",
    "steps_due",
    "sweep_and_notify_days",
    "sweep_and_notify_range",
    "template_save",
]
