"""Moves contracts between the database and the pure ledger engine, in batches.

Every function here works on a list of contracts with a fixed number of queries, so the
nightly sweep (thousands of contracts per range) and a single payment share one code path.
Callers hold the contracts' row locks and an open transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.db.models import Q, Sum

from core.bulk import update_rows

from . import ledger
from .models import (
    Adjustment,
    AdjustmentKind,
    AllocationLine,
    ChargeEntry,
    Contract,
    ContractStatus,
    DelinquencyTransition,
    Installment,
    Payment,
    PaymentStatus,
    PlanStatus,
    Refund,
    RepaymentPlan,
)
from .webhook_events import transitions_emit

ZERO = Decimal("0.00")
INSTALLMENT_FIELDS = [
    "principal_due",
    "interest_due",
    "principal_paid",
    "interest_paid",
    "penalty_accrued",
    "penalty_paid",
    "penalty_waived",
    "fee_charged",
    "fee_paid",
    "fee_waived",
    "interest_waived",
    "principal_waived",
    "late_fee_assessed",
    "superseded_on",
    "settled_on",
    "overdue_amount_days",
    "late_charges",
]
CONTRACT_LEDGER_FIELDS = [
    "credit_balance",
    "principal_days",
    "accrued_through",
    "principal_outstanding",
    "next_due_date",
    "days_past_due",
    "bucket",
    "status",
    "delinquency_episode",
    "delinquent_since",
]

DEFAULT_BUCKETS: list[tuple[str, int, int | None]] = [
    ("M0", 0, 0),
    ("M1", 1, 30),
    ("M2", 31, 60),
    ("M3", 61, 90),
    ("M4", 91, 180),
    ("M5+", 181, None),
]


def bucket_for(days: int, buckets: Sequence[tuple[str, int, int | None]] | None = None) -> str:
    from django.conf import settings

    for label, low, high in buckets or getattr(settings, "DELINQUENCY_BUCKETS", DEFAULT_BUCKETS):
        if days >= low and (high is None or days <= high):
            return label
    return "M5+"


def terms_of(contract: Contract) -> ledger.Terms:
    return ledger.Terms(
        start_date=contract.start_date,
        grace_days=contract.grace_days,
        penalty_daily_rate=contract.penalty_daily_rate,
        late_fee_kind=contract.late_fee_kind,
        late_fee_value=contract.late_fee_value,
        late_fee_cap=contract.late_fee_cap,
        cost_cap_annual_rate=contract.cost_cap_annual_rate,
        allocation_order=tuple(contract.allocation_order),
    )


def _inst_from_row(row: Installment) -> ledger.Inst:
    values = {name: getattr(row, name) for name in INSTALLMENT_FIELDS}
    return ledger.Inst(key=row.pk, seq=row.seq, due_date=row.due_date, plan_key=row.plan_id, **values)


@dataclass
class Loaded:
    contract: Contract
    terms: ledger.Terms
    state: ledger.State
    rows: dict[int, Installment]
    suppressed_fees: frozenset[int]
    open_charges: dict[tuple[int, str], ChargeEntry] = field(default_factory=dict)
    # The first charge-off, once known (a rebuild reads it; ``update_status`` records it).
    charged_off_on: dt.date | None = None


def load(contracts: Sequence[Contract]) -> dict[int, Loaded]:
    """Current ledger state of each contract (five queries whatever the number)."""
    ids = [c.pk for c in contracts]
    rows_by_contract: dict[int, list[Installment]] = defaultdict(list)
    for row in Installment.objects.filter(contract_id__in=ids).order_by("due_date", "seq", "id"):
        rows_by_contract[row.contract_id].append(row)
    # Credit is used first in, first out, in the order the payments happened (business date,
    # then time received), which is also the order a replay applies them in.
    credit_in: dict[int, dict[tuple[dt.date, dt.datetime, int], Decimal]] = defaultdict(dict)
    for line in (
        AllocationLine.objects.filter(contract_id__in=ids)
        .filter(Q(component="credit") | Q(from_credit=True))
        .values("contract_id", "payment_id", "payment__business_date", "payment__received_at", "from_credit")
        .annotate(total=Sum("amount"))
    ):
        sign = -1 if line["from_credit"] else 1
        lots = credit_in[line["contract_id"]]
        lot = (line["payment__business_date"], line["payment__received_at"], line["payment_id"])
        lots[lot] = lots.get(lot, ZERO) + sign * line["total"]
    suppressed: dict[int, set[int]] = defaultdict(set)
    for contract_id, inst_id in Adjustment.objects.filter(
        contract_id__in=ids, kind=AdjustmentKind.REVERSE_LATE_FEE
    ).values_list("contract_id", "installment_id"):
        suppressed[contract_id].add(inst_id)
    open_charges: dict[int, dict[tuple[int, str], ChargeEntry]] = defaultdict(dict)
    for entry in ChargeEntry.objects.filter(contract_id__in=ids).order_by("to_date", "id"):
        open_charges[entry.contract_id][(entry.installment_id, entry.kind)] = entry
    result: dict[int, Loaded] = {}
    for contract in contracts:
        rows = rows_by_contract[contract.pk]
        credit_lots = [
            ledger.CreditLot(payment_key=lot[2], amount=amount)
            for lot, amount in sorted(credit_in[contract.pk].items())
            if amount > ZERO
        ]
        charges = open_charges[contract.pk]
        installments = [_inst_from_row(r) for r in rows]
        for inst in installments:
            run = charges.get((inst.key, "penalty"))
            if run is not None:  # the penalty run the next day may extend (see ledger.penalty_for_day)
                inst.penalty_run_through, inst.penalty_run_base = run.to_date, run.base_amount
                inst.penalty_run_rate, inst.penalty_run_days = run.rate, run.days
        state = ledger.State(
            installments=installments,
            credit=credit_lots,
            principal_days=contract.principal_days,
            accrued_through=contract.accrued_through,
        )
        # Refunds are stored as lines out of the lots they took (above). A refund recorded before
        # those lines existed came out of the newest credit; the stored balance is authoritative.
        refunded = state.credit_balance - contract.credit_balance
        if refunded > ZERO:
            ledger.take_credit_from_newest(state, refunded)
        result[contract.pk] = Loaded(
            contract=contract,
            terms=terms_of(contract),
            state=state,
            rows={r.pk: r for r in rows},
            suppressed_fees=frozenset(suppressed[contract.pk]),
            open_charges=charges,
        )
    return result


@dataclass
class Pending:
    allocations: list[AllocationLine] = field(default_factory=list)
    new_charges: list[ChargeEntry] = field(default_factory=list)
    changed_charges: dict[int, ChargeEntry] = field(default_factory=dict)
    transitions: list[DelinquencyTransition] = field(default_factory=list)


def record_day(loaded: Loaded, result: ledger.DayResult, pending: Pending) -> None:
    contract = loaded.contract
    for a in result.allocations:
        pending.allocations.append(
            AllocationLine(
                payment_id=a.payment_key,
                contract_id=contract.pk,
                installment_id=a.installment_key,
                component=a.component,
                amount=a.amount,
                applied_on=a.applied_on,
                from_credit=a.from_credit,
            )
        )
    for c in result.charges:
        key = (c.installment_key, c.kind)
        entry = loaded.open_charges.get(key)
        if (
            c.kind == "penalty"
            and entry is not None
            and entry.to_date == c.on_date - dt.timedelta(days=1)
            and entry.base_amount == c.base_amount
            and entry.rate == c.rate
        ):
            # The engine extended the run (same condition, ``ledger.penalty_for_day``); a run is
            # marked capped once any of its days was.
            entry.to_date = c.on_date
            entry.days += 1
            entry.amount += c.amount
            entry.capped = entry.capped or c.capped
            entry.cap_amount_days = c.overdue_amount_days
            if entry.pk:
                pending.changed_charges[entry.pk] = entry
            continue
        entry = ChargeEntry(
            contract_id=contract.pk,
            installment_id=c.installment_key,
            kind=c.kind,
            from_date=c.on_date,
            to_date=c.on_date,
            days=1,
            base_amount=c.base_amount,
            rate=c.rate,
            amount=c.amount,
            capped=c.capped,
            cap_amount_days=c.overdue_amount_days,
        )
        loaded.open_charges[key] = entry
        pending.new_charges.append(entry)


def update_status(loaded: Loaded, on: dt.date, pending: Pending) -> None:
    """Days past due, bucket and status as of ``on``; transitions are kept with their date."""
    contract = loaded.contract
    state = loaded.state
    dpd = ledger.days_past_due(state, on)
    contract.days_past_due = dpd
    contract.bucket = bucket_for(dpd)
    before = contract.status
    after: str
    if state.total_outstanding == ZERO and ledger.next_due(state) is None:
        after = ContractStatus.PAID_OFF
    elif before == ContractStatus.CHARGED_OFF or (before == ContractStatus.PAID_OFF and loaded.charged_off_on):
        # A charge-off stands until the debt is paid off; a payoff undone by a reversal (or a
        # refund) puts the contract back to charged off, whatever the days past due now, as the
        # ledger's charges stopped on the charge-off day for good.
        after = ContractStatus.CHARGED_OFF
    elif dpd >= contract.charge_off_dpd and (state.accrued_through is None or state.accrued_through >= on):
        # Charge-off is decided when the day is closed (the sweep, or a replay), never by an
        # event during a day not closed yet: the day's charges and principal-days still accrue.
        after = ContractStatus.CHARGED_OFF
    elif dpd > 0:
        after = ContractStatus.DELINQUENT
    else:
        after = ContractStatus.CURRENT
    if after == before:
        return
    # From paid off only when the paying payment is reversed: overdue again, a new episode.
    if after == ContractStatus.DELINQUENT and before in (ContractStatus.CURRENT, ContractStatus.PAID_OFF):
        event = "became_delinquent"
        contract.delinquency_episode += 1
        contract.delinquent_since = on - dt.timedelta(days=dpd - 1)
    elif after == ContractStatus.CURRENT:
        event = "cured"
        contract.delinquent_since = None
    elif after == ContractStatus.CHARGED_OFF:
        event = "charged_off"
        loaded.charged_off_on = loaded.charged_off_on or on
    else:
        event = "paid_off"
        contract.delinquent_since = None
    contract.status = after
    pending.transitions.append(
        DelinquencyTransition(
            contract_id=contract.pk,
            on_date=on,
            from_status=before,
            to_status=after,
            event=event,
            days_past_due=dpd,
            episode=contract.delinquency_episode,
        )
    )


def advance(loaded: Loaded, through: dt.date, pending: Pending) -> int:
    """Close each day after ``accrued_through`` up to ``through``; returns days closed."""
    state = loaded.state
    days = 0
    if loaded.contract.status in (ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF):
        # No further charges after charge-off or payoff: only the calendar (and DPD) moves.
        if state.accrued_through is None or state.accrued_through < through:
            state.accrued_through = through
            update_status(loaded, through, pending)
        return 0
    while state.accrued_through is not None and state.accrued_through < through:
        day = state.accrued_through + dt.timedelta(days=1)
        result = ledger.close_day(state, loaded.terms, day, loaded.suppressed_fees)
        record_day(loaded, result, pending)
        update_status(loaded, day, pending)
        days += 1
        if loaded.contract.status == ContractStatus.CHARGED_OFF:
            state.accrued_through = through
            update_status(loaded, through, pending)
            break
    return days


def save(loaded_items: Iterable[Loaded], pending: Pending) -> None:
    """Write back installments, contracts, allocation lines, charges and transitions."""
    rows_to_update: list[Installment] = []
    contracts: list[Contract] = []
    for loaded in loaded_items:
        contract = loaded.contract
        state = loaded.state
        for inst in state.installments:
            row = loaded.rows.get(inst.key)
            if row is None:
                continue
            changed = False
            for name in INSTALLMENT_FIELDS:
                value = getattr(inst, name)
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            if changed:
                rows_to_update.append(row)
        contract.credit_balance = state.credit_balance
        contract.principal_days = state.principal_days
        contract.accrued_through = state.accrued_through
        contract.principal_outstanding = state.principal_outstanding
        contract.next_due_date = ledger.next_due(state)
        contracts.append(contract)
    # One UPDATE per changed row, sent together (bulk_update's CASE expressions cost more).
    update_rows(Installment, rows_to_update, INSTALLMENT_FIELDS)
    update_rows(Contract, contracts, CONTRACT_LEDGER_FIELDS)
    if pending.allocations:
        AllocationLine.objects.bulk_create(pending.allocations, batch_size=1000)
    update_rows(
        ChargeEntry, list(pending.changed_charges.values()), ["to_date", "days", "amount", "capped", "cap_amount_days"]
    )
    if pending.new_charges:
        ChargeEntry.objects.bulk_create(pending.new_charges, batch_size=1000)
    if pending.transitions:
        DelinquencyTransition.objects.bulk_create(pending.transitions, batch_size=1000, ignore_conflicts=True)
        transitions_emit((t.contract_id, t.on_date, t.event, t.days_past_due, t.episode) for t in pending.transitions)


@dataclass
class ReplayInputs:
    """A contract's ledger inputs: terms, original schedule, dated events, suppressed fees,
    and the last day charges accrue on (the first charge-off, else ``accrued_through``)."""

    terms: ledger.Terms
    originals: list[Installment]
    plan_rows: list[Installment]
    schedule: list[ledger.Inst]
    events: list[ledger.Event]
    suppressed: frozenset[int]
    through: dt.date | None
    charged_off_on: dt.date | None = None


def replay_inputs(contract: Contract) -> ReplayInputs:
    """Read everything a replay of ``contract`` needs (reads only)."""
    originals = list(Installment.objects.filter(contract=contract, plan__isnull=True).order_by("due_date", "seq"))
    plan_rows = list(Installment.objects.filter(contract=contract, plan__isnull=False).order_by("seq"))
    events: list[ledger.Event] = []
    for p in Payment.objects.filter(contract=contract, status=PaymentStatus.POSTED):
        events.append(ledger.PaymentEvent(p.pk, p.business_date, p.amount, order=(p.received_at, p.pk)))
    suppressed: set[int] = set()
    component_for: dict[str, str] = {
        AdjustmentKind.WAIVE_PENALTY: "penalty",
        AdjustmentKind.WAIVE_FEE: "fee",
        AdjustmentKind.WAIVE_INTEREST: "interest",
        AdjustmentKind.WRITE_DOWN_PRINCIPAL: "principal",
    }
    for adj in Adjustment.objects.filter(contract=contract):
        if adj.kind == AdjustmentKind.REVERSE_LATE_FEE:
            suppressed.add(adj.installment_id)
        else:
            events.append(
                ledger.WaiverEvent(
                    adj.pk,
                    adj.effective_date,
                    adj.installment_id,
                    component_for[adj.kind],
                    adj.amount,
                    order=(adj.created_at, adj.pk),
                )
            )
    for refund in Refund.objects.filter(contract=contract):
        events.append(
            ledger.RefundEvent(refund.pk, refund.business_date, refund.amount, order=(refund.created_at, refund.pk))
        )
    for plan in RepaymentPlan.objects.filter(contract=contract, activated_on__isnull=False).exclude(
        status=PlanStatus.PROPOSED
    ):
        lines = tuple(ledger.PlanLine(r.pk, r.seq, r.due_date) for r in plan_rows if r.plan_id == plan.pk)
        events.append(
            ledger.PlanEvent(
                plan.pk,
                cast(dt.date, plan.activated_on),  # the query excludes plans without activated_on
                lines,
                plan.waive_penalty,
                plan.waive_fees,
                order=(plan.created_at, plan.pk),
            )
        )
    terms = terms_of(contract)
    schedule = [_inst_from_row(r) for r in originals]
    through = contract.accrued_through
    charged_off_on = None
    if through is not None:
        # Charges stopped on the charge-off day (see advance), also once the contract has since
        # been paid off: close days only up to it; events after it are applied on their dates
        # as they were live.
        charged_off_on = (
            DelinquencyTransition.objects.filter(contract=contract, event="charged_off")
            .order_by("on_date")  # the first: a reversal after a payoff records the charge-off again
            .values_list("on_date", flat=True)
            .first()
        )
        if charged_off_on is not None:
            through = min(through, charged_off_on)
    return ReplayInputs(terms, originals, plan_rows, schedule, events, frozenset(suppressed), through, charged_off_on)


def state_on(contract: Contract, day: dt.date) -> tuple[ledger.State, ledger.DayResult]:
    """The ledger as it stood at the end of ``day`` (reads only): a replay of the events on
    or before it, with charges accrued through it (never past the charge-off)."""
    inputs = replay_inputs(contract)
    events = [event for event in inputs.events if event.on_date <= day]
    # Never swept: nothing has accrued yet, as in the stored ledger.
    through = (
        inputs.terms.start_date if inputs.through is None else max(min(day, inputs.through), inputs.terms.start_date)
    )
    return ledger.replay(inputs.terms, inputs.schedule, events, through=through, suppressed_fees=inputs.suppressed)


def rebuild(contract: Contract) -> Loaded:
    """Replay a contract from its inputs (after a reversal or a back-dated payment)."""
    inputs = replay_inputs(contract)
    terms, schedule, events, through = inputs.terms, inputs.schedule, inputs.events, inputs.through
    originals, plan_rows, suppressed = inputs.originals, inputs.plan_rows, inputs.suppressed
    state, result = ledger.replay(terms, schedule, events, through=through, suppressed_fees=suppressed)
    state.accrued_through = contract.accrued_through
    AllocationLine.objects.filter(contract=contract).delete()
    ChargeEntry.objects.filter(contract=contract).delete()
    rows = {r.pk: r for r in [*originals, *plan_rows]}
    loaded = Loaded(
        contract=contract,
        terms=terms,
        state=state,
        rows=rows,
        suppressed_fees=suppressed,
        charged_off_on=inputs.charged_off_on,
    )
    pending = Pending()
    record_day(loaded, result, pending)
    # Plan installments' amounts are re-derived by the replay: copy them back too.
    for inst in state.installments:
        row = rows.get(inst.key)
        if row is not None and row.plan_id is not None:
            row.principal_due, row.interest_due = inst.principal_due, inst.interest_due
    save([loaded], pending)
    if plan_rows:
        Installment.objects.bulk_update(plan_rows, ["principal_due", "interest_due"])
    return loaded
