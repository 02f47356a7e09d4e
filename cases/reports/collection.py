"""Promise-kept and plan-kept rates, and the money recovered by payment channel and by the
ladder step that preceded it (docs/REPORTS.md). A fixed number of queries per call."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contracts.models import Payment, PaymentStatus, PlanStatus, PromiseStatus, PromiseToPay, RepaymentPlan
from notices.models import Notice, NoticeStatus

from .period import Period

ZERO = Decimal("0.00")
# A payment is credited to the last notice sent about its contract within this many days before it.
ATTRIBUTION_DAYS = 14
NO_NOTICE = ""


@dataclass(frozen=True)
class KeptRate:
    month: str  # "YYYY-MM", or "" for the whole period
    kept: int
    broken: int

    @property
    def decided(self) -> int:
        return self.kept + self.broken

    @property
    def rate(self) -> float | None:
        return self.kept / self.decided if self.decided else None


def _kept_rates(rows: list[tuple[dt.date | dt.datetime, str, int]], kept: str, broken: str) -> list[KeptRate]:
    by_month: dict[str, dict[str, int]] = defaultdict(lambda: {kept: 0, broken: 0})
    for month, status, n in rows:
        by_month[f"{month:%Y-%m}"][status] += n
    months = [KeptRate(month=m, kept=v[kept], broken=v[broken]) for m, v in sorted(by_month.items())]
    total = KeptRate(month="", kept=sum(r.kept for r in months), broken=sum(r.broken for r in months))
    return [*months, total]


def promise_kept_rates(period: Period) -> list[KeptRate]:
    """Promises to pay whose promised date falls in the period and that were decided (kept or
    broken; open and cancelled ones are not counted), per month of the promised date and in
    total (last row). One query."""
    rows = list(
        PromiseToPay.objects.filter(
            promised_date__gte=period.start,
            promised_date__lte=period.end,
            status__in=[PromiseStatus.KEPT, PromiseStatus.BROKEN],
        )
        .annotate(month=TruncMonth("promised_date"))
        .values("month", "status")
        .annotate(n=Count("pk"))
        .values_list("month", "status", "n")
        .order_by()
    )
    return _kept_rates(rows, PromiseStatus.KEPT, PromiseStatus.BROKEN)


def plan_kept_rates(period: Period) -> list[KeptRate]:
    """Repayment plans that ended in the period as kept (completed) or broken, per month of
    their end and in total (last row). One query."""
    rows = list(
        RepaymentPlan.objects.filter(
            closed_on__gte=period.start, closed_on__lte=period.end, status__in=[PlanStatus.KEPT, PlanStatus.BROKEN]
        )
        .annotate(month=TruncMonth("closed_on"))
        .values("month", "status")
        .annotate(n=Count("pk"))
        .values_list("month", "status", "n")
        .order_by()
    )
    return _kept_rates(rows, PlanStatus.KEPT, PlanStatus.BROKEN)


@dataclass(frozen=True)
class Recovered:
    key: str  # the channel, or the ladder step's code ("" = no notice before it)
    payments: int
    amount: Decimal


def recovered_by_channel(period: Period) -> tuple[list[str], dict[str, dict[str, Decimal]], list[Recovered]]:
    """Payments posted in the period (business date) and not reversed: per month and channel,
    and per channel in total. Their sum is the ledger's posted payments of the period. One query."""
    rows = list(
        Payment.objects.filter(
            status=PaymentStatus.POSTED, business_date__gte=period.start, business_date__lte=period.end
        )
        .annotate(month=TruncMonth("business_date"))
        .values("month", "channel")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .values_list("month", "channel", "n", "amount")
        .order_by()
    )
    months = period.months()
    by_month: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(months, ZERO))
    totals: dict[str, list[int | Decimal]] = defaultdict(lambda: [0, ZERO])
    for month, channel, n, amount in rows:
        by_month[channel][f"{month:%Y-%m}"] += amount
        totals[channel][0] += n  # type: ignore[operator]
        totals[channel][1] += amount  # type: ignore[operator]
    total_rows = [
        Recovered(key=channel, payments=int(values[0]), amount=Decimal(values[1]))
        for channel, values in sorted(totals.items(), key=lambda item: -Decimal(item[1][1]))
    ]
    return months, dict(by_month), total_rows


def recovered_by_step(period: Period) -> list[Recovered]:
    """Each payment of the period credited to the last notice sent about its contract in the
    ``ATTRIBUTION_DAYS`` days before it was received: per ladder step (a notice not sent by
    the ladder counts under its purpose; no notice: ""). Two queries."""
    payments = list(
        Payment.objects.filter(
            status=PaymentStatus.POSTED, business_date__gte=period.start, business_date__lte=period.end
        ).values_list("contract_id", "received_at", "amount")
    )
    earliest = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min)) - dt.timedelta(
        days=ATTRIBUTION_DAYS + 1
    )
    sent: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for contract_id, sent_at, step_code, purpose in (
        Notice.objects.filter(
            contract__isnull=False,
            status__in=[NoticeStatus.SENT, NoticeStatus.DELIVERED],
            sent_at__gte=earliest,
        )
        .values_list("contract_id", "sent_at", "step__code", "purpose")
        .order_by("sent_at")
    ):
        sent[contract_id].append((sent_at, step_code or purpose))
    totals: dict[str, list[int | Decimal]] = defaultdict(lambda: [0, ZERO])
    for contract_id, received_at, amount in payments:
        notices = sent.get(contract_id, [])
        i = bisect.bisect_right([at for at, _ in notices], received_at) - 1
        key = NO_NOTICE
        if i >= 0 and received_at - notices[i][0] <= dt.timedelta(days=ATTRIBUTION_DAYS):
            key = notices[i][1]
        totals[key][0] += 1  # type: ignore[operator]
        totals[key][1] += amount  # type: ignore[operator]
    return [
        Recovered(key=key, payments=int(values[0]), amount=Decimal(values[1]))
        for key, values in sorted(totals.items(), key=lambda item: -Decimal(item[1][1]))
    ]
