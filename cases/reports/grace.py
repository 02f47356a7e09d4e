"""Grace-period analysis per product: how soon overdue contracts cure, and what a longer or
shorter grace period would have done to cures within it, late fees charged and complaints
(docs/REPORTS.md states the method and its assumption).

An *episode* starts on the day a contract becomes overdue (``became_delinquent``, days past due
1) and ends when it is current again (``cured``), paid off, or charged off. Its *cure day* is the
highest days past due it reached before curing: an episode that cured on day c after starting on
day s reached c − s. The late fee is charged when days past due pass the grace period, so an
episode that cured within ``g`` days was never charged under a grace period of ``g`` days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from appeals.models import Case, CaseKind
from contracts.models import ChargeEntry, ChargeKind, DelinquencyTransition, Product

from .period import Period

ZERO = Decimal("0.00")
CURVE_DAYS = 60
ALTERNATIVES = (-2, -1, 0, 1, 2, 3, 5, 7)  # grace periods looked at, relative to the product's
COMPLAINT_WINDOW_DAYS = 30  # a complaint filed within this many days after an episode's end counts for it


@dataclass(frozen=True)
class Episode:
    contract_id: int
    started: dt.date
    ended: dt.date | None  # cured or paid off; None = still overdue, or charged off
    charged_off: bool
    fee: Decimal
    complained: bool

    def observed_for(self, days: int, until: dt.date) -> bool:
        """Whether we know if it cured within ``days`` days (ended, or watched that long)."""
        return self.ended is not None or self.charged_off or (until - self.started).days >= days

    @property
    def cure_day(self) -> int | None:
        return (self.ended - self.started).days if self.ended else None


@dataclass(frozen=True)
class GraceScenario:
    grace_days: int
    cured_within: int
    cure_rate: float | None
    fees: Decimal
    complaints: float
    is_current: bool


@dataclass
class GraceAnalysis:
    product: Product
    episodes: int
    curve: list[tuple[int, int, float | None]] = field(default_factory=list)  # day, observed, cured share
    scenarios: list[GraceScenario] = field(default_factory=list)
    fee_per_charged_episode: Decimal = ZERO
    complaints_per_charged_episode: float = 0.0


def _episodes(period: Period, product_ids: list[int]) -> dict[int, list[Episode]]:
    rows = list(
        DelinquencyTransition.objects.filter(
            contract__product_id__in=product_ids,
            on_date__gte=period.start,
            event__in=["became_delinquent", "cured", "paid_off", "charged_off"],
        )
        .values_list("contract_id", "contract__product_id", "episode", "event", "on_date")
        .order_by("contract_id", "on_date", "id")
    )
    fee_days: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for contract_id, from_date, amount in ChargeEntry.objects.filter(
        contract__product_id__in=product_ids, kind=ChargeKind.LATE_FEE, from_date__gte=period.start
    ).values_list("contract_id", "from_date", "amount"):
        fee_days[contract_id].append((from_date, amount))
    complaints: dict[int, list[dt.date]] = defaultdict(list)
    for contract_id, submitted_at in Case.objects.filter(
        kind=CaseKind.COMPLAINT, contract__product_id__in=product_ids, submitted_at__date__gte=period.start
    ).values_list("contract_id", "submitted_at"):
        complaints[contract_id].append(submitted_at.date())
    open_episodes: dict[tuple[int, int], tuple[int, dt.date]] = {}
    out: dict[int, list[Episode]] = defaultdict(list)

    def close(contract_id: int, product_id: int, started: dt.date, ended: dt.date | None, charged_off: bool) -> None:
        until = ended or period.end
        fee = sum((a for d, a in fee_days.get(contract_id, []) if started <= d <= until), ZERO)
        complained = any(
            started <= d <= until + dt.timedelta(days=COMPLAINT_WINDOW_DAYS) for d in complaints.get(contract_id, [])
        )
        if started <= period.end:
            out[product_id].append(Episode(contract_id, started, ended, charged_off, fee, complained))

    for contract_id, product_id, episode, event, on_date in rows:
        key = (contract_id, episode)
        if event == "became_delinquent":
            open_episodes[key] = (product_id, on_date)
        elif key in open_episodes:
            product, started = open_episodes.pop(key)
            charged_off = event == "charged_off"
            close(contract_id, product, started, None if charged_off else on_date, charged_off)
    for (contract_id, _episode), (product_id, started) in open_episodes.items():
        close(contract_id, product_id, started, None, False)
    return out


def grace_analysis(period: Period) -> list[GraceAnalysis]:
    """Per product with episodes starting in the period: the cure curve (for each day d up to
    ``CURVE_DAYS``, the share of episodes observed for at least d days that cured within d
    days) and, for grace periods around the product's, the episodes cured within the grace
    period, the late fees that would have been charged and the complaints expected: what was
    charged (complained) under the product's grace period, plus or minus the episodes that
    would (not) have passed the other one × the average late fee of a charged episode (its
    complaints per charged episode). Four queries."""
    products = list(Product.objects.order_by("code"))
    episodes = _episodes(period, [p.pk for p in products])
    analyses = []
    for product in products:
        items = episodes.get(product.pk, [])
        if not items:
            continue
        analysis = GraceAnalysis(product=product, episodes=len(items))
        for day in range(CURVE_DAYS + 1):
            observed = [e for e in items if e.observed_for(day, period.end)]
            cured = sum(1 for e in observed if e.cure_day is not None and e.cure_day <= day)
            analysis.curve.append((day, len(observed), cured / len(observed) if observed else None))
        charged = [e for e in items if e.fee > 0]
        fees_actual = sum((e.fee for e in charged), ZERO)
        complaints_actual = sum(1 for e in items if e.complained and e.fee > 0)
        fee_each = (fees_actual / len(charged)).quantize(Decimal("0.01")) if charged else ZERO
        complaints_each = complaints_actual / len(charged) if charged else 0.0
        analysis.fee_per_charged_episode = fee_each
        analysis.complaints_per_charged_episode = complaints_each

        def not_cured_within(grace: int, items: list[Episode] = items) -> int:
            return sum(1 for e in items if e.cure_day is None or e.cure_day > grace)

        current = not_cured_within(product.grace_days)
        for delta in ALTERNATIVES:
            grace = product.grace_days + delta
            if grace < 0:
                continue
            beyond = not_cured_within(grace)
            # What was charged, plus or minus the episodes that would (not) have passed the grace period.
            change = beyond - current
            analysis.scenarios.append(
                GraceScenario(
                    grace_days=grace,
                    cured_within=len(items) - beyond,
                    cure_rate=(len(items) - beyond) / len(items),
                    fees=max(fees_actual + fee_each * change, ZERO).quantize(Decimal("0.01")),
                    complaints=round(max(complaints_actual + complaints_each * change, 0.0), 1),
                    is_current=delta == 0,
                )
            )
        analyses.append(analysis)
    return analyses
