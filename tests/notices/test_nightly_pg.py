"""Two workers given the same range of the same night at once (a redelivered task): one does
the work, the other waits on the range's row and then does nothing (real PostgreSQL locks)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from notices.models import NightlyRange, NightlyRun, Notice
from notices.services import nightly_range_run, nightly_run_start
from tests.contracts.factories import make_contract

DAY = dt.date(2026, 3, 10)
THREADS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_one_range_write_and_count_it_once():
    due = DAY - dt.timedelta(days=1)
    contracts = [make_contract(start_date=due - dt.timedelta(days=31), first_due_date=due) for _ in range(3)]
    run = nightly_run_start(business_date=DAY)
    assert run.ranges() == [(contracts[0].pk, contracts[-1].pk)]
    barrier = threading.Barrier(THREADS)
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            ready = nightly_range_run(business_date=DAY, first_id=contracts[0].pk, last_id=contracts[-1].pk)
            with lock:
                results.append(ready)
        except BaseException as exc:  # reported below; a thread must not die silently
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == THREADS and results.count(0) >= THREADS - 1
    assert Notice.objects.count() == 6
    run.refresh_from_db()
    assert (run.ranges_done, run.contracts_done, run.notices) == (1, 3, 6) and run.is_finished
    assert NightlyRange.objects.count() == 1 and NightlyRun.objects.count() == 1
