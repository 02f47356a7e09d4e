"""The ledger engine: pure functions (no database) that move a contract through time.

One business day of a contract, in this order:
  1. events dated that day, in the order they happened: payments are allocated to what is
     due (due date on or before the day) against charges accrued through the previous day;
     waivers; plan activation; refunds of credit;
  2. any credit balance is applied to what is due;
  3. end-of-day accrual: principal-days for the cost cap, the late fee of each installment
     whose grace period ended the day before, and penalty interest on overdue principal.

The live system does exactly this: a payment is allocated only after the contract's charges
are brought up to the day before it, and the nightly sweep does steps 2 and 3. Replaying the
inputs from the start therefore gives the same ledger as running every day, which is how a
reversed payment is undone "as if it never happened".

Rules (contract terms):
- penalty interest (罚息) accrues for each day after the grace period on overdue *principal*
  only, at the daily rate, never on interest, penalty or fees, no compounding; rounded once per
  run of days with the same base and rate (a day adds round(b·r·d) − round(b·r·(d−1)));
- the late fee (违约金) is charged once per installment, the day after its grace period ends,
  fixed or a percentage of the installment's overdue amount, limited by the late-fee cap;
- per installment, penalty and fees for its lateness stay within ``installment_cap``: its
  overdue amount-days (Σ over the days after its due date of its overdue principal and
  interest) × the annual cost cap / 365, truncated; the late fee first, then penalty; a waiver
  makes no room for new charges;
- payments pay installments due on or before the payment day, oldest first, components in the
  contract's allocation order; the rest becomes a credit balance applied to the next amounts
  due; a credit large enough to pay off all principal settles the contract (interest not yet
  due is then not charged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from core.money import quantize_money

ZERO = Decimal("0.00")
DAYS_PER_YEAR = Decimal(365)
COMPONENTS = ("fee", "penalty", "interest", "principal")


@dataclass(frozen=True)
class Terms:
    start_date: dt.date
    grace_days: int
    penalty_daily_rate: Decimal
    late_fee_kind: str  # none | fixed | percent
    late_fee_value: Decimal
    late_fee_cap: Decimal
    cost_cap_annual_rate: Decimal
    allocation_order: tuple[str, ...] = COMPONENTS


@dataclass
class Inst:
    key: int
    seq: int
    due_date: dt.date
    principal_due: Decimal
    interest_due: Decimal
    principal_paid: Decimal = ZERO
    interest_paid: Decimal = ZERO
    penalty_accrued: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    penalty_waived: Decimal = ZERO
    fee_charged: Decimal = ZERO
    fee_paid: Decimal = ZERO
    fee_waived: Decimal = ZERO
    interest_waived: Decimal = ZERO
    principal_waived: Decimal = ZERO
    late_fee_assessed: bool = False
    superseded_on: dt.date | None = None
    settled_on: dt.date | None = None
    plan_key: int | None = None
    overdue_amount_days: Decimal = ZERO
    late_charges: Decimal = ZERO
    # The penalty run the next day may extend (loaded from the last penalty charge entry).
    penalty_run_through: dt.date | None = None
    penalty_run_base: Decimal = ZERO
    penalty_run_rate: Decimal = ZERO
    penalty_run_days: int = 0

    # -- outstanding per component ----------------------------------------------------
    def outstanding(self, component: str) -> Decimal:
        if component == "principal":
            return self.principal_due - self.principal_paid - self.principal_waived
        if component == "interest":
            return self.interest_due - self.interest_paid - self.interest_waived
        if component == "penalty":
            return self.penalty_accrued - self.penalty_paid - self.penalty_waived
        if component == "fee":
            return self.fee_charged - self.fee_paid - self.fee_waived
        raise ValueError(component)

    @property
    def total_outstanding(self) -> Decimal:
        return sum((self.outstanding(c) for c in COMPONENTS), ZERO)

    @property
    def active(self) -> bool:
        return self.superseded_on is None

    def pay(self, component: str, amount: Decimal) -> None:
        attr = {
            "principal": "principal_paid",
            "interest": "interest_paid",
            "penalty": "penalty_paid",
            "fee": "fee_paid",
        }[component]
        setattr(self, attr, getattr(self, attr) + amount)

    def waive(self, component: str, amount: Decimal) -> None:
        attr = {
            "principal": "principal_waived",
            "interest": "interest_waived",
            "penalty": "penalty_waived",
            "fee": "fee_waived",
        }[component]
        setattr(self, attr, getattr(self, attr) + amount)

    def refresh_settled(self, on: dt.date) -> None:
        if self.total_outstanding == ZERO:
            if self.settled_on is None:
                self.settled_on = on
        else:
            self.settled_on = None


@dataclass
class CreditLot:
    payment_key: int
    amount: Decimal


@dataclass
class State:
    installments: list[Inst]
    credit: list[CreditLot] = field(default_factory=list)
    principal_days: Decimal = ZERO
    accrued_through: dt.date | None = None

    @property
    def credit_balance(self) -> Decimal:
        return sum((lot.amount for lot in self.credit), ZERO)

    def active_installments(self) -> list[Inst]:
        return sorted((i for i in self.installments if i.active), key=lambda i: (i.due_date, i.seq, i.key))

    def by_key(self, key: int) -> Inst:
        for inst in self.installments:
            if inst.key == key:
                return inst
        raise KeyError(key)

    @property
    def principal_outstanding(self) -> Decimal:
        return sum((i.outstanding("principal") for i in self.installments if i.active), ZERO)

    @property
    def total_outstanding(self) -> Decimal:
        return sum((i.total_outstanding for i in self.installments if i.active), ZERO)


@dataclass(frozen=True)
class Allocation:
    payment_key: int
    installment_key: int | None  # None: to the credit balance
    component: str  # fee | penalty | interest | principal | credit (into credit) | refund (out of credit)
    amount: Decimal
    applied_on: dt.date
    from_credit: bool = False


@dataclass(frozen=True)
class Charge:
    installment_key: int
    kind: str  # penalty | late_fee
    on_date: dt.date
    base_amount: Decimal
    rate: Decimal
    amount: Decimal
    capped: bool
    overdue_amount_days: Decimal = ZERO  # the installment's, that day (its cap's measure)


# --- events -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PaymentEvent:
    key: int
    on_date: dt.date
    amount: Decimal
    order: tuple[object, ...] = ()


@dataclass(frozen=True)
class WaiverEvent:
    key: int
    on_date: dt.date
    installment_key: int
    component: str
    amount: Decimal
    order: tuple[object, ...] = ()


@dataclass(frozen=True)
class RefundEvent:
    key: int
    on_date: dt.date
    amount: Decimal
    order: tuple[object, ...] = ()


@dataclass(frozen=True)
class PlanLine:
    key: int
    seq: int
    due_date: dt.date


@dataclass(frozen=True)
class PlanEvent:
    key: int
    on_date: dt.date
    lines: tuple[PlanLine, ...]
    waive_penalty: bool = False
    waive_fees: bool = False
    order: tuple[object, ...] = ()


Event = PaymentEvent | WaiverEvent | RefundEvent | PlanEvent


@dataclass
class DayResult:
    allocations: list[Allocation] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    waived: list[tuple[int, str, Decimal]] = field(default_factory=list)  # (installment, component, amount)


# --- allocation -----------------------------------------------------------------------------
def _due_targets(state: State, on: dt.date) -> list[Inst]:
    return [i for i in state.active_installments() if i.due_date <= on and i.total_outstanding > ZERO]


def _fill(
    state: State, terms: Terms, amount: Decimal, on: dt.date, payment_key: int, from_credit: bool
) -> tuple[Decimal, list[Allocation]]:
    """Pay due installments oldest first, components in the contract's order."""
    lines: list[Allocation] = []
    remaining = amount
    for inst in _due_targets(state, on):
        for component in terms.allocation_order:
            if remaining == ZERO:
                break
            owed = inst.outstanding(component)
            if owed <= ZERO:
                continue
            paid = min(owed, remaining)
            inst.pay(component, paid)
            remaining -= paid
            lines.append(Allocation(payment_key, inst.key, component, paid, on, from_credit))
        inst.refresh_settled(on)
        if remaining == ZERO:
            break
    return remaining, lines


def _settle_early_if_covered(state: State, on: dt.date) -> list[Allocation]:
    """A credit that covers all remaining principal settles the contract early.

    Penalty and fees moved into a plan's (future) installments are owed as well: the payoff
    amount includes them, so the credit must cover and pay them too."""
    future = [i for i in state.active_installments() if i.due_date > on and i.total_outstanding > ZERO]
    if not future:
        return []
    settled_components = ("fee", "penalty", "principal")
    needed = sum((i.outstanding(c) for i in future for c in settled_components), ZERO)
    if state.credit_balance < needed or (needed == ZERO and not future):
        return []
    lines: list[Allocation] = []
    for inst in future:
        for component in settled_components:
            for payment_key, part in _take_credit(state, inst.outstanding(component)):
                inst.pay(component, part)
                lines.append(Allocation(payment_key, inst.key, component, part, on, True))
        unearned = inst.outstanding("interest")
        if unearned > ZERO:
            inst.waive("interest", unearned)  # interest not yet due is not charged on early settlement
        inst.refresh_settled(on)
    return lines


def _take_credit(state: State, amount: Decimal) -> list[tuple[int, Decimal]]:
    taken: list[tuple[int, Decimal]] = []
    remaining = amount
    while remaining > ZERO and state.credit:
        lot = state.credit[0]
        part = min(lot.amount, remaining)
        lot.amount -= part
        remaining -= part
        taken.append((lot.payment_key, part))
        if lot.amount == ZERO:
            state.credit.pop(0)
    return taken


def apply_payment(state: State, terms: Terms, event: PaymentEvent) -> list[Allocation]:
    remaining, lines = _fill(state, terms, event.amount, event.on_date, event.key, from_credit=False)
    if remaining > ZERO:
        state.credit.append(CreditLot(event.key, remaining))
        lines.append(Allocation(event.key, None, "credit", remaining, event.on_date))
        lines.extend(_settle_early_if_covered(state, event.on_date))
    return lines


def apply_credit(state: State, terms: Terms, on: dt.date) -> list[Allocation]:
    lines: list[Allocation] = []
    while state.credit and _due_targets(state, on):
        lot = state.credit[0]
        remaining, part_lines = _fill(state, terms, lot.amount, on, lot.payment_key, from_credit=True)
        lines.extend(part_lines)
        lot.amount = remaining
        if remaining == ZERO:
            state.credit.pop(0)
        else:
            break
    lines.extend(_settle_early_if_covered(state, on))
    return lines


def apply_waiver(state: State, event: WaiverEvent) -> Decimal:
    """Waive up to what is outstanding of that component (a waiver never creates credit)."""
    inst = state.by_key(event.installment_key)
    amount = min(event.amount, max(inst.outstanding(event.component), ZERO))
    if amount > ZERO:
        inst.waive(event.component, amount)
        inst.refresh_settled(event.on_date)
    return amount


def apply_refund(state: State, event: RefundEvent) -> list[Allocation]:
    """A refund pays credit back out of the newest lots first; one line per payment it came from.

    The lines (component ``refund``, from credit) are stored like any other allocation, so the
    lots rebuilt from the stored lines are the lots the refund left, whatever happens after it.
    """
    if event.amount > state.credit_balance:
        raise ValueError("refund exceeds the credit balance")
    return [
        Allocation(payment_key, None, "refund", part, event.on_date, from_credit=True)
        for payment_key, part in take_credit_from_newest(state, event.amount)
    ]


def take_credit_from_newest(state: State, amount: Decimal) -> list[tuple[int, Decimal]]:
    taken: list[tuple[int, Decimal]] = []
    remaining = amount
    while remaining > ZERO:
        lot = state.credit[-1]
        part = min(lot.amount, remaining)
        lot.amount -= part
        remaining -= part
        taken.append((lot.payment_key, part))
        if lot.amount == ZERO:
            state.credit.pop()
    return taken


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """``parts`` amounts, all equal to total/parts rounded half-up but the last, which absorbs rounding."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    each = quantize_money(total / parts)
    lines = [each] * (parts - 1)
    last = total - each * (parts - 1)
    if last < ZERO:  # tiny totals over many parts: pay what there is, earliest first
        lines, acc = [], total
        for _ in range(parts):
            part = min(each, acc)
            lines.append(part)
            acc -= part
        lines[-1] += acc
        return lines
    return [*lines, last]


def plan_amounts(state: State, on: dt.date, *, waive_penalty: bool, waive_fees: bool, months: int) -> dict[str, object]:
    """What a plan activated on ``on`` restructures, and the split per month (pure preview)."""
    active = [i for i in state.active_installments() if i.total_outstanding > ZERO]
    totals = {
        c: sum((i.outstanding(c) for i in active if c == "principal" or i.due_date <= on), ZERO) for c in COMPONENTS
    }
    waived = {
        "penalty": totals["penalty"] if waive_penalty else ZERO,
        "fee": totals["fee"] if waive_fees else ZERO,
    }
    restructured = {c: totals[c] - waived.get(c, ZERO) for c in COMPONENTS}
    split = {c: split_evenly(restructured[c], months) for c in COMPONENTS}
    return {"totals": totals, "waived": waived, "restructured": restructured, "split": split}


def apply_plan(state: State, event: PlanEvent) -> list[tuple[int, str, Decimal]]:
    """Move what is outstanding into the plan's installments (no new interest)."""
    on = event.on_date
    amounts = plan_amounts(
        state, on, waive_penalty=event.waive_penalty, waive_fees=event.waive_fees, months=len(event.lines)
    )
    waived_lines: list[tuple[int, str, Decimal]] = []
    for inst in list(state.active_installments()):
        for component, flag in (("penalty", event.waive_penalty), ("fee", event.waive_fees)):
            owed = inst.outstanding(component)
            if flag and owed > ZERO:
                inst.waive(component, owed)
                waived_lines.append((inst.key, component, owed))
        inst.superseded_on = on
    split: dict[str, list[Decimal]] = amounts["split"]  # type: ignore[assignment]
    for n, line in enumerate(sorted(event.lines, key=lambda ln: ln.seq)):
        new = Inst(
            key=line.key,
            seq=line.seq,
            due_date=line.due_date,
            principal_due=split["principal"][n],
            interest_due=split["interest"][n],
            penalty_accrued=split["penalty"][n],
            fee_charged=split["fee"][n],
            late_fee_assessed=True,  # the plan's own lateness is handled by the plan rules
            plan_key=event.key,
        )
        existing = [i for i in state.installments if i.key == line.key]
        if existing:
            state.installments.remove(existing[0])
        state.installments.append(new)
    return waived_lines


# --- accrual -------------------------------------------------------------------------------
def installment_cap(terms: Terms, inst: Inst) -> Decimal:
    """What the installment's lateness may be charged in all: overdue amount-days × cap / 365."""
    return (terms.cost_cap_annual_rate * inst.overdue_amount_days / DAYS_PER_YEAR).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )


def late_fee_for(terms: Terms, inst: Inst) -> Decimal:
    if terms.late_fee_kind == "fixed":
        fee = terms.late_fee_value
    elif terms.late_fee_kind == "percent":
        fee = inst.outstanding("principal") + inst.outstanding("interest")
        fee = fee * terms.late_fee_value
    else:
        return ZERO
    return min(quantize_money(fee), terms.late_fee_cap)


def penalty_for_day(inst: Inst, base: Decimal, rate: Decimal, day: dt.date) -> Decimal:
    """The day's penalty request, extending the run when base and rate are unchanged since
    yesterday: round(b·r·d) − round(b·r·(d−1)), so a run's total is round(b·r·d)."""
    if (
        inst.penalty_run_through == day - dt.timedelta(days=1)
        and inst.penalty_run_base == base
        and inst.penalty_run_rate == rate
    ):
        days = inst.penalty_run_days + 1
    else:
        days = 1
    inst.penalty_run_through, inst.penalty_run_base = day, base
    inst.penalty_run_rate, inst.penalty_run_days = rate, days
    return quantize_money(base * rate * days) - quantize_money(base * rate * (days - 1))


def _charge(
    inst: Inst, kind: str, day: dt.date, base: Decimal, rate: Decimal, granted: Decimal, requested: Decimal
) -> Charge:
    return Charge(inst.key, kind, day, base, rate, granted, granted < requested, inst.overdue_amount_days)


def accrue_day(state: State, terms: Terms, day: dt.date, suppressed_fees: frozenset[int] = frozenset()) -> list[Charge]:
    """End-of-day charges for ``day`` (the caller has applied that day's events and credit)."""
    if state.accrued_through is not None and day <= state.accrued_through:
        raise ValueError(f"{day} is already accrued")
    charges: list[Charge] = []
    state.principal_days += state.principal_outstanding
    active = state.active_installments()
    for inst in active:
        if inst.due_date < day:
            inst.overdue_amount_days += inst.outstanding("principal") + inst.outstanding("interest")
    for inst in active:
        grace_end = inst.due_date + dt.timedelta(days=terms.grace_days)
        if day <= grace_end or inst.total_outstanding <= ZERO:
            continue
        if not inst.late_fee_assessed:
            inst.late_fee_assessed = True
            fee = ZERO if inst.key in suppressed_fees else late_fee_for(terms, inst)
            if fee > ZERO:
                granted = max(min(fee, installment_cap(terms, inst) - inst.late_charges), ZERO)
                if granted > ZERO:
                    inst.fee_charged += granted
                    inst.late_charges += granted
                charges.append(_charge(inst, "late_fee", day, fee, terms.late_fee_value, granted, fee))
    for inst in active:
        grace_end = inst.due_date + dt.timedelta(days=terms.grace_days)
        base = inst.outstanding("principal")
        if day <= grace_end or base <= ZERO or terms.penalty_daily_rate <= ZERO:
            continue
        requested = penalty_for_day(inst, base, terms.penalty_daily_rate, day)
        granted = max(min(requested, installment_cap(terms, inst) - inst.late_charges), ZERO)
        if granted > ZERO:
            inst.penalty_accrued += granted
            inst.late_charges += granted
        charges.append(_charge(inst, "penalty", day, base, terms.penalty_daily_rate, granted, requested))
        inst.refresh_settled(day)
    state.accrued_through = day
    return charges


# --- whole days and replay -------------------------------------------------------------------
def apply_event(state: State, terms: Terms, event: Event, result: DayResult) -> None:
    if isinstance(event, PaymentEvent):
        result.allocations.extend(apply_payment(state, terms, event))
    elif isinstance(event, WaiverEvent):
        amount = apply_waiver(state, event)
        if amount > ZERO:
            result.waived.append((event.installment_key, event.component, amount))
    elif isinstance(event, RefundEvent):
        result.allocations.extend(apply_refund(state, event))
    elif isinstance(event, PlanEvent):
        result.waived.extend(apply_plan(state, event))
    else:  # pragma: no cover - exhaustive
        raise TypeError(event)


def close_day(state: State, terms: Terms, day: dt.date, suppressed_fees: frozenset[int] = frozenset()) -> DayResult:
    """Steps 2 and 3 of a day: what the nightly sweep does for one contract."""
    result = DayResult()
    result.allocations.extend(apply_credit(state, terms, day))
    result.charges.extend(accrue_day(state, terms, day, suppressed_fees))
    return result


def _event_sort_key(event: Event) -> tuple[object, ...]:
    return (event.on_date, *event.order)


def replay(
    terms: Terms,
    schedule: Iterable[Inst],
    events: Iterable[Event],
    *,
    through: dt.date | None,
    suppressed_fees: frozenset[int] = frozenset(),
) -> tuple[State, DayResult]:
    """Rebuild the ledger from its inputs: days closed through ``through``, then events after it."""
    state = State(installments=[_fresh(i) for i in schedule], accrued_through=terms.start_date)
    ordered = sorted(events, key=_event_sort_key)
    result = DayResult()
    idx = 0
    day = terms.start_date
    # Events on the start date happen before any accrual.
    while idx < len(ordered) and ordered[idx].on_date <= day:
        apply_event(state, terms, ordered[idx], result)
        idx += 1
    end = through or terms.start_date
    while day < end:
        day += dt.timedelta(days=1)
        while idx < len(ordered) and ordered[idx].on_date == day:
            apply_event(state, terms, ordered[idx], result)
            idx += 1
        closed = close_day(state, terms, day, suppressed_fees)
        result.allocations.extend(closed.allocations)
        result.charges.extend(closed.charges)
    while idx < len(ordered):
        apply_event(state, terms, ordered[idx], result)
        idx += 1
    return state, result


def _fresh(inst: Inst) -> Inst:
    return Inst(
        key=inst.key,
        seq=inst.seq,
        due_date=inst.due_date,
        principal_due=inst.principal_due,
        interest_due=inst.interest_due,
        plan_key=inst.plan_key,
    )


# --- status -------------------------------------------------------------------------------
def days_past_due(state: State, on: dt.date) -> int:
    overdue = [i.due_date for i in state.active_installments() if i.due_date < on and i.total_outstanding > ZERO]
    return (on - min(overdue)).days if overdue else 0


def next_due(state: State) -> dt.date | None:
    open_dates = [i.due_date for i in state.active_installments() if i.total_outstanding > ZERO]
    return min(open_dates) if open_dates else None
