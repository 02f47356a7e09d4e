"""The set-based ladder: a fixed number of queries per range, and exactly the rows the
per-notice ladder wrote (statuses, texts, channels, keys, reasons, attempts, audit events)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from contracts.models import Contract
from notices.models import ContactAttempt, Notice, NoticeStatus
from notices.services import ladder_evaluate
from tests.notices import ladder_portfolio as portfolio
from tests.notices.ladder_reference import ladder_evaluate_per_notice

pytestmark = pytest.mark.django_db

NOTICE_FIELDS = (
    "idempotency_key",
    "customer_id",
    "contract_id",
    "step_id",
    "purpose",
    "channel",
    "locale",
    "template_id",
    "recipient",
    "subject",
    "body",
    "context",
    "status",
    "reason_codes",
    "scheduled_for",
    "next_attempt_at",
    "queued_at",
)
ATTEMPT_FIELDS = (
    "customer_id",
    "contract_id",
    "at",
    "channel",
    "endpoint",
    "purpose",
    "outcome",
    "verdict",
    "reason_codes",
    "next_allowed_at",
    "error",
)
CONTRACT_FIELDS = ("number", "service_state", "service_notice_date", "service_effective_date")


class _Rollback(Exception):
    pass


def _bounds(contracts: list[Contract]) -> tuple[int, int]:
    ids = [c.pk for c in contracts]
    return min(ids), max(ids)


def _outcome(first_id: int, last_id: int, ready: list[int], since_event: int) -> dict[str, Any]:
    """What a ladder run wrote, without the ids the database chose."""
    notices = {n["idempotency_key"]: n for n in Notice.objects.filter(contract__pk__range=(first_id, last_id)).values()}
    key_of = {n["id"]: key for key, n in notices.items()}
    attempts = sorted(
        (key_of[a["notice_id"]], tuple(a[f] for f in ATTEMPT_FIELDS))
        for a in ContactAttempt.objects.filter(notice_id__in=key_of).values()
    )
    events = sorted(
        (e.action, e.object_type, e.actor_label, e.subject_user_id, repr(sorted(e.data.items())))
        for e in AuditEvent.objects.filter(pk__gt=since_event)
    )
    return {
        "notices": {key: tuple(n[f] for f in NOTICE_FIELDS) for key, n in notices.items()},
        "ready": sorted(key_of[pk] for pk in ready),
        "attempts": attempts,
        "events": events,
        "contracts": sorted(Contract.objects.filter(pk__range=(first_id, last_id)).values_list(*CONTRACT_FIELDS)),
    }


def _both_paths(first_id: int, last_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    existing = Notice.objects.filter(contract__pk__range=(first_id, last_id)).count()
    try:
        with transaction.atomic():
            ready = ladder_evaluate_per_notice(
                business_date=portfolio.DAY, first_id=first_id, last_id=last_id, now=portfolio.NOW
            )
            before = _outcome(first_id, last_id, ready, since)
            raise _Rollback
    except _Rollback:
        pass
    assert Notice.objects.filter(contract__pk__range=(first_id, last_id)).count() == existing
    ready = ladder_evaluate(business_date=portfolio.DAY, first_id=first_id, last_id=last_id, now=portfolio.NOW)
    return before, _outcome(first_id, last_id, ready, since)


def test_the_set_based_ladder_writes_what_the_per_notice_ladder_wrote():
    yesterday = portfolio.seen_yesterday()
    contracts = [yesterday, *portfolio.varied()]
    first_id, last_id = _bounds(contracts)
    before, after = _both_paths(first_id, last_id)
    assert after == before
    assert not [key for key in after["ready"] if key.startswith(f"c{yesterday.pk}:")]
    notices = after["notices"]
    statuses = {row[NOTICE_FIELDS.index("status")] for row in notices.values()}
    assert statuses == {NoticeStatus.PENDING, NoticeStatus.DEFERRED, NoticeStatus.DROPPED}
    reasons = {r for row in notices.values() for r in row[NOTICE_FIELDS.index("reason_codes")]}
    assert {
        "TIME_WINDOW",
        "DESIGNATED_INCONVENIENT",
        "CALL_FREQUENCY_7IN7",
        "DAILY_UNANSWERED_CAP",
        "CHANNEL_OPT_OUT",
        "CEASE_REQUESTED",
        "ATTORNEY_REPRESENTED",
    } <= reasons
    steps = {key.split(":")[2] for key in notices}
    assert {"t-3", "due", "dpd-1", "dpd-3", "dpd-7", "dpd-30", "grace-end"} <= steps
    assert any(row[NOTICE_FIELDS.index("locale")] == "en" for row in notices.values())
    assert len(after["attempts"]) == sum(
        row[NOTICE_FIELDS.index("status")] == NoticeStatus.DROPPED for row in notices.values()
    )
    assert sum(e[0] == "notice.scheduled" for e in after["events"]) == len(notices) - 2  # two from yesterday
    assert sum(e[0] == "service.notice_given" for e in after["events"]) == 1
    # The sibling of the disputed contract is reminded, the disputed one is not; nothing twice.
    held = next(c for c in contracts if c.holds.exists())
    assert not any(key.startswith(f"c{held.pk}:") for key in notices)
    assert Notice.objects.filter(contract=yesterday).count() == 2


def _queries(django_assert_max_num_queries: Any, first_id: int, last_id: int) -> CaptureQueriesContext:
    with django_assert_max_num_queries(20) as captured:
        ladder_evaluate(business_date=portfolio.DAY, first_id=first_id, last_id=last_id, now=portfolio.NOW)
    return captured


def _insert_batches(captured: CaptureQueriesContext) -> int:
    return sum(q["sql"].lstrip().upper().startswith("INSERT") for q in captured.captured_queries)


def _expected_batches(model: Any, rows: int) -> int:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return math.ceil(rows / connection.ops.bulk_batch_size(fields, [None] * rows))


def test_a_range_costs_the_same_queries_for_5_notices_as_for_50(django_assert_max_num_queries):
    small = portfolio.uniform(1)
    large = portfolio.uniform(10)
    few = _queries(django_assert_max_num_queries, *_bounds(small))
    many = _queries(django_assert_max_num_queries, *_bounds(large))
    assert Notice.objects.filter(contract__in=small).count() == 5
    assert Notice.objects.filter(contract__in=large).count() == 50
    assert ContactAttempt.objects.filter(contract__in=large).count() == 10
    # PostgreSQL streams the rows with COPY (one per table, keys taken in one query per table);
    # elsewhere one INSERT per table, unless the backend caps the parameters of a statement
    # (SQLite: 999).
    for captured, copies in ((few, 1), (many, 10)):
        expected = (
            0
            if connection.vendor == "postgresql"
            else _expected_batches(Notice, 5 * copies)
            + _expected_batches(ContactAttempt, copies)
            + _expected_batches(AuditEvent, 5 * copies)
        )
        assert _insert_batches(captured) == expected
    assert len(many) - _insert_batches(many) == len(few) - _insert_batches(few)
    if connection.vendor == "postgresql":
        assert len(many) == len(few)


def test_a_second_run_writes_nothing_and_queues_nothing(django_capture_on_commit_callbacks):
    contracts = portfolio.uniform(2)
    first_id, last_id = _bounds(contracts)
    with django_capture_on_commit_callbacks() as callbacks:
        ready = ladder_evaluate(business_date=portfolio.DAY, first_id=first_id, last_id=last_id, now=portfolio.NOW)
    assert len(ready) == 8  # two dropped SMS of ten
    assert Notice.objects.filter(pk__in=ready, queued_at=portfolio.NOW, status=NoticeStatus.PENDING).count() == 8
    assert len([c for c in callbacks if c.__name__ == "_send"]) == 1
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        again = ladder_evaluate(business_date=portfolio.DAY, first_id=first_id, last_id=last_id, now=portfolio.NOW)
    assert again == [] and Notice.objects.filter(contract__in=contracts).count() == 10
    assert AuditEvent.objects.count() == events and not [c for c in callbacks if c.__name__ == "_send"]


def test_delivery_is_queued_after_commit_and_a_broker_error_does_not_undo_the_notices(
    django_capture_on_commit_callbacks, monkeypatch
):
    from notices import tasks

    sent: list[list[int]] = []

    def broker_down(ids: list[int]) -> None:
        sent.append(ids)
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliver_notices, "delay", broker_down)
    contracts = portfolio.uniform(1)
    with django_capture_on_commit_callbacks(execute=True):
        ready = ladder_evaluate(
            business_date=portfolio.DAY, first_id=contracts[0].pk, last_id=contracts[-1].pk, now=portfolio.NOW
        )
    assert sent == [ready] and len(ready) == 4
    assert Notice.objects.filter(pk__in=ready).count() == 4  # still there: the relay re-queues them


def test_only_contracts_that_can_fire_a_step_tonight_are_loaded():
    from notices.ladder_inputs import ladders_load, range_inputs_load

    firing = portfolio.overdue(1)
    quiet = portfolio.overdue(15)  # between the seventh day's window and the thirtieth
    upcoming = portfolio.due_in(10)
    ids = sorted(c.pk for c in (firing, quiet, upcoming))
    inputs = range_inputs_load(
        ladders=ladders_load(), business_date=portfolio.DAY, first_id=ids[0], last_id=ids[-1], now=portfolio.NOW
    )
    assert [c.pk for c in inputs.contracts] == [firing.pk]
