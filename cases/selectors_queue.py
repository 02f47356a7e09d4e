"""The work queue: overdue accounts a staff member may work, ordered by one priority.

``queue_priority`` is the one place the order is defined. Each term is an SQL expression over
the contract row, so the database sorts and pages the queue (one query for a page, one for its
count). Terms today:

==========================  ==============================================================
days past due               ``DPD_WEIGHT`` per day, at most ``DPD_CAP`` days
amount overdue              ``AMOUNT_WEIGHT`` per ``AMOUNT_UNIT`` overdue, at most ``AMOUNT_CAP`` units
promise due today           ``PROMISE_TODAY_BONUS`` (the customer said they would pay today)
SLA items                   ``SLA_BONUS`` when a dispute, complaint or appeal on the account is
                            breached or due within ``SLA_HORIZON``
collection on hold          ``HOLD_PENALTY`` (nothing to do by phone; listed last)
early-warning risk          ``RISK_WEIGHT`` × the contract's latest probability of reaching 30
                            days past due in the next cycle (``ContractRiskScore``; 0 unscored)
==========================  ==============================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from accounts.models import User
from accounts.roles import ASSIGN_ACCOUNTS
from appeals.models import OPEN_STATUSES, CaseStatus
from appeals.models import Case as AppealCase
from contracts.models import CollectionHold, Contract, ContractStatus, Installment, PromiseStatus, PromiseToPay
from contracts.selectors import contracts_for_staff
from core.dates import aware_start_of_day

from .models import Assignment, CallLog

WORKABLE_STATUSES = (ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF)
DPD_WEIGHT = Decimal("2")
DPD_CAP = 180
AMOUNT_UNIT = Decimal("100")
AMOUNT_WEIGHT = Decimal("1")
AMOUNT_CAP = Decimal("300")
PROMISE_TODAY_BONUS = Decimal("200")
SLA_BONUS = Decimal("150")
SLA_HORIZON = dt.timedelta(hours=24)
HOLD_PENALTY = Decimal("-1000")
# A contract certain to reach 30 days past due weighs as much as 50 more days past due.
RISK_WEIGHT = Decimal("100")
QUEUE_PAGE_SIZE = 50

MONEY: Any = DecimalField(max_digits=20, decimal_places=2)
SCORE: Any = DecimalField(max_digits=20, decimal_places=4)

SCOPES = ("mine", "team", "unassigned", "all")


def _balanced_sum(terms: list[Any]) -> Any:
    """a + b + c + … as a balanced tree: SQLite's parser refuses deeply nested expressions."""
    if len(terms) == 1:
        return terms[0]
    middle = len(terms) // 2
    return _balanced_sum(terms[:middle]) + _balanced_sum(terms[middle:])


def _overdue_amount(today: dt.date) -> Subquery:
    """What is overdue on the contract: open amounts of installments due before today."""
    owed = _balanced_sum([F(name) for name in ("principal_due", "interest_due", "penalty_accrued", "fee_charged")])
    settled = _balanced_sum(
        [
            F(name)
            for name in (
                "principal_paid",
                "principal_waived",
                "interest_paid",
                "interest_waived",
                "penalty_paid",
                "penalty_waived",
                "fee_paid",
                "fee_waived",
            )
        ]
    )
    open_amount = owed - settled
    rows = (
        Installment.objects.filter(
            contract_id=OuterRef("pk"), due_date__lt=today, superseded_on__isnull=True, settled_on__isnull=True
        )
        .order_by()
        .values("contract_id")
        .annotate(total=Sum(ExpressionWrapper(open_amount, output_field=MONEY)))
        .values("total")
    )
    return Subquery(rows, output_field=MONEY)


def queue_annotations(*, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """The facts the priority is made of, as annotations (also shown in the queue)."""
    sla = AppealCase.objects.filter(contract_id=OuterRef("pk"), status__in=OPEN_STATUSES).filter(
        Q(breached_at__isnull=False)
        | Q(resolve_due_at__lte=now + SLA_HORIZON)
        | Q(status=CaseStatus.SUBMITTED, acknowledge_due_at__lte=now + SLA_HORIZON)
    )
    return {
        "overdue_amount": Coalesce(_overdue_amount(today), Value(Decimal("0.00")), output_field=MONEY),
        "promise_today": Exists(
            PromiseToPay.objects.filter(contract_id=OuterRef("pk"), status=PromiseStatus.OPEN, promised_date=today)
        ),
        "sla_item": Exists(sla),
        "on_hold": Exists(CollectionHold.objects.filter(contract_id=OuterRef("pk"), released_on__isnull=True)),
        # The early-warning score (one LEFT JOIN): its probability weighs in, its band is shown.
        "risk_probability": Coalesce(F("risk_score__probability"), Value(Decimal("0")), output_field=SCORE),
        "risk_band": F("risk_score__band"),
    }


def queue_priority() -> ExpressionWrapper:
    """The queue's priority over the annotations of ``queue_annotations`` (higher first)."""
    terms = [
        Least(F("days_past_due"), Value(DPD_CAP)) * Value(DPD_WEIGHT),
        Least(F("overdue_amount") / Value(AMOUNT_UNIT), Value(AMOUNT_CAP)) * Value(AMOUNT_WEIGHT),
        Case(When(promise_today=True, then=Value(PROMISE_TODAY_BONUS)), default=Value(Decimal("0"))),
        Case(When(sla_item=True, then=Value(SLA_BONUS)), default=Value(Decimal("0"))),
        Case(When(on_hold=True, then=Value(HOLD_PENALTY)), default=Value(Decimal("0"))),
        F("risk_probability") * Value(RISK_WEIGHT),
    ]
    return ExpressionWrapper(_balanced_sum(terms), output_field=SCORE)


@dataclass(frozen=True)
class QueueFilters:
    scope: str = "all"
    bucket: str = ""
    dpd_min: int | None = None
    dpd_max: int | None = None
    promise_today: bool = False
    sla: bool = False
    hide_held: bool = False
    team: int | None = None
    q: str = ""

    def as_params(self) -> dict[str, str]:
        params = {
            "scope": self.scope,
            "bucket": self.bucket,
            "dpd_min": "" if self.dpd_min is None else str(self.dpd_min),
            "dpd_max": "" if self.dpd_max is None else str(self.dpd_max),
            "promise_today": "1" if self.promise_today else "",
            "sla": "1" if self.sla else "",
            "hide_held": "1" if self.hide_held else "",
            "team": "" if self.team is None else str(self.team),
            "q": self.q,
        }
        return {k: v for k, v in params.items() if v}


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def queue_filters_from(params: Any, *, user: User) -> QueueFilters:
    """Filters from a query string (or a saved view); unknown values fall back to defaults.
    Without a scope, a staff member with accounts of their own starts on them."""
    scope = str(params.get("scope", "")).strip()
    if scope not in SCOPES:
        scope = "mine" if Assignment.objects.filter(agent=user).exists() else "all"
    return QueueFilters(
        scope=scope,
        bucket=str(params.get("bucket", "")).strip()[:8],
        dpd_min=_int(params.get("dpd_min")),
        dpd_max=_int(params.get("dpd_max")),
        promise_today=params.get("promise_today") == "1",
        sla=params.get("sla") == "1",
        hide_held=params.get("hide_held") == "1",
        team=_int(params.get("team")),
        q=str(params.get("q", "")).strip()[:40],
    )


def work_queue(*, user: User, filters: QueueFilters, today: dt.date, now: dt.datetime) -> QuerySet[Contract]:
    """Overdue accounts the user may work (an agency's user: those placed with it now),
    narrowed by ``filters`` and ordered by ``queue_priority``, with the customer and the
    assignee loaded (no further query per row)."""
    qs = contracts_for_staff(user=user).filter(status__in=WORKABLE_STATUSES)
    if filters.scope == "mine":
        qs = qs.filter(assignment__agent=user)
    elif filters.scope == "team":
        qs = qs.filter(assignment__team__in=user.work_teams.all())  # type: ignore[attr-defined]
    elif filters.scope == "unassigned":
        qs = qs.filter(Q(assignment__isnull=True) | Q(assignment__agent__isnull=True, assignment__team__isnull=True))
    if filters.team is not None and user.has_perm(ASSIGN_ACCOUNTS):
        qs = qs.filter(assignment__team_id=filters.team)
    if filters.bucket:
        qs = qs.filter(bucket=filters.bucket)
    if filters.dpd_min is not None:
        qs = qs.filter(days_past_due__gte=filters.dpd_min)
    if filters.dpd_max is not None:
        qs = qs.filter(days_past_due__lte=filters.dpd_max)
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(customer__customer_number__icontains=filters.q))
    qs = qs.annotate(**queue_annotations(today=today, now=now))
    if filters.promise_today:
        qs = qs.filter(Q(promise_today=True))
    if filters.sla:
        qs = qs.filter(Q(sla_item=True))
    if filters.hide_held:
        qs = qs.filter(Q(on_hold=False))
    return (
        qs.annotate(priority=queue_priority())
        .select_related("customer", "product", "assignment__agent", "assignment__team")
        .order_by("-priority", "-days_past_due", "id")
    )


def next_account(
    *, user: User, filters: QueueFilters, today: dt.date, now: dt.datetime, skip: int | None = None
) -> Contract | None:
    """The next account to work: the first of the queue not on hold and not yet called today
    (by anyone: the daily limits are shared), other than ``skip``. One query."""
    start = aware_start_of_day(today)
    qs = work_queue(user=user, filters=filters, today=today, now=now).filter(Q(on_hold=False))
    qs = qs.exclude(pk__in=CallLog.objects.filter(at__gte=start).values("contract_id"))
    if skip is not None:
        qs = qs.exclude(pk=skip)
    return qs.first()


@dataclass(frozen=True)
class QueueCounts:
    mine: int = 0
    team: int = 0
    unassigned: int = 0
    all: int = 0


def queue_counts(*, user: User) -> QueueCounts:
    """How many overdue accounts each scope of the queue holds for the user: one query."""
    counts = (
        contracts_for_staff(user=user)
        .filter(status__in=WORKABLE_STATUSES)
        .aggregate(
            mine=Count("pk", distinct=True, filter=Q(assignment__agent=user)),
            team=Count("pk", distinct=True, filter=Q(assignment__team__members=user)),
            unassigned=Count(
                "pk",
                distinct=True,
                filter=Q(assignment__isnull=True) | Q(assignment__agent__isnull=True, assignment__team__isnull=True),
            ),
            all=Count("pk", distinct=True),
        )
    )
    return QueueCounts(**counts)
