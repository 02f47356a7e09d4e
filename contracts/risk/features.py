"""The early-warning features of every contract of an id range as of a day, and the outcome
the score predicts, reconstructed from the ledger's own history.

A range's history is read once (five ``values_list`` queries: contracts, installments,
payments, broken promises, delinquency transitions) into numpy arrays; ``features_on`` and
``outcome_after`` then work on any day of it without another query, so the nightly scoring
and the training (many days) share one definition. Dates are proleptic ordinals.

As of a day D (its end):
- an installment is *open* when it was not settled by D (``settled_on`` empty or after D) and
  not yet moved into a repayment plan (``superseded_on`` empty or after D);
- days past due = D − the oldest due date of the open installments due before D (the sweep's
  definition, ``contracts.ledger.days_past_due``);
- a contract is *scored* when it has started, has an open installment and was not charged off
  by D.

The outcome (``outcome_after``): the contract reaches 30 days past due in the next cycle, i.e.
an installment due in (D − 30, D + 30] — one already overdue or the one falling due in the
next 30 days — is still open 30 days after its due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q

from ..models import Contract as ContractModel
from ..models import (
    DelinquencyTransition,
    Installment,
    Payment,
    PaymentStatus,
    PromiseStatus,
    PromiseToPay,
)

NEVER = 10**7  # an ordinal after any business date: "not (yet) settled / superseded"
HORIZON_DAYS = 30  # the next cycle
TARGET_DPD = 30
LOOKBACK_DAYS = 180
PAYMENT_WINDOW_DAYS = 90
EPISODE_DAYS = 365

FEATURES: tuple[str, ...] = (
    "days_past_due",
    "overdue_installments",
    "late_installments_180",
    "max_days_late_180",
    "payment_ratio_90",
    "broken_promises_180",
    "days_since_payment",
    "episodes_365",
)


@dataclass
class History:
    contract_ids: np.ndarray[Any, Any]
    start: np.ndarray[Any, Any]
    charged_off_on: np.ndarray[Any, Any]
    # installments
    inst_contract: np.ndarray[Any, Any]
    inst_due: np.ndarray[Any, Any]
    inst_settled: np.ndarray[Any, Any]
    inst_superseded: np.ndarray[Any, Any]
    inst_amount: np.ndarray[Any, Any]
    # payments, broken promises, episodes started
    pay_contract: np.ndarray[Any, Any]
    pay_day: np.ndarray[Any, Any]
    pay_amount: np.ndarray[Any, Any]
    broken_contract: np.ndarray[Any, Any]
    broken_day: np.ndarray[Any, Any]
    episode_contract: np.ndarray[Any, Any]
    episode_day: np.ndarray[Any, Any]

    @property
    def size(self) -> int:
        return int(self.contract_ids.size)


def _ordinal(value: dt.date | None) -> int:
    return value.toordinal() if value is not None else NEVER


def history_load(*, first_id: int, last_id: int, since: dt.date, through: dt.date) -> History:
    """The range's history that matters for days ``since`` … ``through`` (features look back
    180 days before ``since``, episodes a year; outcomes look forward from ``through``). Five
    queries; only the rows the features read (installments due in the look-back or still open,
    payments and broken promises of the look-back)."""
    look_from = since - dt.timedelta(days=LOOKBACK_DAYS)
    episodes_from = since - dt.timedelta(days=EPISODE_DAYS)
    contracts = list(
        ContractModel.objects.filter(pk__gte=first_id, pk__lte=last_id, start_date__lte=through)
        .order_by("pk")
        .values_list("pk", "start_date")
    )
    ids = np.asarray([c[0] for c in contracts], dtype=np.int64)
    start = np.asarray([c[1].toordinal() for c in contracts], dtype=np.int64)
    in_range = Q(contract_id__gte=first_id, contract_id__lte=last_id)
    inst = _rows(
        ids,
        Installment.objects.filter(in_range)
        .filter(
            Q(due_date__gt=look_from) | Q(settled_on__isnull=True) | Q(settled_on__gt=look_from),
            due_date__lte=through + dt.timedelta(days=HORIZON_DAYS),
        )
        .values_list("contract_id", "due_date", "settled_on", "superseded_on", "principal_due", "interest_due"),
    )
    payments = _rows(
        ids,
        Payment.objects.filter(
            in_range, status=PaymentStatus.POSTED, business_date__gt=look_from, business_date__lte=through
        ).values_list("contract_id", "business_date", "amount"),
    )
    broken = _rows(
        ids,
        PromiseToPay.objects.filter(
            in_range, status=PromiseStatus.BROKEN, resolved_on__gt=look_from, resolved_on__lte=through
        ).values_list("contract_id", "resolved_on"),
    )
    transitions = _rows(
        ids,
        DelinquencyTransition.objects.filter(
            Q(event="charged_off") | Q(event="became_delinquent", on_date__gt=episodes_from),
            in_range,
            on_date__lte=through,
        ).values_list("contract_id", "on_date", "event"),
    )
    charged_off_on = np.full(ids.size, NEVER, dtype=np.int64)
    charged = [(i, d) for i, d, event in transitions if event == "charged_off"]
    if charged:
        np.minimum.at(charged_off_on, np.asarray([c[0] for c in charged]), [c[1].toordinal() for c in charged])
    episodes = [(i, d) for i, d, event in transitions if event == "became_delinquent"]
    return History(
        contract_ids=ids,
        start=start,
        charged_off_on=charged_off_on,
        inst_contract=np.asarray([r[0] for r in inst], dtype=np.int64),
        inst_due=np.asarray([r[1].toordinal() for r in inst], dtype=np.int64),
        inst_settled=np.asarray([_ordinal(r[2]) for r in inst], dtype=np.int64),
        inst_superseded=np.asarray([_ordinal(r[3]) for r in inst], dtype=np.int64),
        inst_amount=np.asarray([float(r[4] + r[5]) for r in inst], dtype=np.float64),
        pay_contract=np.asarray([r[0] for r in payments], dtype=np.int64),
        pay_day=np.asarray([r[1].toordinal() for r in payments], dtype=np.int64),
        pay_amount=np.asarray([float(r[2]) for r in payments], dtype=np.float64),
        broken_contract=np.asarray([r[0] for r in broken], dtype=np.int64),
        broken_day=np.asarray([r[1].toordinal() for r in broken], dtype=np.int64),
        episode_contract=np.asarray([r[0] for r in episodes], dtype=np.int64),
        episode_day=np.asarray([r[1].toordinal() for r in episodes], dtype=np.int64),
    )


def _rows(ids: np.ndarray[Any, Any], query: Any) -> list[tuple[Any, ...]]:
    """The query's rows with the contract id (first column) replaced by its index in ``ids``;
    rows of contracts not in ``ids`` (not started yet) are left out."""
    rows = list(query)
    if not rows or ids.size == 0:
        return []
    index = np.searchsorted(ids, np.asarray([r[0] for r in rows], dtype=np.int64))
    known = (index < ids.size) & (ids[np.minimum(index, ids.size - 1)] == [r[0] for r in rows])
    return [(int(i), *row[1:]) for i, row, ok in zip(index, rows, known, strict=True) if ok]


def _count(index: np.ndarray[Any, Any], mask: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    return np.bincount(index[mask], minlength=n).astype(np.float64)


@dataclass(frozen=True)
class Snapshot:
    """Every contract of the range on one day: which are scored, and their feature rows."""

    on: dt.date
    contract_ids: np.ndarray[Any, Any]
    scored: np.ndarray[Any, Any]  # bool per contract
    days_past_due: np.ndarray[Any, Any]  # int per contract
    matrix: np.ndarray[Any, Any]  # float, one column per FEATURES name


def features_on(history: History, on: dt.date) -> Snapshot:
    n = history.size
    d = on.toordinal()
    h = history
    active = h.inst_superseded > d
    open_now = active & (h.inst_settled > d)
    overdue = open_now & (h.inst_due < d)
    oldest = np.full(n, NEVER, dtype=np.int64)
    np.minimum.at(oldest, h.inst_contract[overdue], h.inst_due[overdue])
    dpd = np.where(oldest < NEVER, d - oldest, 0)
    has_open = np.bincount(h.inst_contract[open_now], minlength=n) > 0
    scored = (h.start <= d) & has_open & (h.charged_off_on > d)

    recent = (h.inst_due > d - LOOKBACK_DAYS) & (h.inst_due <= d)
    days_late = np.minimum(h.inst_settled, d) - h.inst_due
    late = recent & (days_late > 0)
    max_late = np.zeros(n, dtype=np.int64)
    np.maximum.at(max_late, h.inst_contract[recent], np.clip(days_late[recent], 0, LOOKBACK_DAYS))

    due_window = (h.inst_due > d - PAYMENT_WINDOW_DAYS) & (h.inst_due <= d)
    amount_due = np.zeros(n)
    np.add.at(amount_due, h.inst_contract[due_window], h.inst_amount[due_window])
    pay_window = (h.pay_day > d - PAYMENT_WINDOW_DAYS) & (h.pay_day <= d)
    paid = np.zeros(n)
    np.add.at(paid, h.pay_contract[pay_window], h.pay_amount[pay_window])
    # Nothing fell due in the window: the customer is not behind on it (ratio 1).
    ratio = np.where(amount_due > 0, np.minimum(paid / np.where(amount_due > 0, amount_due, 1.0), 2.0), 1.0)

    last_payment = np.full(n, -1, dtype=np.int64)
    paid_before = h.pay_day <= d
    np.maximum.at(last_payment, h.pay_contract[paid_before], h.pay_day[paid_before])
    since_payment = np.where(last_payment >= 0, d - last_payment, d - h.start)
    since_payment = np.clip(since_payment, 0, LOOKBACK_DAYS)

    broken = _count(h.broken_contract, (h.broken_day > d - LOOKBACK_DAYS) & (h.broken_day <= d), n)
    episodes = _count(h.episode_contract, (h.episode_day > d - EPISODE_DAYS) & (h.episode_day <= d), n)
    matrix = np.column_stack(
        [
            dpd.astype(np.float64),
            _count(h.inst_contract, overdue, n),
            _count(h.inst_contract, late, n),
            max_late.astype(np.float64),
            ratio,
            broken,
            since_payment.astype(np.float64),
            episodes,
        ]
    )
    return Snapshot(on=on, contract_ids=h.contract_ids, scored=scored, days_past_due=dpd, matrix=matrix)


def outcome_after(history: History, on: dt.date) -> np.ndarray[Any, Any]:
    """Per contract: 1 if it reached ``TARGET_DPD`` days past due within the next cycle."""
    d = on.toordinal()
    h = history
    reach = h.inst_due + TARGET_DPD
    candidate = (h.inst_due > d - TARGET_DPD) & (h.inst_due <= d + HORIZON_DAYS)
    still_open = (h.inst_settled > reach) & (h.inst_superseded > reach)
    hit = candidate & still_open
    return (np.bincount(h.inst_contract[hit], minlength=h.size) > 0).astype(np.int64)


def transform(matrix: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """What the model sees: day counts and counts on a log scale (a week late matters more
    than the difference between 100 and 107 days since a payment)."""
    out = matrix.astype(np.float64).copy()
    for name in ("days_past_due", "max_days_late_180", "days_since_payment", "late_installments_180"):
        i = FEATURES.index(name)
        out[:, i] = np.log1p(out[:, i])
    return out
