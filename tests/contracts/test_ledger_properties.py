"""Property tests of the pure ledger engine (contracts.ledger): no database.

Schedules come from contracts.schedules.build_schedule; payments, waivers, plans and the
days the nightly sweep happens to run are drawn at random. The "live" simulation below does
what the services do: a payment first brings the charges up to the day before it, then is
allocated; a sweep closes every day up to its date (catching up missed days).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contracts import ledger
from contracts.schedules import ScheduleMethod, build_schedule
from core.money import quantize_money

D = Decimal
ZERO = D("0.00")
START = dt.date(2026, 1, 1)
PAYMENT_KEYS = 10_000
WAIVER_KEYS = 20_000
PLAN_KEYS = 30_000
PLAN_LINE_KEYS = 40_000

PROPERTY_SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda c: D(c).scaleb(-2))


# --- strategies -----------------------------------------------------------------------------
@st.composite
def terms_st(draw: st.DrawFn, *, cost_cap: Decimal | None = None) -> ledger.Terms:
    kind = draw(st.sampled_from(["none", "fixed", "percent"]))
    if kind == "fixed":
        value = draw(cents(1, 20_000))
    elif kind == "percent":
        value = draw(st.integers(1, 2000).map(lambda bp: D(bp).scaleb(-4)))  # up to 20 %
    else:
        value = D("0")
    order = draw(st.permutations(ledger.COMPONENTS))
    return ledger.Terms(
        start_date=START,
        grace_days=draw(st.integers(0, 5)),
        penalty_daily_rate=draw(st.integers(0, 100).map(lambda r: D(r).scaleb(-5))),  # 0 .. 0.001
        late_fee_kind=kind,
        late_fee_value=value,
        late_fee_cap=draw(cents(0, 10_000)),
        cost_cap_annual_rate=cost_cap
        if cost_cap is not None
        else draw(st.integers(500, 3600).map(lambda bp: D(bp).scaleb(-4))),
        allocation_order=tuple(order),
    )


@st.composite
def schedule_st(draw: st.DrawFn) -> list[ledger.Inst]:
    method = draw(st.sampled_from([ScheduleMethod.ANNUITY, ScheduleMethod.EQUAL_PRINCIPAL, ScheduleMethod.BNPL]))
    lines = build_schedule(
        principal=draw(cents(10_000, 3_000_000)),  # 100.00 .. 30,000.00
        annual_rate=draw(st.integers(0, 3600).map(lambda bp: D(bp).scaleb(-4))),
        term=draw(st.integers(1, 8)),
        method=method,
        first_due=START + dt.timedelta(days=draw(st.integers(1, 45))),
    )
    return [
        ledger.Inst(key=n, seq=ln.seq, due_date=ln.due_date, principal_due=ln.principal, interest_due=ln.interest)
        for n, ln in enumerate(lines, start=1)
    ]


@st.composite
def history_st(draw: st.DrawFn, *, with_waivers: bool = True, with_plan: bool = True) -> dict[str, object]:
    """A contract's inputs: terms, schedule, events, and the days the sweep ran."""
    terms = draw(terms_st())
    schedule = draw(schedule_st())
    horizon = (schedule[-1].due_date - START).days + draw(st.integers(0, 90))
    total = sum((i.principal_due + i.interest_due for i in schedule), ZERO)
    events: list[ledger.Event] = []
    n_payments = draw(st.integers(0, 6))
    for n in range(n_payments):
        day = START + dt.timedelta(days=draw(st.integers(1, horizon)))
        # Mostly instalment-sized amounts, sometimes a large overpayment.
        amount = draw(st.one_of(cents(1, int(total * 100 / 3) + 1), cents(1, int(total * 100) + 5000)))
        events.append(ledger.PaymentEvent(PAYMENT_KEYS + n, day, amount, order=(n,)))
    if with_waivers:
        for n in range(draw(st.integers(0, 2))):
            inst = draw(st.sampled_from(schedule))
            day = START + dt.timedelta(days=draw(st.integers(1, horizon)))
            events.append(
                ledger.WaiverEvent(
                    WAIVER_KEYS + n,
                    day,
                    inst.key,
                    draw(st.sampled_from(ledger.COMPONENTS)),
                    draw(cents(1, 50_000)),
                    order=(100 + n,),
                )
            )
    if with_plan and draw(st.booleans()):
        day = START + dt.timedelta(days=draw(st.integers(1, horizon)))
        months = draw(st.integers(2, 6))
        lines = tuple(
            ledger.PlanLine(PLAN_LINE_KEYS + m, m + 1, day + dt.timedelta(days=30 * (m + 1))) for m in range(months)
        )
        events.append(
            ledger.PlanEvent(
                PLAN_KEYS, day, lines, waive_penalty=draw(st.booleans()), waive_fees=draw(st.booleans()), order=(200,)
            )
        )
        horizon = max(horizon, (lines[-1].due_date - START).days + draw(st.integers(0, 30)))
    sweep_days = sorted(set(draw(st.lists(st.integers(1, horizon), max_size=12))))
    return {
        "terms": terms,
        "schedule": schedule,
        "events": events,
        "sweeps": [START + dt.timedelta(days=d) for d in sweep_days],
        "through": START + dt.timedelta(days=horizon),
    }


# --- a day-by-day simulation that checks invariants as it goes -------------------------------------
@dataclasses.dataclass
class Live:
    terms: ledger.Terms
    state: ledger.State
    allocations: list[ledger.Allocation] = dataclasses.field(default_factory=list)
    charges: list[ledger.Charge] = dataclasses.field(default_factory=list)
    waived: list[tuple[int, str, Decimal]] = dataclasses.field(default_factory=list)
    check: bool = True

    def close_through(self, day: dt.date) -> None:
        while self.state.accrued_through < day:
            current = self.state.accrued_through + dt.timedelta(days=1)
            self.allocations.extend(ledger.apply_credit(self.state, self.terms, current))
            self.assert_sound()
            before = {i.key: i.late_charges for i in self.state.active_installments()}
            charges = ledger.accrue_day(self.state, self.terms, current)
            self.charges.extend(charges)
            if self.check:
                self.assert_charges_within_caps(charges, before, current)
            self.assert_sound()

    def apply(self, event: ledger.Event) -> None:
        result = ledger.DayResult()
        ledger.apply_event(self.state, self.terms, event, result)
        self.allocations.extend(result.allocations)
        self.waived.extend(result.waived)
        self.assert_sound()

    def assert_sound(self) -> None:
        if not self.check:
            return
        for inst in self.state.installments:
            for component in ledger.COMPONENTS:
                assert inst.outstanding(component) >= ZERO, (inst, component)
        assert all(lot.amount > ZERO for lot in self.state.credit), self.state.credit
        assert self.state.credit_balance >= ZERO

    def assert_charges_within_caps(
        self, charges: list[ledger.Charge], before: dict[int, Decimal], day: dt.date
    ) -> None:
        """Per installment: what its lateness was charged stays under its own cap (overdue
        amount-days × annual cap / 365); the day adds at most the room it had."""
        granted: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for c in charges:
            granted[c.installment_key] += c.amount
        for inst in self.state.active_installments():
            cap = ledger.installment_cap(self.terms, inst)
            added = inst.late_charges - before.get(inst.key, ZERO)
            assert added == granted[inst.key], (day, inst.key)
            if added > ZERO:
                assert inst.late_charges <= cap, (day, inst.key, inst.late_charges, cap)
            if inst.due_date >= day:
                assert inst.overdue_amount_days == ZERO and inst.late_charges == ZERO
        for c in charges:
            assert c.amount >= ZERO
            if c.kind == "late_fee":
                assert c.amount <= c.base_amount
                assert c.amount <= self.terms.late_fee_cap
                assert c.base_amount <= self.terms.late_fee_cap
            else:  # one day of a run rounded once: round(b·r·d) − round(b·r·(d−1)) ≤ round(b·r) + 0.01
                assert c.amount <= quantize_money(c.base_amount * c.rate) + D("0.01")


def live_run(history: dict[str, object], *, skip: int | None = None, check: bool = True) -> Live:
    """Post the events the way the services do, with the sweep on the given days."""
    terms: ledger.Terms = history["terms"]  # type: ignore[assignment]
    schedule: list[ledger.Inst] = history["schedule"]  # type: ignore[assignment]
    state = ledger.State(installments=[ledger._fresh(i) for i in schedule], accrued_through=terms.start_date)
    live = Live(terms=terms, state=state, check=check)
    actions: list[tuple[dt.date, int, int, object]] = []
    for n, event in enumerate(history["events"]):  # type: ignore[arg-type]
        if event.key != skip:
            actions.append((event.on_date, 0, n, event))
    for n, day in enumerate(history["sweeps"]):  # type: ignore[arg-type]
        actions.append((day, 1, n, day))  # the nightly sweep runs after the day's business
    for day, kind, _n, what in sorted(actions, key=lambda a: a[:3]):
        if kind == 0:
            live.close_through(day - dt.timedelta(days=1))
            live.apply(what)  # type: ignore[arg-type]
        else:
            live.close_through(day)
    live.close_through(history["through"])  # type: ignore[arg-type]
    return live


def replay(history: dict[str, object], *, skip: int | None = None) -> tuple[ledger.State, ledger.DayResult]:
    events = [e for e in history["events"] if e.key != skip]  # type: ignore[attr-defined]
    return ledger.replay(history["terms"], history["schedule"], events, through=history["through"])  # type: ignore[arg-type]


def ledger_view(state: ledger.State) -> dict[str, object]:
    return {
        "installments": sorted((dataclasses.asdict(i) for i in state.installments), key=lambda d: d["key"]),
        "credit": [(lot.payment_key, lot.amount) for lot in state.credit],
        "principal_days": state.principal_days,
        "accrued_through": state.accrued_through,
    }


# --- properties ----------------------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(history_st())
def test_invariants_hold_every_day(history: dict[str, object]) -> None:
    """Nothing outstanding and no credit ever goes negative; charges stay under both caps."""
    live = live_run(history)
    state = live.state
    terms: ledger.Terms = history["terms"]  # type: ignore[assignment]
    # Each installment is charged one late fee at most, within the late-fee cap.
    late_fees = defaultdict(list)
    for c in live.charges:
        if c.kind == "late_fee":
            late_fees[c.installment_key].append(c)
    assert all(len(v) == 1 for v in late_fees.values())
    for inst in state.installments:
        if inst.plan_key is None:
            assert inst.fee_charged <= terms.late_fee_cap
    # Penalty only ever on overdue principal: every penalty charge's base was principal.
    for c in live.charges:
        if c.kind == "penalty":
            assert c.base_amount > ZERO
            assert c.rate == terms.penalty_daily_rate


@PROPERTY_SETTINGS
@given(history_st())
def test_allocations_of_each_payment_sum_to_its_amount(history: dict[str, object]) -> None:
    state, result = replay(history)
    payments = {e.key: e for e in history["events"] if isinstance(e, ledger.PaymentEvent)}  # type: ignore[attr-defined]
    direct: dict[int, Decimal] = defaultdict(lambda: ZERO)
    credit_in: dict[int, Decimal] = defaultdict(lambda: ZERO)
    credit_out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for a in result.allocations:
        assert a.amount > ZERO, a
        if a.from_credit:
            assert a.component != "credit"
            credit_out[a.payment_key] += a.amount
        elif a.component == "credit":
            assert a.installment_key is None
            credit_in[a.payment_key] += a.amount
            direct[a.payment_key] += a.amount
        else:
            direct[a.payment_key] += a.amount
    assert set(direct) == set(payments)
    for key, event in payments.items():
        assert direct[key] == event.amount, key  # every cent of the payment went somewhere, once
        assert credit_out[key] <= credit_in[key]
    lots = {lot.payment_key: lot.amount for lot in state.credit}
    for key in payments:
        assert lots.get(key, ZERO) == credit_in[key] - credit_out[key]
    assert state.credit_balance == sum(credit_in.values(), ZERO) - sum(credit_out.values(), ZERO)
    # Money in equals money applied to installments plus credit left.
    paid = sum((i.principal_paid + i.interest_paid + i.penalty_paid + i.fee_paid for i in state.installments), ZERO)
    assert paid + state.credit_balance == sum((e.amount for e in payments.values()), ZERO)


@PROPERTY_SETTINGS
@given(history_st(), st.data())
def test_replay_without_a_payment_equals_the_history_that_never_had_it(
    history: dict[str, object], data: st.DataObject
) -> None:
    payments = [e for e in history["events"] if isinstance(e, ledger.PaymentEvent)]  # type: ignore[attr-defined]
    assume(payments)
    dropped = data.draw(st.sampled_from(payments)).key
    reversed_state, reversed_result = replay(history, skip=dropped)
    never = live_run(history, skip=dropped, check=False)
    assert ledger_view(reversed_state) == ledger_view(never.state)
    assert sorted(reversed_result.charges, key=repr) == sorted(never.charges, key=repr)
    assert sorted(reversed_result.allocations, key=repr) == sorted(never.allocations, key=repr)
    assert all(a.payment_key != dropped for a in reversed_result.allocations)
    # And with every payment, replay equals the day-by-day history too.
    full_state, _ = replay(history)
    assert ledger_view(full_state) == ledger_view(live_run(history, check=False).state)


@st.composite
def overdue_state_st(draw: st.DrawFn) -> tuple[ledger.Terms, ledger.State, dt.date]:
    """A state on some day with installments in every condition, and a cap that never binds
    (every installment has been overdue long enough for a 1000 % cap to leave ample room)."""
    terms = draw(terms_st(cost_cap=D("1000")))
    day = START + dt.timedelta(days=draw(st.integers(40, 200)))
    installments = []
    for key in range(1, draw(st.integers(1, 5)) + 1):
        due = START + dt.timedelta(days=draw(st.integers(1, 200)))
        principal = draw(cents(0, 500_000))
        interest = draw(cents(0, 50_000))
        installments.append(
            ledger.Inst(
                key=key,
                seq=key,
                due_date=due,
                principal_due=principal,
                interest_due=interest,
                principal_paid=draw(st.sampled_from([ZERO, principal, quantize_money(principal / 2)])),
                interest_paid=draw(st.sampled_from([ZERO, interest])),
                penalty_accrued=draw(cents(0, 10_000)),
                fee_charged=draw(cents(0, 10_000)),
                late_fee_assessed=draw(st.booleans()),
                overdue_amount_days=D(10_000_000),
            )
        )
    state = ledger.State(
        installments=installments, principal_days=D(10_000_000), accrued_through=day - dt.timedelta(days=1)
    )
    return terms, state, day


def penalty_by_installment(state: ledger.State) -> dict[int, Decimal]:
    return {i.key: i.penalty_accrued for i in state.installments}


@PROPERTY_SETTINGS
@given(overdue_state_st())
def test_penalty_accrues_on_overdue_principal_only(case: tuple[ledger.Terms, ledger.State, dt.date]) -> None:
    terms, state, day = case
    without_other = ledger.State(
        installments=[
            dataclasses.replace(i, interest_due=i.interest_paid, fee_charged=ZERO, penalty_accrued=ZERO)
            for i in state.installments
        ],
        principal_days=state.principal_days,
        accrued_through=state.accrued_through,
    )
    before = penalty_by_installment(state)
    ledger.accrue_day(state, terms, day)
    ledger.accrue_day(without_other, terms, day)
    after = penalty_by_installment(state)
    for inst, other in zip(state.installments, without_other.installments, strict=True):
        added = after[inst.key] - before[inst.key]
        assert added == other.penalty_accrued  # interest, penalty and fees outstanding change nothing
        overdue = day > inst.due_date + dt.timedelta(days=terms.grace_days)
        principal_left = inst.outstanding("principal")
        expected = quantize_money(principal_left * terms.penalty_daily_rate) if overdue and principal_left else ZERO
        assert added == expected


@PROPERTY_SETTINGS
@given(overdue_state_st())
def test_no_penalty_once_principal_is_paid(case: tuple[ledger.Terms, ledger.State, dt.date]) -> None:
    terms, state, day = case
    for inst in state.installments:
        inst.principal_paid = inst.principal_due  # interest, penalty and fees may still be open
    before = penalty_by_installment(state)
    charges = ledger.accrue_day(state, terms, day)
    assert penalty_by_installment(state) == before
    assert [c for c in charges if c.kind == "penalty"] == []


@PROPERTY_SETTINGS
@given(
    principal=cents(1, 100_000_000),
    rate=st.integers(0, 10_000).map(lambda bp: D(bp).scaleb(-4)),
    term=st.integers(1, 120),
    method=st.sampled_from([ScheduleMethod.ANNUITY, ScheduleMethod.EQUAL_PRINCIPAL, ScheduleMethod.BNPL]),
)
def test_schedule_principal_sums_exactly(principal: Decimal, rate: Decimal, term: int, method: ScheduleMethod) -> None:
    lines = build_schedule(principal=principal, annual_rate=rate, term=term, method=method, first_due=START)
    assert sum((ln.principal for ln in lines), ZERO) == principal
    assert all(ln.principal >= ZERO and ln.interest >= ZERO for ln in lines)
    state, _ = ledger.replay(
        ledger.Terms(START, 3, D("0.0005"), "none", D("0"), D("0"), D("0.24")),
        [ledger.Inst(n, ln.seq, ln.due_date, ln.principal, ln.interest) for n, ln in enumerate(lines, 1)],
        [],
        through=START,
    )
    assert state.principal_outstanding == principal


# --- worked examples that pin the rules down ---------------------------------------------------------
def simple_terms(**overrides: object) -> ledger.Terms:
    values: dict[str, object] = {
        "start_date": START,
        "grace_days": 3,
        "penalty_daily_rate": D("0.0005"),
        "late_fee_kind": "fixed",
        "late_fee_value": D("50"),
        "late_fee_cap": D("50.00"),
        "cost_cap_annual_rate": D("0.24"),
    }
    values.update(overrides)
    return ledger.Terms(**values)  # type: ignore[arg-type]


def two_installments() -> list[ledger.Inst]:
    return [
        ledger.Inst(1, 1, dt.date(2026, 2, 1), D("10000.00"), D("200.00")),
        ledger.Inst(2, 2, dt.date(2026, 3, 1), D("10000.00"), D("100.00")),
    ]


def test_penalty_and_late_fee_start_the_day_after_grace() -> None:
    terms = simple_terms(late_fee_value=D("5"))
    state, result = ledger.replay(terms, two_installments(), [], through=dt.date(2026, 2, 5))
    first = state.by_key(1)
    # Grace ends 02-04; 02-05 is the first charged day: one late fee and one day of penalty
    # (10,200.00 overdue for 4 days at 24 % leaves 26.82 of room, enough for both).
    assert first.fee_charged == D("5.00")
    assert first.penalty_accrued == D("5.00")
    assert [(c.kind, c.on_date) for c in result.charges] == [
        ("late_fee", dt.date(2026, 2, 5)),
        ("penalty", dt.date(2026, 2, 5)),
    ]


def test_cost_cap_stops_penalty_and_fee() -> None:
    # A 1 % annual cap: each installment's lateness is charged at most its overdue amount x days
    # overdue x 1 % / 365. Installment 1 (10,200.00 overdue from 02-02 to 04-30, 88 days):
    # 897,600.00 amount-days -> 24.59; installment 2 (10,100.00, 03-02 to 04-30, 60 days): 16.60.
    state, result = ledger.replay(
        simple_terms(cost_cap_annual_rate=D("0.01")), two_installments(), [], through=dt.date(2026, 4, 30)
    )
    first, second = state.by_key(1), state.by_key(2)
    assert first.overdue_amount_days == D("897600.00") and second.overdue_amount_days == D("606000.00")
    assert first.fee_charged + first.penalty_accrued == first.late_charges == D("24.59")
    assert second.fee_charged + second.penalty_accrued == second.late_charges == D("16.60")
    # The late fee took the room there was on its day (4 days overdue): 10,200 x 4 x 1 % / 365.
    assert first.fee_charged == D("1.11")
    assert all(c.capped for c in result.charges)


def test_per_installment_cap_ignores_the_rest_of_the_loan() -> None:
    """The cap measures the overdue installment, not the whole loan's principal-days: a 250.00
    installment 4 days late on a 3,999.00 BNPL (5 % late fee, at most 30.00; 0.03 %/day) may be
    charged at most 250 x 4 x 24 % / 365 = 0.65, not 12.58 (459 % annualised on 250.00)."""
    terms = ledger.Terms(
        start_date=START,
        grace_days=3,
        penalty_daily_rate=D("0.0003"),
        late_fee_kind="percent",
        late_fee_value=D("0.05"),
        late_fee_cap=D("30.00"),
        cost_cap_annual_rate=D("0.24"),
    )
    schedule = [
        ledger.Inst(1, 1, dt.date(2026, 2, 1), D("250.00"), ZERO),
        ledger.Inst(2, 2, dt.date(2026, 3, 1), D("3749.00"), ZERO),
    ]
    state, result = ledger.replay(terms, schedule, [], through=dt.date(2026, 2, 5))
    first = state.by_key(1)
    assert first.fee_charged + first.penalty_accrued == D("0.65")
    annualised = (first.late_charges / D("250.00")) * 365 / 4
    assert annualised <= D("0.24")
    assert [(c.kind, c.amount, c.capped) for c in result.charges] == [
        ("late_fee", D("0.65"), True),
        ("penalty", ZERO, True),
    ]


def test_penalty_is_rounded_once_per_run() -> None:
    """708.96 x 0.05 % x 61 days = 21.6228 -> 21.62 (not 61 x round(0.35448) = 21.35)."""
    terms = simple_terms(late_fee_kind="none", late_fee_value=D("0"), cost_cap_annual_rate=D("1"), grace_days=0)
    schedule = [ledger.Inst(1, 1, dt.date(2026, 2, 1), D("708.96"), ZERO)]
    state, result = ledger.replay(terms, schedule, [], through=dt.date(2026, 4, 3))
    assert state.by_key(1).penalty_accrued == D("21.62")
    assert len(result.charges) == 61
    assert sum((c.amount for c in result.charges), ZERO) == quantize_money(D("708.96") * D("0.0005") * 61)


def test_percent_late_fee_is_limited_by_the_cap() -> None:
    # A 100 % cost cap leaves room (111.78 after 4 days) so that only the late-fee cap binds.
    terms = simple_terms(
        late_fee_kind="percent", late_fee_value=D("0.10"), late_fee_cap=D("30.00"), cost_cap_annual_rate=D("1")
    )
    state, _ = ledger.replay(terms, two_installments(), [], through=dt.date(2026, 2, 5))
    assert state.by_key(1).fee_charged == D("30.00")  # 10 % of 10200.00 is 1020.00, capped at 30.00


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (
            ("fee", "penalty", "interest", "principal"),
            {"fee": D("50.00"), "penalty": D("10.00"), "interest": D("40.00")},
        ),
        (("principal", "interest", "penalty", "fee"), {"principal": D("100.00")}),
    ],
)
def test_payment_follows_the_allocation_order(order: tuple[str, ...], expected: dict[str, Decimal]) -> None:
    payment = ledger.PaymentEvent(PAYMENT_KEYS, dt.date(2026, 2, 7), D("100.00"))
    _, result = ledger.replay(
        simple_terms(allocation_order=order, cost_cap_annual_rate=D("1")),
        two_installments(),
        [payment],
        through=dt.date(2026, 2, 6),
    )
    got = {a.component: a.amount for a in result.allocations if a.payment_key == PAYMENT_KEYS}
    assert got == expected
