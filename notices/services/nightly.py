"""The night's batch: beat starts it, one task per contract-id range does the work on any
number of workers, and a progress record says how far it got.

``nightly_run_start`` (the fan-out) fixes the night once: its id bounds (a re-sent night
splits into the same ranges) and the first business date to replay. A night that was missed
is caught up day by day: tonight's ranges sweep and run the ladder for every business date
since the last finished night, in order, inside each range's transaction (at most
``CATCH_UP_DAYS`` dates; older days are still closed by the sweep, which catches up the days
inside a range, but their due-date reminders are not sent a week late). Days-past-due steps
would fire anyway within their catch-up window; replaying the dates also sends the missed
days' due-date steps (keyed by due date, so never twice).

``nightly_range_run`` is the unit of work: in one transaction it records the range as done
(a unique row per night and range: a duplicate task waits, then does nothing), sweeps and
runs the ladder, and adds the range's counts to the night with F() increments; the last
range marks the night finished.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record
from contracts.models import Contract
from contracts.selectors import sweep_ranges
from contracts.services import delinquency_sweep_range, risk_scores_range

from ..codes import NoticesAction
from ..ladder_inputs import CATCH_UP_DAYS
from ..models import NightlyRange, NightlyRun
from .ladder import ladder_range_write
from .validation import validation_notices_due

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RangeOutcome:
    ready: list[int]  # notices ready to send now
    written: int  # notices written, whatever their status


def business_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def sweep_and_notify_days(*, days: list[dt.date], first_id: int, last_id: int) -> RangeOutcome:
    """Close each business date in order, score the range's contracts as of the last one and
    decide each date's notices, in one transaction."""
    ready: list[int] = []
    written = 0
    with transaction.atomic():
        for day in days:
            delinquency_sweep_range(business_date=day, first_id=first_id, last_id=last_id)
            if settings.RISK_SCORING_NIGHTLY and day == days[-1]:
                # The early-warning score of the range as of the night's date, before the ladder
                # (its pre-due reminder for high-risk customers reads it); catch-up days reuse it.
                risk_scores_range(business_date=day, first_id=first_id, last_id=last_id)
            # US debts that entered collection: the validation notice first (12 CFR 1006.34).
            validation_notices_due(first_id=first_id, last_id=last_id, business_date=day)
            day_ready, day_written = ladder_range_write(business_date=day, first_id=first_id, last_id=last_id)
            ready += day_ready
            written += day_written
    return RangeOutcome(ready, written)


def sweep_and_notify_range(*, business_date: dt.date, first_id: int, last_id: int) -> list[int]:
    """The nightly unit of work for one business date: close the days, then decide notices,
    in one transaction. Returns the ids of the notices ready to send."""
    return sweep_and_notify_days(days=[business_date], first_id=first_id, last_id=last_id).ready


def _catch_up_from(business_date: dt.date) -> dt.date:
    last = (
        NightlyRun.objects.filter(business_date__lt=business_date, finished_at__isnull=False)
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )
    if last is None:
        return business_date  # the first night on record: nothing to catch up
    return max(last + dt.timedelta(days=1), business_date - dt.timedelta(days=CATCH_UP_DAYS - 1))


@transaction.atomic
def nightly_run_start(
    *, business_date: dt.date, now: dt.datetime | None = None, range_size: int | None = None
) -> NightlyRun:
    """The night's record, created once (a second start of the same night returns it as it is,
    so its ranges are sent again and the ones already done do nothing). Ranges are
    ``settings.SWEEP_RANGE_SIZE`` ids unless ``range_size`` says otherwise."""
    range_size = range_size or settings.SWEEP_RANGE_SIZE
    existing = NightlyRun.objects.filter(business_date=business_date).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    ranges = sweep_ranges(size=range_size)
    low, high = (ranges[0][0], ranges[-1][1]) if ranges else (0, 0)
    run = NightlyRun(
        business_date=business_date,
        catch_up_from=_catch_up_from(business_date),
        first_contract_id=low,
        last_contract_id=high,
        range_size=range_size,
        ranges_total=len(ranges),
        contracts_total=Contract.objects.filter(pk__gte=low, pk__lte=high).count() if ranges else 0,
        started_at=now,
        finished_at=None if ranges else now,
    )
    try:
        with transaction.atomic():
            run.save(force_insert=True)
    except IntegrityError:  # another beat started the same night a moment ago
        return NightlyRun.objects.get(business_date=business_date)
    if run.ranges() != ranges:
        raise RuntimeError("nightly ranges must be split the way sweep_ranges splits them")
    audit_record(
        action=NoticesAction.NIGHTLY_RUN_STARTED,
        actor=None,
        obj=run,
        system="nightly_batch",
        data={
            "business_date": business_date,
            "catch_up_from": run.catch_up_from,
            "ranges": run.ranges_total,
            "contracts": run.contracts_total,
            "first_id": low,
            "last_id": high,
        },
    )
    logger.info(
        "night %s: %d ranges, %d contracts, replaying from %s",
        business_date,
        run.ranges_total,
        run.contracts_total,
        run.catch_up_from,
    )
    return run


def nightly_range_run(*, business_date: dt.date, first_id: int, last_id: int) -> int:
    """One range of a night, once: returns the number of notices ready to send.

    Without a night on record (a range run by hand) it is just ``sweep_and_notify_range``."""
    run = NightlyRun.objects.filter(business_date=business_date).first()
    if run is None:
        return len(sweep_and_notify_range(business_date=business_date, first_id=first_id, last_id=last_id))
    started_at = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                done = NightlyRange.objects.create(
                    run=run, first_contract_id=first_id, last_contract_id=last_id, started_at=started_at
                )
        except IntegrityError:
            logger.info("night %s: range [%d, %d] already done", business_date, first_id, last_id)
            return 0
        outcome = sweep_and_notify_days(
            days=business_dates(min(run.catch_up_from, business_date), business_date),
            first_id=first_id,
            last_id=last_id,
        )
        contracts = Contract.objects.filter(pk__gte=first_id, pk__lte=last_id).count()
        finished_at = timezone.now()
        NightlyRange.objects.filter(pk=done.pk).update(
            contracts=contracts, notices=outcome.written, finished_at=finished_at
        )
        # Last, so the night's row stays locked only for the end of this transaction.
        NightlyRun.objects.filter(pk=run.pk).update(
            ranges_done=F("ranges_done") + 1,
            contracts_done=F("contracts_done") + contracts,
            notices=F("notices") + outcome.written,
        )
        run.refresh_from_db()
        if run.ranges_done >= run.ranges_total and run.finished_at is None:
            NightlyRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=finished_at)
            run.finished_at = finished_at
            audit_record(
                action=NoticesAction.NIGHTLY_RUN_FINISHED,
                actor=None,
                obj=run,
                system="nightly_batch",
                data={"business_date": business_date, "contracts": run.contracts_done, "notices": run.notices},
            )
    logger.info(
        "night %s: range [%d, %d] done, %d/%d ranges, %d/%d contracts, %.0f contracts/s%s",
        business_date,
        first_id,
        last_id,
        run.ranges_done,
        run.ranges_total,
        run.contracts_done,
        run.contracts_total,
        run.contracts_per_second(finished_at),
        ", finished" if run.is_finished else "",
    )
    return len(outcome.ready)
