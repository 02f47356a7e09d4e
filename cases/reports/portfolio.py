"""The portfolio by days-past-due bucket at each month end, roll rates between buckets month
on month and the cure rate, reconstructed from the ledger's installments (docs/REPORTS.md).

On a day D (its end) an installment is *open* when it was not settled by D and not moved into
a repayment plan by D; a contract is in the portfolio when it has an open installment and was
not charged off by D; its days past due are D − the oldest due date of its open installments
due before D (the sweep's definition), its bucket that of ``DELINQUENCY_BUCKETS``. Queries: at most
six for the whole period, whatever the number of days looked at (one aggregate per kind of
figure, with one filtered column per day).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, Sum

from contracts.ledger_store import bucket_for
from contracts.models import Contract, ContractStatus, DelinquencyTransition, Installment

from .period import Period

CURRENT = "M0"
CHARGED_OFF = "charged_off"
CLOSED = "closed"  # paid off (or otherwise left the portfolio) in the month


def bucket_labels() -> list[str]:
    return [label for label, _low, _high in settings.DELINQUENCY_BUCKETS]


def _open_on(on: dt.date, *, started: bool = True) -> Q:
    q = (Q(settled_on__isnull=True) | Q(settled_on__gt=on)) & (Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))
    # An installment due before the day belongs to a contract that had started by then.
    return q & Q(contract__start_date__lte=on) if started else q


def delinquent_on(on: dt.date) -> dict[int, int]:
    """Contract id → days past due on ``on`` for every contract overdue that day (not charged off)."""
    return _states([on])[0][0]


def open_count_on(on: dt.date) -> int:
    """Contracts in the portfolio on ``on`` (an open installment, not charged off)."""
    return _states([on])[1][0]


def _states(days: list[dt.date]) -> tuple[list[dict[int, int]], list[int], dict[int, dt.date]]:
    """For every day at once (four queries whatever the number of days): the contracts overdue
    that day with their days past due, the number of contracts in the portfolio, and the day
    each charged-off contract was charged off."""
    charged_off_on: dict[int, dt.date] = dict(
        DelinquencyTransition.objects.filter(event="charged_off", on_date__lte=days[-1])
        .values("contract_id")
        .annotate(first=Min("on_date"))
        .values_list("contract_id", "first")
        .order_by()
    )
    first = days[0]
    # Open on one of the days implies not settled and not moved into a plan by the first.
    maybe_open = Installment.objects.filter(
        Q(settled_on__isnull=True) | Q(settled_on__gt=first), Q(superseded_on__isnull=True) | Q(superseded_on__gt=first)
    )
    oldest = {
        f"d{i}": Min("due_date", filter=_open_on(day, started=False) & Q(due_date__lt=day))
        for i, day in enumerate(days)
    }
    delinquent: list[dict[int, int]] = [{} for _ in days]
    for contract_id, *dues in (
        maybe_open.filter(due_date__lt=days[-1])
        .values("contract_id")
        .annotate(**oldest)
        .values_list("contract_id", *oldest)
    ):
        for i, due in enumerate(dues):
            charged = charged_off_on.get(contract_id)
            if due is not None and (charged is None or charged > days[i]):
                delinquent[i][contract_id] = (days[i] - due).days
    counts = maybe_open.aggregate(
        **{f"n{i}": Count("contract_id", distinct=True, filter=_open_on(day)) for i, day in enumerate(days)}
    )
    open_counts = [counts[f"n{i}"] or 0 for i in range(len(days))]
    if charged_off_on:
        # Charged-off contracts still have open installments: they leave the portfolio's count.
        flags = {f"o{i}": Count("pk", filter=_open_on(day)) for i, day in enumerate(days)}
        charged_rows = DelinquencyTransition.objects.filter(contract_id=OuterRef("contract_id"), event="charged_off")
        for contract_id, *opens in (
            maybe_open.filter(Exists(charged_rows))
            .values("contract_id")
            .annotate(**flags)
            .values_list("contract_id", *flags)
        ):
            for i, n in enumerate(opens):
                if n and charged_off_on[contract_id] <= days[i]:
                    open_counts[i] -= 1
    return delinquent, open_counts, charged_off_on


@dataclass
class PortfolioHistory:
    days: list[dt.date]
    open_counts: list[int]
    delinquent: list[dict[int, int]]
    charged_off_on: dict[int, dt.date]
    closed_on: dict[int, list[dt.date]]
    start_dates: dict[int, dt.date]
    labels: list[str] = field(default_factory=bucket_labels)

    def buckets_on(self, index: int) -> dict[str, int]:
        """Contracts per bucket (M0 = in the portfolio and not overdue) and charged off (still owed)."""
        counts = dict.fromkeys(self.labels, 0)
        for dpd in self.delinquent[index].values():
            counts[bucket_for(dpd)] += 1
        counts[CURRENT] = self.open_counts[index] - len(self.delinquent[index])
        on = self.days[index]
        counts[CHARGED_OFF] = sum(1 for day in self.charged_off_on.values() if day <= on)
        return counts

    def _state(self, index: int, contract_id: int) -> str:
        dpd = self.delinquent[index].get(contract_id)
        return CURRENT if dpd is None else bucket_for(dpd)

    def roll_matrix(self, index: int) -> dict[str, dict[str, int]]:
        """Contracts by their bucket at ``days[index - 1]`` (rows) and at ``days[index]``
        (columns: the buckets, charged off, closed). Row M0 counts the contracts in the
        portfolio and not overdue at the earlier day."""
        before, after = self.days[index - 1], self.days[index]
        columns = [*self.labels, CHARGED_OFF, CLOSED]
        matrix = {label: dict.fromkeys(columns, 0) for label in self.labels}
        earlier, later = self.delinquent[index - 1], self.delinquent[index]

        def outcome(contract_id: int) -> str:
            charged = self.charged_off_on.get(contract_id)
            if charged is not None and before < charged <= after:
                return CHARGED_OFF
            if contract_id in later:
                return bucket_for(later[contract_id])
            closed = [d for d in self.closed_on.get(contract_id, []) if before < d <= after]
            return CLOSED if closed else CURRENT

        for contract_id, dpd in earlier.items():
            matrix[bucket_for(dpd)][outcome(contract_id)] += 1
        # Contracts current at the earlier day: those overdue now, charged off or closed since;
        # the rest stayed current.
        current_total = self.open_counts[index - 1] - len(earlier)
        moved = 0
        for contract_id in later.keys() - earlier.keys():
            if self.start_dates.get(contract_id, after) <= before:
                matrix[CURRENT][outcome(contract_id)] += 1
                moved += 1
        for contract_id, days in self.closed_on.items():
            if contract_id in earlier or contract_id in later:
                continue
            if any(before < d <= after for d in days) and self.start_dates.get(contract_id, after) <= before:
                matrix[CURRENT][CLOSED] += 1
                moved += 1
        matrix[CURRENT][CURRENT] = max(current_total - moved, 0)
        return matrix

    def roll_forward_rates(self) -> list[dict[str, float | None]]:
        """Per month (from the second day looked at): for each bucket but the last, the share
        of its contracts that were one bucket further a month later."""
        rates = []
        for index in range(1, len(self.days)):
            matrix = self.roll_matrix(index)
            row: dict[str, float | None] = {}
            for here, there in zip(self.labels, self.labels[1:], strict=False):
                total = sum(matrix[here].values())
                row[here] = matrix[here][there] / total if total else None
            rates.append(row)
        return rates

    def cure_rates(self) -> list[tuple[int, int, float | None]]:
        """Per month: contracts overdue at the earlier day, how many of them were current or
        closed (paid off) a month later, and the share."""
        out = []
        for index in range(1, len(self.days)):
            matrix = self.roll_matrix(index)
            overdue = cured = 0
            for label in self.labels[1:]:
                overdue += sum(matrix[label].values())
                cured += matrix[label][CURRENT] + matrix[label][CLOSED]
            out.append((overdue, cured, cured / overdue if overdue else None))
        return out


def portfolio_history(period: Period) -> PortfolioHistory:
    days = period.month_ends()
    if len(days) == 1:
        # One day gives no month-on-month movement: look at the day a month before as well.
        days = [days[0] - dt.timedelta(days=30), days[0]]
    delinquent, open_counts, charged_off_on = _states(days)
    closed_on: dict[int, list[dt.date]] = {}
    for contract_id, on_date in DelinquencyTransition.objects.filter(
        event="paid_off", on_date__gt=days[0], on_date__lte=days[-1]
    ).values_list("contract_id", "on_date"):
        closed_on.setdefault(contract_id, []).append(on_date)
    newly: set[int] = set(closed_on)
    for before, after in itertools.pairwise(delinquent):
        newly |= after.keys() - before.keys()
    start_dates = dict(Contract.objects.filter(pk__in=sorted(newly)).values_list("pk", "start_date")) if newly else {}
    return PortfolioHistory(
        days=days,
        open_counts=open_counts,
        delinquent=delinquent,
        charged_off_on=charged_off_on,
        closed_on=closed_on,
        start_dates=start_dates,
    )


@dataclass(frozen=True)
class LedgerBucket:
    bucket: str
    contracts: int
    principal: Decimal


def ledger_buckets() -> list[LedgerBucket]:
    """The ledger as it stands (the last closed day): contracts not paid off per bucket and
    their principal outstanding; charged-off contracts on their own line. One query. The total
    is the ledger's own sum of principal outstanding over those contracts."""
    merged: dict[str, tuple[int, Decimal]] = {}
    for bucket, status, n, principal in (
        Contract.objects.exclude(status=ContractStatus.PAID_OFF)
        .values("bucket", "status")
        .annotate(n=Count("pk"), principal=Sum("principal_outstanding"))
        .values_list("bucket", "status", "n", "principal")
        .order_by()
    ):
        key = CHARGED_OFF if status == ContractStatus.CHARGED_OFF else bucket
        count, amount = merged.get(key, (0, Decimal("0.00")))
        merged[key] = (count + n, amount + (principal or Decimal("0.00")))
    empty = (0, Decimal("0.00"))
    return [
        LedgerBucket(bucket=label, contracts=merged.get(label, empty)[0], principal=merged.get(label, empty)[1])
        for label in [*bucket_labels(), CHARGED_OFF]
    ]
