"""Reads for the nightly ladder: a range's candidate contracts and everything judging and
writing their notices needs, loaded in bulk (a fixed number of queries, whatever the number
of contracts or notices).

Only contracts that can fire a step tonight are loaded: an open installment falls due on a
due-date step's offset, or the days past due (or past the grace period) fall inside a step's
catch-up window. Everything else about them (installments, holds, plans, preferences, the
14-day contact history, rule tightenings, templates) comes in one query each.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import ContactPreference, CustomerProfile
from contracts.limitation import Limitation
from contracts.models import (
    CollectionHold,
    Contract,
    ContractRiskScore,
    ContractStatus,
    Installment,
    PlanStatus,
    RepaymentPlan,
)
from contracts.selectors import Balance, contract_limitation, contracts_limitation
from contracts.selectors import _balance_from_rows as balance_from_rows

from .compliance import HistoryContact, Hold, RuleSet, Verdict, evaluate
from .contact import (
    ProposedDetails,
    consumer_from,
    consumer_timezones,
    engine_proposal,
    history_entry,
    history_filter,
    is_collection,
    ruleset_from,
)
from .models import (
    Anchor,
    ContactAttempt,
    ContactRuleTightening,
    EscalationLadder,
    LadderStep,
    NoticeTemplate,
    bands_from,
)
from .validation_inputs import NONE, ValidationStanding, validation_standing_load

CATCH_UP_DAYS = 7  # a step missed (sweep down, hold lifted) still fires within a week, never later
CLOSED_STATUSES = (ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF)


def ladders_load() -> dict[int | None, EscalationLadder]:
    """Every ladder by product id (None: the default ladder), with its steps."""
    return {lad.product_id: lad for lad in EscalationLadder.objects.prefetch_related("steps")}


def _active_steps(ladders: dict[int | None, EscalationLadder]) -> list[LadderStep]:
    return [step for ladder in ladders.values() for step in ladder.steps.all() if step.is_active]


def candidates_filter(steps: Iterable[LadderStep], business_date: dt.date) -> Q:
    """Contracts some step may fire for on the business date: a superset of what
    ``steps_due`` decides (it still decides, per contract and step)."""
    conditions: list[Q] = []
    due_steps = [s for s in steps if s.anchor == Anchor.DUE_DATE]
    due_dates = sorted({business_date - dt.timedelta(days=s.offset_days) for s in due_steps if not s.min_risk_band})
    if due_dates:
        conditions.append(Q(Exists(_open_due(due_dates))))
    # Risk-gated steps: only contracts not overdue whose early-warning band qualifies.
    for band in sorted({s.min_risk_band for s in due_steps if s.min_risk_band}):
        dates = sorted({business_date - dt.timedelta(days=s.offset_days) for s in due_steps if s.min_risk_band == band})
        scored = ContractRiskScore.objects.filter(contract=OuterRef("pk"), band__in=bands_from(band))
        conditions.append(Q(Exists(_open_due(dates)), Exists(scored), days_past_due=0))
    delinquent = Q(status=ContractStatus.DELINQUENT, delinquency_episode__gt=0)
    for offset in sorted({s.offset_days for s in steps if s.anchor == Anchor.DAYS_PAST_DUE}):
        conditions.append(delinquent & Q(days_past_due__gte=offset, days_past_due__lt=offset + CATCH_UP_DAYS))
    for offset in sorted({s.offset_days for s in steps if s.anchor == Anchor.GRACE_END}):
        conditions.append(
            delinquent
            & Q(days_past_due__gte=F("grace_days") + offset, days_past_due__lt=F("grace_days") + offset + CATCH_UP_DAYS)
        )
    if not conditions:
        return Q(pk__in=[])
    return reduce(operator.or_, conditions)


def _open_due(due_dates: list[dt.date]) -> Any:
    return Installment.objects.filter(
        contract=OuterRef("pk"), superseded_on__isnull=True, settled_on__isnull=True, due_date__in=due_dates
    )


@dataclass(frozen=True)
class HeldContract:
    contract_id: int
    number: str
    reason: str


@dataclass
class RangeInputs:
    """A range's candidates and what their notices are decided from (all in memory)."""

    business_date: dt.date
    now: dt.datetime
    contracts: list[Contract]
    installments: dict[int, list[Installment]] = field(default_factory=dict)
    preferences: dict[int, ContactPreference] = field(default_factory=dict)
    holds: dict[int, list[HeldContract]] = field(default_factory=dict)  # by customer: open holds
    plan_holds: dict[int, list[str]] = field(default_factory=dict)  # by customer: current contracts on a plan
    planned_contracts: set[int] = field(default_factory=set)  # contracts with an active plan
    history: dict[int, list[HistoryContact]] = field(default_factory=dict)
    tightenings: dict[tuple[int, str], ContactRuleTightening] = field(default_factory=dict)
    templates: dict[tuple[str, str], list[NoticeTemplate]] = field(default_factory=dict)
    # Contracts with a governing state or the time-barred flag, on the local date of ``now``.
    limitations: dict[int, Limitation] = field(default_factory=dict)
    validation: dict[int, ValidationStanding] = field(default_factory=dict)  # by customer (US)
    risk_bands: dict[int, str] = field(default_factory=dict)  # by contract: the latest early-warning band
    _timezones: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _balances: dict[int, Balance] = field(default_factory=dict)

    # --- per contract ---------------------------------------------------------------------
    def open_dues(self, contract: Contract) -> list[dt.date]:
        rows = self.installments.get(contract.pk, [])
        return sorted({r.due_date for r in rows if r.superseded_on is None and r.settled_on is None})

    def collection_paused(self, contract: Contract) -> bool:
        held = any(h.contract_id == contract.pk for h in self.holds.get(contract.customer_id, []))
        return held or contract.pk in self.planned_contracts

    def balance(self, contract: Contract) -> Balance:
        """What ``contract_balance`` gives, from the rows loaded for the range."""
        if contract.pk not in self._balances:
            rows = self.installments.get(contract.pk, [])
            self._balances[contract.pk] = balance_from_rows(rows, contract.credit_balance, self.business_date)
        return self._balances[contract.pk]

    def limitation(self, contract: Contract) -> Limitation:
        """What ``contract_limitation`` gives, from the rows loaded for the range (no query: a
        contract without a governing state or flag has no limitation)."""
        found = self.limitations.get(contract.pk)
        if found is None:
            found = contract_limitation(contract=contract, on_date=timezone.localdate(self.now))
        return found

    def template(self, purpose: str, channel: str, profile: CustomerProfile) -> NoticeTemplate | None:
        """What ``active_template`` gives: the customer's language, else the first active one."""
        found = self.templates.get((purpose, channel), [])
        locale = profile.language or settings.LANGUAGE_CODE
        return next((t for t in found if t.locale == locale), found[0] if found else None)

    # --- the compliance engine ------------------------------------------------------------
    def rules(self, contract: Contract) -> RuleSet:
        profile = contract.customer
        preference = self.preferences.get(profile.pk)
        return ruleset_from(
            profile.jurisdiction,
            self.tightenings.get((contract.product_id, profile.jurisdiction)),
            reduced_limits=bool(preference and preference.reduced_contact_limits),
        )

    def judge(self, contract: Contract, purpose: str, proposed: ProposedDetails) -> Verdict:
        """The verdict ``contact_judge`` gives, over the state loaded for the range (pure)."""
        profile = contract.customer
        holds: list[Hold] = []
        validation = NONE
        if is_collection(purpose):
            holds = [Hold(debt=h.number, reason=h.reason) for h in self.holds.get(profile.pk, [])]
            holds += [Hold(debt=number, reason="plan") for number in self.plan_holds.get(profile.pk, [])]
            validation = self.validation.get(profile.pk, NONE)
        if profile.pk not in self._timezones:
            self._timezones[profile.pk] = consumer_timezones(profile)
        barred = (
            frozenset([contract.number])
            if proposed.legal_action and self.limitation(contract).is_time_barred
            else frozenset()
        )
        consumer = consumer_from(
            profile,
            self.preferences.get(profile.pk),
            holds,
            timezones=self._timezones[profile.pk],
            time_barred_debts=barred,
            validation=validation,
        )
        return evaluate(
            self.rules(contract),
            consumer,
            self.history.get(profile.pk, []),
            engine_proposal(proposed, contract.number),
        )


def range_inputs_load(
    *,
    ladders: dict[int | None, EscalationLadder],
    business_date: dt.date,
    first_id: int,
    last_id: int,
    now: dt.datetime,
) -> RangeInputs:
    """Load a range's candidates (locked: a second run of the same range waits, then finds
    the notices written) and their inputs in one query per kind of row."""
    steps = _active_steps(ladders)
    contracts = list(
        Contract.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .exclude(status__in=CLOSED_STATUSES)
        .filter(candidates_filter(steps, business_date))
        .select_related("customer", "product")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    inputs = RangeInputs(business_date=business_date, now=now, contracts=contracts)
    if not contracts:
        return inputs
    contract_ids = [c.pk for c in contracts]
    customer_ids = sorted({c.customer_id for c in contracts})
    for row in Installment.objects.filter(contract_id__in=contract_ids).order_by("contract_id", "due_date", "seq"):
        inputs.installments.setdefault(row.contract_id, []).append(row)
    inputs.preferences = {p.profile_id: p for p in ContactPreference.objects.filter(profile_id__in=customer_ids)}
    holds: defaultdict[int, list[HeldContract]] = defaultdict(list)
    for contract_id, number, reason, customer_id in (
        CollectionHold.objects.filter(contract__customer_id__in=customer_ids, released_on__isnull=True)
        .order_by("pk")
        .values_list("contract_id", "contract__number", "reason", "contract__customer_id")
    ):
        holds[customer_id].append(HeldContract(contract_id, number, reason))
    inputs.holds = dict(holds)
    plan_holds: defaultdict[int, list[str]] = defaultdict(list)
    for contract_id, number, status, customer_id in (
        RepaymentPlan.objects.filter(contract__customer_id__in=customer_ids, status=PlanStatus.ACTIVE)
        .order_by("contract_id", "pk")
        .values_list("contract_id", "contract__number", "contract__status", "contract__customer_id")
    ):
        inputs.planned_contracts.add(contract_id)
        if status == ContractStatus.CURRENT:
            plan_holds[customer_id].append(number)
    inputs.plan_holds = dict(plan_holds)
    history: defaultdict[int, list[HistoryContact]] = defaultdict(list)
    for attempt in (
        ContactAttempt.objects.filter(history_filter(now), customer_id__in=customer_ids)
        .select_related("contract")
        .order_by("at", "pk")
    ):
        history[attempt.customer_id].append(
            history_entry(attempt, attempt.contract.number if attempt.contract else None)
        )
    inputs.history = dict(history)
    inputs.tightenings = {
        (t.product_id, t.jurisdiction): t
        for t in ContactRuleTightening.objects.filter(product_id__in={c.product_id for c in contracts})
    }
    templates: defaultdict[tuple[str, str], list[NoticeTemplate]] = defaultdict(list)
    for template in NoticeTemplate.objects.filter(is_active=True, purpose__in={s.purpose for s in steps}).order_by(
        "purpose", "channel", "locale", "-version"
    ):
        templates[(template.purpose, template.channel)].append(template)
    inputs.templates = dict(templates)
    # Time-barred debts (12 CFR 1006.26(b)): at most three queries, none for a range without
    # contracts under a US state's law or flagged.
    inputs.limitations = contracts_limitation(contracts=contracts, on_date=timezone.localdate(now))
    inputs.validation = validation_standing_load(customer_ids)
    if any(s.min_risk_band for s in steps):
        inputs.risk_bands = dict(
            ContractRiskScore.objects.filter(contract_id__in=contract_ids).values_list("contract_id", "band")
        )
    return inputs
