"""Reads for delivering a batch of claimed notices: what the send-time compliance check needs
for all their customers (preferences, open holds, active plans, the 14-day contact history,
rule tightenings, US debts owed a validation notice), one query per kind of row, judged by the same pure engine as
``contact_judge`` (the builders the nightly ladder uses).

Within a batch, a contact allowed for one notice counts in the history of the next notice to
the same customer, exactly as if the notices were judged one after the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import ContactPreference
from contracts.limitation import Limitation
from contracts.models import CollectionHold, Contract, ContractStatus, PlanStatus, RepaymentPlan
from contracts.selectors import contracts_limitation

from .compliance import HistoryContact, Hold, Verdict, evaluate
from .contact import (
    HISTORY_DAYS,
    ProposedDetails,
    consumer_from,
    consumer_timezones,
    engine_proposal,
    history_entry,
    is_collection,
    ruleset_from,
)
from .models import LEGAL_ACTION_PURPOSES, ContactAttempt, ContactRuleTightening, Notice
from .validation_inputs import NONE, ValidationStanding, validation_standing_load


@dataclass
class BatchInputs:
    preferences: dict[int, ContactPreference] = field(default_factory=dict)
    holds: dict[int, list[Hold]] = field(default_factory=dict)  # by customer, holds and plans
    history: dict[int, list[HistoryContact]] = field(default_factory=dict)
    tightenings: dict[tuple[int, str], ContactRuleTightening] = field(default_factory=dict)
    # The limitation of the contracts of notices with legal content (12 CFR 1006.26(b)).
    limitations: dict[int, Limitation] = field(default_factory=dict)
    validation: dict[int, ValidationStanding] = field(default_factory=dict)  # by customer (US)
    _timezones: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def judge(self, notice: Notice, proposed: ProposedDetails) -> Verdict:
        """What ``contact_judge`` gives for this notice's contact, over the state loaded (pure)."""
        profile = notice.customer
        contract = notice.contract
        preference = self.preferences.get(profile.pk)
        tightening = None
        if contract is not None:
            tightening = self.tightenings.get((contract.product_id, profile.jurisdiction))
        rules = ruleset_from(
            profile.jurisdiction, tightening, reduced_limits=bool(preference and preference.reduced_contact_limits)
        )
        collection = is_collection(proposed.purpose)
        holds = self.holds.get(profile.pk, []) if collection else []
        validation = self.validation.get(profile.pk, NONE) if collection else NONE
        if profile.pk not in self._timezones:
            self._timezones[profile.pk] = consumer_timezones(profile)
        barred: frozenset[str] = frozenset()
        if contract is not None and proposed.legal_action:
            limitation = self.limitations.get(contract.pk)
            if limitation is not None and limitation.is_time_barred:
                barred = frozenset([contract.number])
        consumer = consumer_from(
            profile,
            preference,
            holds,
            timezones=self._timezones[profile.pk],
            time_barred_debts=barred,
            validation=validation,
        )
        since = proposed.at - dt.timedelta(days=HISTORY_DAYS)
        history = [h for h in self.history.get(profile.pk, []) if since <= h.at <= proposed.at]
        return evaluate(rules, consumer, history, engine_proposal(proposed, contract.number if contract else None))

    def remember(self, attempt: ContactAttempt, contract_number: str | None) -> None:
        """An allowed contact of this batch: later notices to the customer see it."""
        self.history.setdefault(attempt.customer_id, []).append(history_entry(attempt, contract_number))


def notice_is_legal_action(notice: Notice) -> bool:
    """The notice threatens or announces legal action (its purpose, or its template marked so)."""
    if notice.purpose in LEGAL_ACTION_PURPOSES:
        return True
    return notice.template is not None and notice.template.threatens_legal_action


def batch_inputs_load(notices: Sequence[Notice], *, now: dt.datetime) -> BatchInputs:
    """Everything ``BatchInputs.judge`` needs for these notices, in five queries (up to three
    more when some notice with legal content is about a contract under a US state's law or
    flagged, and one or two for the US debts still owed a validation notice)."""
    inputs = BatchInputs()
    if not notices:
        return inputs
    customer_ids = sorted({n.customer_id for n in notices})
    inputs.preferences = {p.profile_id: p for p in ContactPreference.objects.filter(profile_id__in=customer_ids)}
    holds: defaultdict[int, list[Hold]] = defaultdict(list)
    for number, reason, customer_id in (
        CollectionHold.objects.filter(contract__customer_id__in=customer_ids, released_on__isnull=True)
        .order_by("pk")
        .values_list("contract__number", "reason", "contract__customer_id")
    ):
        holds[customer_id].append(Hold(debt=number, reason=reason))
    for number, customer_id in (
        RepaymentPlan.objects.filter(
            contract__customer_id__in=customer_ids,
            status=PlanStatus.ACTIVE,
            contract__status=ContractStatus.CURRENT,
        )
        .order_by("contract_id", "pk")
        .values_list("contract__number", "contract__customer_id")
    ):
        holds[customer_id].append(Hold(debt=number, reason="plan"))
    inputs.holds = dict(holds)
    history: defaultdict[int, list[HistoryContact]] = defaultdict(list)
    for attempt in (
        ContactAttempt.objects.filter(
            customer_id__in=customer_ids,
            at__gte=now - dt.timedelta(days=HISTORY_DAYS),
            at__lte=now,
            verdict="allowed",
        )
        .select_related("contract")
        .order_by("at", "pk")
    ):
        history[attempt.customer_id].append(
            history_entry(attempt, attempt.contract.number if attempt.contract else None)
        )
    inputs.history = dict(history)
    legal: dict[int, Contract] = {
        n.contract.pk: n.contract for n in notices if n.contract is not None and notice_is_legal_action(n)
    }
    if legal:
        inputs.limitations = contracts_limitation(contracts=list(legal.values()), on_date=timezone.localdate(now))
    inputs.validation = validation_standing_load(customer_ids)
    product_ids = {n.contract.product_id for n in notices if n.contract is not None}
    if product_ids:
        inputs.tightenings = {
            (t.product_id, t.jurisdiction): t for t in ContactRuleTightening.objects.filter(product_id__in=product_ids)
        }
    return inputs
