"""The night's batch: the fan-out fixes the night's ranges, each range counts once however
often its task runs, the last range finishes the night, and a missed night is replayed day
by day (its due-date reminders are not lost)."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts.models import Contract, SweepRun
from notices.models import NightlyRange, NightlyRun, Notice
from notices.services import nightly_range_run, nightly_run_start
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)


def due_on(due: dt.date) -> Contract:
    """A contract whose first installment falls due on ``due``, closed through the day before yesterday."""
    contract = make_contract(start_date=due - dt.timedelta(days=31), first_due_date=due)
    return contract


def run_night(day: dt.date, *, range_size: int = 2, times: int = 1) -> NightlyRun:
    run = nightly_run_start(business_date=day, range_size=range_size)
    for _ in range(times):
        for first, last in run.ranges():
            nightly_range_run(business_date=day, first_id=first, last_id=last)
    run.refresh_from_db()
    return run


def test_a_night_counts_each_range_once_and_finishes_with_its_last_range():
    contracts = [due_on(DAY - dt.timedelta(days=1)) for _ in range(5)]  # one day past due tonight
    run = nightly_run_start(business_date=DAY, range_size=2)
    assert (run.ranges_total, run.contracts_total, run.ranges_done) == (3, 5, 0)
    assert run.ranges() == [
        (contracts[0].pk, contracts[1].pk),
        (contracts[2].pk, contracts[3].pk),
        (contracts[4].pk, contracts[4].pk),
    ]
    first, *rest = run.ranges()
    nightly_range_run(business_date=DAY, first_id=first[0], last_id=first[1])
    run.refresh_from_db()
    assert (run.ranges_done, run.contracts_done, run.notices, run.finished_at) == (1, 2, 4, None)
    assert not run.is_finished
    for first_id, last_id in rest:
        nightly_range_run(business_date=DAY, first_id=first_id, last_id=last_id)
    run.refresh_from_db()
    assert (run.ranges_done, run.contracts_done, run.notices) == (3, 5, 10)  # dpd-1: sms and email each
    assert run.is_finished and run.contracts_per_second() > 0
    assert Notice.objects.count() == 10
    # The same night again (beat twice, a redelivered task): nothing is counted or written twice.
    assert nightly_run_start(business_date=DAY, range_size=2).pk == run.pk
    for first_id, last_id in run.ranges():
        assert nightly_range_run(business_date=DAY, first_id=first_id, last_id=last_id) == 0
    run.refresh_from_db()
    assert (run.ranges_done, run.contracts_done, run.notices) == (3, 5, 10)
    assert NightlyRange.objects.filter(run=run).count() == 3 and Notice.objects.count() == 10


def test_a_missed_night_is_replayed_day_by_day_and_its_due_date_reminders_are_sent():
    yesterday = DAY - dt.timedelta(days=1)
    reminded = due_on(yesterday + dt.timedelta(days=3))  # its three-days-before step was yesterday only
    due_yesterday = due_on(yesterday)  # its due-day step was yesterday, its first overdue day is today
    earlier = run_night(DAY - dt.timedelta(days=2))
    assert earlier.is_finished
    # Yesterday's night never ran. Tonight replays it first, then tonight.
    run = run_night(DAY)
    assert run.catch_up_from == yesterday and run.is_finished
    keys = set(Notice.objects.values_list("idempotency_key", flat=True))
    due = (yesterday + dt.timedelta(days=3)).isoformat()
    assert f"c{reminded.pk}:due{due}:t-3:sms" in keys
    assert f"c{due_yesterday.pk}:due{yesterday.isoformat()}:due:sms" in keys
    assert f"c{due_yesterday.pk}:e1:dpd-1:sms" in keys
    assert set(SweepRun.objects.filter(business_date__gte=yesterday).values_list("business_date", flat=True)) == {
        yesterday,
        DAY,
    }
    assert set(Contract.objects.values_list("accrued_through", flat=True)) == {DAY}
    # Replaying a night that ran changes nothing.
    count = Notice.objects.count()
    run_night(DAY, times=2)
    assert Notice.objects.count() == count


def test_a_long_outage_replays_at_most_the_catch_up_window():
    due_on(DAY + dt.timedelta(days=30))
    run_night(DAY - dt.timedelta(days=20))
    run = nightly_run_start(business_date=DAY, range_size=2)
    assert run.catch_up_from == DAY - dt.timedelta(days=6)


def test_the_first_night_on_record_and_an_empty_portfolio():
    run = nightly_run_start(business_date=DAY)
    assert run.catch_up_from == DAY and run.ranges() == [] and run.is_finished


def test_a_range_run_by_hand_without_a_night_still_sweeps_and_notifies():
    contract = due_on(DAY - dt.timedelta(days=1))
    nightly_range_run(business_date=DAY, first_id=contract.pk, last_id=contract.pk)
    assert Notice.objects.filter(contract=contract).count() == 2 and not NightlyRun.objects.exists()


def test_the_tasks_fan_out_and_a_repeated_range_task_does_nothing(monkeypatch):
    from notices import tasks

    queued: list[tuple[str, int, int]] = []
    monkeypatch.setattr(tasks.sweep_and_notify_range_task, "delay", lambda *args: queued.append(args))
    contract = due_on(DAY - dt.timedelta(days=1))
    assert tasks.sweep_and_notify(DAY.isoformat()) == 1
    assert queued == [(DAY.isoformat(), contract.pk, contract.pk)]
    assert tasks.sweep_and_notify(DAY.isoformat()) == 1 and len(queued) == 2  # sent again, same range
    tasks.sweep_and_notify_range_task(*queued[0])
    assert tasks.sweep_and_notify_range_task(*queued[1]) == 0
    run = NightlyRun.objects.get(business_date=DAY)
    assert (run.ranges_done, run.contracts_done, run.notices) == (1, 1, 2) and run.is_finished
    assert tasks.sweep_and_notify_range_task.acks_late and tasks.sweep_and_notify.acks_late
    assert tasks.sweep_and_notify(DAY.isoformat()) == 0 and len(queued) == 2  # finished: nothing is sent
