"""Benchmark portfolio: N contracts in the product's own tables, as the nightly batch finds them (not a test).

    .venv/bin/python bench/portfolio.py --contracts 1000000 [--business-date 2026-11-25] [--database-url URL]
                                        [--reset] [--jobs 2]

Fills a migrated PostgreSQL database (DATABASE_URL, or --database-url) as if the product had
run every night through the day before the business date D: customers (users, profiles,
contact preferences), contracts of four products with six installments every 30 days,
payments and their allocation lines, penalty and late-fee charges, delinquency transitions,
repayment plans, promises to pay, collection holds, and the ladder notices whose catch-up
window is still open on D (so the night of D sends what a real night would, not a week of
catch-up). The ladder and the notice templates are the ones the migrations install.

Shape (as ``shared/bench/sweep_floor.sql``): every 5th contract is overdue, its oldest unpaid
installment due ((n / 5) % 180) + 1 days before D, so every ladder step fires on D; the rest
are current, paid up, their next installment due 0..27 days after D; 0.5% are on an active
repayment plan, 1% overdue with an open promise, 2% on a collection hold, 3% have contact
preferences (opt-outs), 5% are under US Regulation F (these shares are chosen by a hash of n,
so they fall on every number of days overdue).

The ledger figures are not invented: each distinct contract shape (product, offsets) is run
through the pure ledger engine (``contracts.ledger``, the same code the sweep uses) day by day
from its start, and the resulting state is copied to every contract of that shape with
set-based ``INSERT ... SELECT generate_series`` statements, in id blocks spread over ``--jobs``
connections. Nothing is written through the ORM row by row and no audit events are written
(this is synthetic data, not business actions). As superuser the load runs with
``session_replication_role = replica``, which skips the per-row foreign-key triggers (the rows
are built to satisfy them; ``--check`` verifies afterwards); CHECK and UNIQUE constraints hold
as always. Refuses a database that already has contracts unless ``--reset``, which empties
the contract and customer tables (never the audit log, the products, ladders or templates).
Ends with VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

BASE = Path(__file__).resolve().parents[1]
if str(BASE) not in sys.path:
    sys.path.insert(0, str(BASE))

if TYPE_CHECKING:
    import psycopg

DEFAULT_BUSINESS_DATE = dt.date(2026, 11, 25)
EMAIL_DOMAIN = "bench.fairdue.example"
SPACING_DAYS = 30  # installments fall due every 30 days, as in the floor
TERM = 6
CHUNK = 50_000
INSTALLMENT_SLOTS = 12  # 6 original installments + up to 6 plan installments per contract
PLAN_MONTHS = 6
PLAN_AT_DPD = 30
CATCH_UP_DAYS = 7  # notices.services.ladder.CATCH_UP_DAYS: a step re-fires within this window

# Which template a contract gets: hashint4(n) % 20 below the bound.
TEMPLATE_BOUNDS = (13, 16, 19, 20)

PRODUCT_TABLES = (
    "accounts_user",
    "accounts_customerprofile",
    "accounts_contactpreference",
    "contracts_contract",
    "contracts_installment",
    "contracts_payment",
    "contracts_allocationline",
    "contracts_chargeentry",
    "contracts_delinquencytransition",
    "contracts_repaymentplan",
    "contracts_promisetopay",
    "contracts_collectionhold",
    "notices_notice",
    "notices_validationnotice",
)


@dataclass(frozen=True)
class Template:
    """One product and principal: the schedule every contract of this template shares."""

    index: int
    product_code: str
    principal: Decimal  # the contract's principal (for a subscription: the sum of the fees)
    lines: tuple[tuple[Decimal, Decimal], ...]  # (principal, interest) per installment
    is_service: bool


@dataclass
class Shape:
    """The ledger of one kind of contract as of the night before D; dates are days from D."""

    shape_id: int
    family: str  # o = overdue, c = current, p = on a repayment plan
    template: int
    a: int  # o: oldest unpaid seq; c: next due seq; p: 0
    b: int  # o: days overdue on D; c: days until the next due date; p: days since the plan started
    start: int
    first_due: int
    principal_days: Decimal
    principal_outstanding: Decimal
    next_due: int | None
    days_past_due: int
    bucket: str
    status: str
    episode: int
    delinquent_since: int | None
    promise_amount: Decimal
    service: tuple[str, int | None, int | None, int | None, str] = ("allowed", None, None, None, "")
    plan: tuple[int, int, str] | None = None  # activated_on, first_due_date, snapshot JSON
    installments: list[tuple[Any, ...]] = field(default_factory=list)
    payments: list[tuple[Any, ...]] = field(default_factory=list)
    allocations: list[tuple[Any, ...]] = field(default_factory=list)
    charges: list[tuple[Any, ...]] = field(default_factory=list)
    transitions: list[tuple[Any, ...]] = field(default_factory=list)
    notices: list[tuple[Any, ...]] = field(default_factory=list)


# --- bench products -------------------------------------------------------------------------------
def bench_products() -> list[tuple[dict[str, object], str, str]]:
    """The demo products (``manage.py demo_data``) under bench codes, sold for six months."""
    from portal.demo import DEMO_PRODUCTS

    products = []
    for fields, text_zh, text_en in DEMO_PRODUCTS:
        values = dict(fields)
        values["code"] = str(values["code"]).replace("demo-", "bench-")
        values["min_term"] = 1
        values["max_term"] = max(int(str(values["max_term"])), TERM)
        products.append((values, text_zh, text_en))
    return products


def ensure_setup() -> dict[str, Any]:
    """Bench products, their terms and the default ladder (a handful of rows, no audit events
    except the ladder's if a flushed test database lost the one the migrations installed)."""
    import hashlib

    from contracts.models import Product, TermsVersion
    from contracts.schedules import build_schedule
    from contracts.services.terms import _terms_parameters
    from notices.defaults import install_defaults
    from notices.models import EscalationLadder, LadderStep, NoticeTemplate

    if not EscalationLadder.objects.filter(product__isnull=True).exists() or not NoticeTemplate.objects.exists():
        install_defaults(actor=None)
    products: dict[str, tuple[Product, TermsVersion]] = {}
    for fields, text_zh, text_en in bench_products():
        product = Product.objects.filter(code=fields["code"]).first()
        if product is None:
            product = Product.objects.create(**fields)  # type: ignore[arg-type]
        terms = product.terms_versions.order_by("-version").first()
        if terms is None:
            terms = TermsVersion.objects.create(
                product=product,
                version=1,
                text_zh=text_zh,
                text_en=text_en,
                parameters=_terms_parameters(product),
                content_hash=hashlib.sha256(f"{text_zh}\n---\n{text_en}".encode()).hexdigest(),
            )
        products[product.code] = (product, terms)
    amounts = {
        "bench-loan": [Decimal("6000.00"), Decimal("12000.00")],
        "bench-bnpl": [Decimal("2400.00")],
        "bench-service": [Decimal("199.00")],
    }
    templates: list[Template] = []
    for code, principals in amounts.items():
        product, _terms = products[code]
        for principal in principals:
            lines = build_schedule(
                principal=principal,
                annual_rate=product.annual_interest_rate,
                term=TERM,
                method=product.schedule_method,
                first_due=dt.date(2030, 1, 1),
            )
            templates.append(
                Template(
                    index=len(templates),
                    product_code=code,
                    principal=sum((ln.principal for ln in lines), Decimal("0.00"))
                    if product.schedule_method == "subscription"
                    else principal,
                    lines=tuple((ln.principal, ln.interest) for ln in lines),
                    is_service=product.has_onsite_service,
                )
            )
    ladder = EscalationLadder.objects.filter(product__isnull=True).first()
    steps = list(LadderStep.objects.filter(ladder=ladder, is_active=True).exclude(anchor="due_date"))
    return {"products": products, "templates": templates, "steps": steps}


# --- the ledger, run once per shape -----------------------------------------------------------------
def _terms(product: Any, start: dt.date) -> Any:
    from contracts import ledger

    return ledger.Terms(
        start_date=start,
        grace_days=product.grace_days,
        penalty_daily_rate=product.penalty_daily_rate,
        late_fee_kind=product.late_fee_kind,
        late_fee_value=product.late_fee_value,
        late_fee_cap=product.late_fee_cap,
        cost_cap_annual_rate=product.cost_cap_annual_rate,
        allocation_order=tuple(product.allocation_order),
    )


def _slot(key: int) -> int:
    return key if key < 100 else TERM + key - 100


def run_ledger(
    *,
    product: Any,
    template: Template,
    dues: Sequence[dt.date],
    paid_seqs: Iterable[int],
    plan_on: dt.date | None,
    snapshot_days: dict[dt.date, int],
    on_snapshot: Callable[[int, dt.date, Any, Any, list[tuple[int, Decimal, dt.date]], dict[str, Any]], None],
) -> None:
    """Close every day from the start with the real engine, paying the named installments (and
    every plan installment) in full on their due dates; ``on_snapshot`` sees the state after
    each day in ``snapshot_days``."""
    from contracts import ledger
    from contracts import ledger_store as store
    from contracts.models import Contract, ContractStatus

    start = dues[0] - dt.timedelta(days=SPACING_DAYS)
    terms = _terms(product, start)
    state = ledger.State(
        installments=[
            ledger.Inst(key=seq, seq=seq, due_date=due, principal_due=p, interest_due=i)
            for seq, (due, (p, i)) in enumerate(zip(dues, template.lines, strict=True), start=1)
        ],
        accrued_through=start,
    )
    contract = Contract(
        status=ContractStatus.CURRENT, delinquency_episode=0, charge_off_dpd=product.charge_off_dpd, days_past_due=0
    )
    loaded = store.Loaded(contract=contract, terms=terms, state=state, rows={}, suppressed_fees=frozenset())
    pending = store.Pending()
    paid = set(paid_seqs)
    payments: list[tuple[int, Decimal, dt.date]] = []
    extra: dict[str, Any] = {"start": start}
    last = max(snapshot_days)
    day = start
    while day < last:
        day += dt.timedelta(days=1)
        result = ledger.DayResult()
        if plan_on is not None and day == plan_on:
            amounts = ledger.plan_amounts(state, day, waive_penalty=False, waive_fees=False, months=PLAN_MONTHS)
            restructured: dict[str, Decimal] = amounts["restructured"]  # type: ignore[assignment]
            extra["plan_snapshot"] = json.dumps(
                {
                    "restructured": {k: str(v) for k, v in restructured.items()},
                    "total": str(sum(restructured.values(), Decimal("0.00"))),
                }
            )
            lines = tuple(ledger.PlanLine(100 + k, k, day + dt.timedelta(days=SPACING_DAYS * k)) for k in range(1, 7))
            ledger.apply_event(state, terms, ledger.PlanEvent(1, day, lines), result)
        for inst in state.active_installments():
            if inst.due_date == day and (inst.key in paid or inst.plan_key is not None):
                amount = inst.total_outstanding
                if amount > 0:
                    pseq = len(payments) + 1
                    payments.append((pseq, amount, day))
                    ledger.apply_event(state, terms, ledger.PaymentEvent(pseq, day, amount, order=(pseq,)), result)
        store.record_day(loaded, result, pending)
        store.record_day(loaded, ledger.close_day(state, terms, day), pending)
        store.update_status(loaded, day, pending)
        if contract.status == ContractStatus.CHARGED_OFF:
            raise AssertionError("bench shapes stay below the charge-off threshold the night before D")
        if day in snapshot_days:
            on_snapshot(snapshot_days[day], day, state, (contract, pending), list(payments), extra)


def build_shapes(setup: dict[str, Any]) -> list[Shape]:
    """Every distinct contract the generator writes: 4 templates x (3 x 180 overdue + 6 x 28
    current + 60 on a plan) shapes, each the engine's state as of the night before D."""
    from contracts import ledger

    products = setup["products"]
    shapes: list[Shape] = []
    base = dt.date(2030, 1, 1)  # any date: shapes are stored relative to D

    def capture(family: str, template: Template, a: int, product: Any) -> Any:
        def on_snapshot(
            b: int, day: dt.date, state: Any, live: Any, payments: list[Any], extra: dict[str, Any]
        ) -> None:
            contract, pending = live
            d = day + dt.timedelta(days=1)  # the business date this snapshot is the eve of

            def off(value: dt.date | None) -> int | None:
                return None if value is None else (value - d).days

            assert state.credit_balance == 0
            next_due = ledger.next_due(state)
            open_oldest = [i for i in state.active_installments() if i.total_outstanding > 0]
            shape = Shape(
                shape_id=len(shapes) + 1,
                family=family,
                template=template.index,
                a=a,
                b=b,
                start=off(extra["start"]) or 0,
                first_due=off(min(i.due_date for i in state.installments if i.plan_key is None)) or 0,
                principal_days=state.principal_days,
                principal_outstanding=state.principal_outstanding,
                next_due=off(next_due),
                days_past_due=contract.days_past_due,
                bucket=contract.bucket,
                status=str(contract.status),
                episode=contract.delinquency_episode,
                delinquent_since=off(contract.delinquent_since),
                promise_amount=open_oldest[0].total_outstanding if open_oldest else Decimal("1.00"),
            )
            for inst in state.installments:
                shape.installments.append(
                    (
                        _slot(inst.key),
                        inst.seq,
                        inst.plan_key is not None,
                        off(inst.due_date),
                        inst.principal_due,
                        inst.interest_due,
                        inst.principal_paid,
                        inst.interest_paid,
                        inst.penalty_accrued,
                        inst.penalty_paid,
                        inst.penalty_waived,
                        inst.fee_charged,
                        inst.fee_paid,
                        inst.fee_waived,
                        inst.interest_waived,
                        inst.principal_waived,
                        inst.late_fee_assessed,
                        off(inst.superseded_on),
                        off(inst.settled_on),
                        inst.overdue_amount_days,
                        inst.late_charges,
                    )
                )
            shape.payments = [(pseq, amount, off(on)) for pseq, amount, on in payments]
            shape.allocations = [
                (
                    n,
                    line.payment_id,
                    None if line.installment_id is None else _slot(line.installment_id),
                    line.component,
                    line.amount,
                    off(line.applied_on),
                    line.from_credit,
                )
                for n, line in enumerate(pending.allocations, start=1)
            ]
            shape.charges = [
                (
                    n,
                    _slot(e.installment_id),
                    e.kind,
                    off(e.from_date),
                    off(e.to_date),
                    e.days,
                    e.base_amount,
                    e.rate,
                    e.amount,
                    e.capped,
                    e.cap_amount_days,
                )
                for n, e in enumerate(pending.new_charges, start=1)
            ]
            shape.transitions = [
                (n, off(t.on_date), t.from_status, t.to_status, t.event, t.days_past_due, t.episode)
                for n, t in enumerate(pending.transitions, start=1)
            ]
            if template.is_service and contract.delinquency_episode:
                shape.service = _service_state(product, contract, day, extra, off)
            if "plan_snapshot" in extra:
                plan_on = extra["plan_on"]
                shape.plan = (
                    off(plan_on) or 0,
                    off(plan_on + dt.timedelta(days=SPACING_DAYS)) or 0,
                    extra["plan_snapshot"],
                )
            shape.notices = _window_notices(setup["steps"], template, product.grace_days, contract, day, off)
            shapes.append(shape)

        return on_snapshot

    for template in setup["templates"]:
        product = products[template.product_code][0]
        for u in (1, 2, 3):  # overdue: oldest unpaid installment u, due `o` days before D
            dues = [base + dt.timedelta(days=SPACING_DAYS * (s - u)) for s in range(1, TERM + 1)]
            days = {base + dt.timedelta(days=o - 1): o for o in range(1, 181)}
            run_ledger(
                product=product,
                template=template,
                dues=dues,
                paid_seqs=range(1, u),
                plan_on=None,
                snapshot_days=days,
                on_snapshot=capture("o", template, u, product),
            )
        for p in range(1, TERM + 1):  # current: installment p due k days after D, the earlier ones paid
            dues = [base + dt.timedelta(days=SPACING_DAYS * (s - p)) for s in range(1, TERM + 1)]
            days = {base - dt.timedelta(days=k + 1): k for k in range(28)}
            run_ledger(
                product=product,
                template=template,
                dues=dues,
                paid_seqs=range(1, p),
                plan_on=None,
                snapshot_days=days,
                on_snapshot=capture("c", template, p, product),
            )
        # on a plan: installment 2 unpaid since `base`, a 6-month plan from 30 days later, kept so far
        dues = [base + dt.timedelta(days=SPACING_DAYS * (s - 2)) for s in range(1, TERM + 1)]
        plan_on = base + dt.timedelta(days=PLAN_AT_DPD)
        days = {plan_on + dt.timedelta(days=j - 1): j for j in range(1, 61)}
        capture_plan = capture("p", template, 0, product)

        def with_plan_day(*args: Any, _inner: Any = capture_plan, _on: dt.date = plan_on) -> None:
            args[5]["plan_on"] = _on
            _inner(*args)

        run_ledger(
            product=product,
            template=template,
            dues=dues,
            paid_seqs=[1],
            plan_on=plan_on,
            snapshot_days=days,
            on_snapshot=with_plan_day,
        )
    return shapes


def _service_state(
    product: Any, contract: Any, day: dt.date, extra: dict[str, Any], off: Callable[[dt.date | None], int | None]
) -> tuple[str, int | None, int | None, int | None, str]:
    """On-site service as the ladder and the sweep left it: the formal notice given the night the
    grace period's day 1 was reached, suspension from the date it named, restored by a plan."""
    if contract.delinquent_since is None and "plan_on" not in extra:
        return ("allowed", None, None, None, "")
    overdue_from = contract.delinquent_since or (extra["plan_on"] - dt.timedelta(days=PLAN_AT_DPD - 1))
    notice_on = overdue_from + dt.timedelta(days=product.grace_days)  # dpd - grace = 1 that night
    if notice_on > day:
        return ("allowed", None, None, None, "")
    effective = notice_on + dt.timedelta(days=product.suspension_notice_days)
    if "plan_on" in extra and extra["plan_on"] <= day:
        return ("restored", off(notice_on), None, None, "Repayment plan active")
    if effective <= day:
        return ("suspended", off(notice_on), off(effective), off(effective), "Overdue after the formal notice period")
    return ("notice_given", off(notice_on), off(effective), None, "Formal notice of service suspension")


def _window_notices(
    steps: Sequence[Any],
    template: Template,
    grace_days: int,
    contract: Any,
    day: dt.date,
    off: Callable[[dt.date | None], int | None],
) -> list[tuple[Any, ...]]:
    """Ladder notices of past nights that would fire again on D (catch-up window still open):
    without them the first benchmark night would send a week of catch-up."""
    from contracts.models import ContractStatus

    if contract.status != ContractStatus.DELINQUENT or not contract.delinquency_episode:
        return []
    rows = []
    for n, step in enumerate(steps):
        if step.onsite_service_only and not template.is_service:
            continue
        shift = grace_days if step.anchor == "grace_end" else 0
        tomorrow = contract.days_past_due + 1 - shift
        fired_at = contract.days_past_due - shift - step.offset_days  # nights ago that it first fired
        if fired_at >= 0 and tomorrow < step.offset_days + CATCH_UP_DAYS:
            electronic = [c for c in step.channels if c in ("sms", "email")]
            rows.append(
                (
                    n,
                    step.pk,
                    step.code,
                    step.purpose,
                    json.dumps(list(step.channels)),
                    len(electronic) == 1,
                    off(day - dt.timedelta(days=fired_at)),
                )
            )
    return rows


# --- SQL -----------------------------------------------------------------------------------------
SHAPE_TABLES = {
    "s_contract": (
        "shape_id int, family text, t int, a int, b int, start_off int, first_due_off int, principal_days numeric,"
        " principal_outstanding numeric, next_due_off int, days_past_due int, bucket text, status text, episode int,"
        " delinquent_since_off int, promise_amount numeric, service_state text, service_notice_off int,"
        " service_effective_off int, service_suspended_off int, service_reason text, plan_on_off int,"
        " plan_first_due_off int, plan_snapshot jsonb"
    ),
    "s_inst": (
        "shape_id int, slot int, seq int, is_plan boolean, due_off int, principal_due numeric, interest_due numeric,"
        " principal_paid numeric, interest_paid numeric, penalty_accrued numeric, penalty_paid numeric,"
        " penalty_waived numeric, fee_charged numeric, fee_paid numeric, fee_waived numeric, interest_waived numeric,"
        " principal_waived numeric, late_fee_assessed boolean, superseded_off int, settled_off int,"
        " overdue_amount_days numeric, late_charges numeric"
    ),
    "s_pay": "shape_id int, pseq int, amount numeric, on_off int",
    "s_alloc": (
        "shape_id int, aseq int, pseq int, slot int, component text, amount numeric, applied_off int,"
        " from_credit boolean"
    ),
    "s_charge": (
        "shape_id int, cseq int, slot int, kind text, from_off int, to_off int, days int, base_amount numeric,"
        " rate numeric, amount numeric, capped boolean, cap_amount_days numeric"
    ),
    "s_trans": (
        "shape_id int, tseq int, on_off int, from_status text, to_status text, event text, days_past_due int,"
        " episode int"
    ),
    "s_notice": (
        "shape_id int, nidx int, step_id bigint, step_code text, purpose text, channels jsonb,"
        " single_electronic boolean, fired_off int"
    ),
    "s_template": (
        "t int, product_id bigint, terms_id bigint, principal numeric, annual_rate numeric, schedule_method text,"
        " grace_days int, penalty_daily_rate numeric, late_fee_kind text, late_fee_value numeric,"
        " late_fee_cap numeric, cost_cap_annual_rate numeric, allocation_order jsonb,"
        " suspension_notice_after_days int, suspension_notice_days int, charge_off_dpd int, plan_break_days int"
    ),
}


def shape_rows(shapes: Sequence[Shape], setup: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SHAPE_TABLES}
    for s in shapes:
        plan = s.plan or (None, None, None)
        rows["s_contract"].append(
            (
                s.shape_id,
                s.family,
                s.template,
                s.a,
                s.b,
                s.start,
                s.first_due,
                s.principal_days,
                s.principal_outstanding,
                s.next_due,
                s.days_past_due,
                s.bucket,
                s.status,
                s.episode,
                s.delinquent_since,
                s.promise_amount,
                *s.service,
                *plan,
            )
        )
        rows["s_inst"].extend((s.shape_id, *r) for r in s.installments)
        rows["s_pay"].extend((s.shape_id, *r) for r in s.payments)
        rows["s_alloc"].extend((s.shape_id, *r) for r in s.allocations)
        rows["s_charge"].extend((s.shape_id, *r) for r in s.charges)
        rows["s_trans"].extend((s.shape_id, *r) for r in s.transitions)
        rows["s_notice"].extend((s.shape_id, *r) for r in s.notices)
    for template in setup["templates"]:
        product, terms = setup["products"][template.product_code]
        rows["s_template"].append(
            (
                template.index,
                product.pk,
                terms.pk,
                template.principal,
                product.annual_interest_rate,
                product.schedule_method,
                product.grace_days,
                product.penalty_daily_rate,
                product.late_fee_kind,
                product.late_fee_value,
                product.late_fee_cap,
                product.cost_cap_annual_rate,
                json.dumps(list(product.allocation_order)),
                product.suspension_notice_after_days,
                product.suspension_notice_days,
                product.charge_off_dpd,
                product.plan_break_days,
            )
        )
    return rows


# Per block of n: which shape each contract is (family, template, a, b) and who its customer is.
CHUNK_SQL = """
CREATE TEMP TABLE chunk ON COMMIT DROP AS
WITH g AS (
  SELECT n, abs(hashint4(n)::bigint) AS h, abs(hashint4(-n)::bigint) AS h2,
         abs(hashint4(n # 1431655765)::bigint) AS h3,
         CASE WHEN n % 200 = 5 THEN 'p' WHEN n % 5 = 0 THEN 'o' ELSE 'c' END AS family
  FROM generate_series(%(lo)s::int, %(hi)s::int) AS n
), k AS (
  SELECT n, h, h2, h3, family,
         CASE WHEN h % 20 < {b0} THEN 0 WHEN h % 20 < {b1} THEN 1 WHEN h % 20 < {b2} THEN 2 ELSE 3 END AS t,
         CASE family WHEN 'o' THEN (h / 20) % 3 + 1 WHEN 'c' THEN (h / 20) % 6 + 1 ELSE 0 END AS a,
         CASE family WHEN 'o' THEN (n / 5) % 180 + 1 WHEN 'c' THEN n % 28 ELSE (n / 200) % 60 + 1 END AS b
  FROM g
)
SELECT k.n, k.h, k.h2, sc.*,
       %(cbase)s + k.n AS contract_id, %(ubase)s + k.n AS user_id, %(prbase)s + k.n AS profile_id,
       ((k.h2 / 100) % 20 = 0) AS us,
       CASE WHEN (k.h2 / 100) % 20 IN (0, 1) THEN 'en' ELSE 'zh-hans' END AS lang,
       CASE WHEN (k.h2 / 100) % 20 = 0
            THEN (ARRAY['America/New_York', 'America/Chicago', 'America/Los_Angeles'])[(k.h2 / 2000) % 3 + 1]
            ELSE 'Asia/Shanghai' END AS tz,
       CASE WHEN (k.h2 / 100) % 20 = 0 THEN '+1312' || lpad(k.n::text, 7, '0')
            ELSE '+86139' || lpad(k.n::text, 8, '0') END AS phone,
       'c' || k.n || '@{domain}' AS login_email,
       ((k.h3 / 100) % 10 <> 9) AS has_email,
       (sc.family = 'o' AND (k.h3 / 7) % 10 = 0) AS on_hold,
       (sc.family = 'o' AND (k.h3 / 7) % 20 = 1) AS promised,
       (k.h3 % 100 < 3) AS has_preference,
       (k.h3 / 1000) % 4 AS preference_kind,
       (k.h3 % 100 < 3 AND (k.h3 / 1000) % 4 IN (0, 3)) AS prefers_email,
       tp.product_id, tp.terms_id, tp.principal, tp.annual_rate, tp.schedule_method, tp.grace_days,
       tp.penalty_daily_rate, tp.late_fee_kind, tp.late_fee_value, tp.late_fee_cap, tp.cost_cap_annual_rate,
       tp.allocation_order, tp.suspension_notice_after_days, tp.suspension_notice_days, tp.charge_off_dpd,
       tp.plan_break_days
FROM k
JOIN s_contract sc ON sc.family = k.family AND sc.t = k.t AND sc.a = k.a AND sc.b = k.b
JOIN s_template tp ON tp.t = k.t;
"""

NOON = "((%(d)s::date + {day})::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Shanghai'"

INSERT_SQL = [
    # customers
    """
INSERT INTO accounts_user (id, password, last_login, is_superuser, email, phone, full_name, is_staff, is_active,
                           date_joined, language)
SELECT user_id, '!bench', NULL, false, login_email, phone, '', false, true, {start_noon}, lang FROM chunk;
""",
    """
INSERT INTO accounts_customerprofile (id, customer_number, legal_name, national_id_encrypted, national_id_masked,
  national_id_digest, phone, email, postal_address, timezone, language, jurisdiction, created_at, updated_at, user_id,
  alternate_phones)
SELECT profile_id, 'B' || lpad(n::text, 9, '0'),
       CASE WHEN us THEN (ARRAY['Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley'])[n % 5 + 1] || ' '
                         || (ARRAY['Smith', 'Johnson', 'Lee', 'Brown', 'Garcia'])[(n / 5) % 5 + 1]
            ELSE (ARRAY['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'])[n % 10 + 1]
                 || (ARRAY['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋'])[(n / 10) % 10 + 1]
                 || (ARRAY['', '华', '明', '红', '平'])[(n / 100) % 5 + 1] END,
       '', '', '', phone, CASE WHEN has_email THEN login_email ELSE '' END,
       CASE WHEN us THEN (n % 900 + 100) || ' Main St, Chicago, IL'
            ELSE '上海市浦东新区世纪大道' || (n % 900 + 100) || '号' END,
       tz, lang, CASE WHEN us THEN 'US-REGF' ELSE 'CN' END, {start_noon}, {start_noon}, user_id, '[]'::jsonb
FROM chunk;
""",
    """
INSERT INTO accounts_contactpreference (id, preferred_channel, opt_outs, inconvenient_times, late_contact_consent,
  cease_requested_on, attorney_name, updated_at, profile_id, reduced_contact_limits)
SELECT %(pfbase)s + n, CASE WHEN prefers_email THEN 'email' ELSE 'sms' END,
       (ARRAY['["sms"]', '["email"]', '["call"]', '[]'])[preference_kind + 1]::jsonb,
       (ARRAY['[]', '[]', '["12:00-13:30"]', '["21:00-22:00"]'])[preference_kind + 1]::jsonb,
       false, NULL, '', {start_noon}, profile_id, false
FROM chunk WHERE has_preference;
""",
    # contracts and plans
    """
INSERT INTO contracts_contract (id, number, currency, principal, annual_rate, term, schedule_method, start_date,
  first_due_date, signed_at, grace_days, penalty_daily_rate, late_fee_kind, late_fee_value, late_fee_cap,
  cost_cap_annual_rate, allocation_order, suspension_notice_after_days, suspension_notice_days, charge_off_dpd,
  plan_break_days, status, days_past_due, bucket, delinquency_episode, delinquent_since, accrued_through,
  principal_days, credit_balance, principal_outstanding, next_due_date, service_state, service_notice_date,
  service_effective_date, service_suspended_since, service_reason, created_at, customer_id, product_id, terms_id)
SELECT contract_id, 'BN' || lpad(n::text, 9, '0'), 'CNY', principal, annual_rate, {term}, schedule_method,
       %(d)s::date + start_off, %(d)s::date + first_due_off, {start_noon}, grace_days, penalty_daily_rate,
       late_fee_kind, late_fee_value, late_fee_cap, cost_cap_annual_rate, allocation_order,
       suspension_notice_after_days, suspension_notice_days, charge_off_dpd, plan_break_days,
       status, days_past_due, bucket, episode, %(d)s::date + delinquent_since_off, %(d)s::date - 1,
       principal_days, 0, principal_outstanding, %(d)s::date + next_due_off,
       CASE WHEN on_hold AND service_state <> 'allowed' THEN 'allowed' ELSE service_state END,
       CASE WHEN on_hold THEN NULL ELSE %(d)s::date + service_notice_off END,
       CASE WHEN on_hold THEN NULL ELSE %(d)s::date + service_effective_off END,
       CASE WHEN on_hold THEN NULL ELSE %(d)s::date + service_suspended_off END,
       CASE WHEN on_hold THEN '' ELSE service_reason END,
       {start_noon}, profile_id, product_id, terms_id
FROM chunk;
""",
    """
INSERT INTO contracts_repaymentplan (id, status, months, first_due_date, waive_penalty, waive_fees, waiver_amount,
  requires_approval, reason, evidence, proposed_on, activated_on, closed_on, snapshot, created_at, approved_by_id,
  contract_id, proposed_by_id)
SELECT %(planbase)s + n, 'active', {plan_months}, %(d)s::date + plan_first_due_off, false, false, 0, false,
       '收入下降，申请分期', '', %(d)s::date + plan_on_off, %(d)s::date + plan_on_off, NULL, plan_snapshot,
       {plan_noon}, NULL, contract_id, NULL
FROM chunk WHERE family = 'p';
""",
    """
INSERT INTO contracts_installment (id, seq, due_date, principal_due, interest_due, principal_paid, interest_paid,
  penalty_accrued, penalty_paid, penalty_waived, fee_charged, fee_paid, fee_waived, interest_waived,
  principal_waived, late_fee_assessed, superseded_on, settled_on, overdue_amount_days, late_charges, contract_id,
  plan_id)
SELECT %(ibase)s + (c.n - 1) * {slots} + i.slot, i.seq, %(d)s::date + i.due_off, i.principal_due, i.interest_due,
       i.principal_paid, i.interest_paid, i.penalty_accrued, i.penalty_paid, i.penalty_waived, i.fee_charged,
       i.fee_paid, i.fee_waived, i.interest_waived, i.principal_waived, i.late_fee_assessed,
       %(d)s::date + i.superseded_off, %(d)s::date + i.settled_off, i.overdue_amount_days, i.late_charges,
       c.contract_id,
       CASE WHEN i.is_plan THEN %(planbase)s + c.n END
FROM chunk c JOIN s_inst i ON i.shape_id = c.shape_id;
""",
    # money
    """
INSERT INTO contracts_payment (id, channel, external_reference, amount, currency, received_at, business_date,
  status, reversed_at, reversal_reason, created_at, contract_id, posted_by_id)
SELECT %(pbase)s + (c.n - 1) * {pay_stride} + p.pseq, 'bank_transfer', 'bench-' || c.n || '-' || p.pseq,
       p.amount, 'CNY', {pay_noon}, %(d)s::date + p.on_off, 'posted', NULL, '', {pay_noon}, c.contract_id, NULL
FROM chunk c JOIN s_pay p ON p.shape_id = c.shape_id;
""",
    """
INSERT INTO contracts_allocationline (id, component, amount, applied_on, from_credit, contract_id, installment_id,
  payment_id)
SELECT %(abase)s + (c.n - 1) * {alloc_stride} + a.aseq, a.component, a.amount, %(d)s::date + a.applied_off,
       a.from_credit, c.contract_id, %(ibase)s + (c.n - 1) * {slots} + a.slot,
       %(pbase)s + (c.n - 1) * {pay_stride} + a.pseq
FROM chunk c JOIN s_alloc a ON a.shape_id = c.shape_id;
""",
    """
INSERT INTO contracts_chargeentry (id, kind, from_date, to_date, days, base_amount, rate, amount, capped,
  cap_amount_days, contract_id, installment_id)
SELECT %(chbase)s + (c.n - 1) * {charge_stride} + e.cseq, e.kind, %(d)s::date + e.from_off, %(d)s::date + e.to_off,
       e.days, e.base_amount, e.rate, e.amount, e.capped, e.cap_amount_days, c.contract_id,
       %(ibase)s + (c.n - 1) * {slots} + e.slot
FROM chunk c JOIN s_charge e ON e.shape_id = c.shape_id;
""",
    """
INSERT INTO contracts_delinquencytransition (id, on_date, from_status, to_status, event, days_past_due, episode,
  contract_id)
SELECT %(trbase)s + (c.n - 1) * {trans_stride} + t.tseq, %(d)s::date + t.on_off, t.from_status, t.to_status,
       t.event, t.days_past_due, t.episode, c.contract_id
FROM chunk c JOIN s_trans t ON t.shape_id = c.shape_id;
""",
    # collection
    """
INSERT INTO contracts_collectionhold (id, reason, source, placed_on, released_on, contract_id, placed_by_id)
SELECT %(hbase)s + n, (ARRAY['dispute', 'hardship', 'complaint', 'appeal'])[(h2 / 20) % 4 + 1], '',
       ((%(d)s::date - ((h2 / 80) % 10 + 1)::int)::timestamp + interval '10 hours') AT TIME ZONE 'Asia/Shanghai',
       NULL, contract_id, NULL
FROM chunk WHERE on_hold;
""",
    """
INSERT INTO contracts_promisetopay (id, amount, promised_date, status, recorded_on, paid_towards, resolved_on, note,
  contract_id, recorded_by_id)
SELECT %(ptpbase)s + n, promise_amount, %(d)s::date - 1 + ((h2 / 20) % 8)::int, 'open', %(d)s::date - 3, 0, NULL,
       '客户电话承诺', contract_id, NULL
FROM chunk WHERE promised;
""",
    """
INSERT INTO notices_notice (id, idempotency_key, purpose, channel, locale, recipient, subject, body, context, status,
  reason_codes, scheduled_for, next_attempt_at, queued_at, attempts, last_error, provider_message_id, sent_at,
  delivered_at, read_at, document, created_at, contract_id, customer_id, step_id, template_id)
SELECT %(nbase)s + (x.n - 1) * {notice_stride} + x.nidx * 4 + x.k,
       'c' || x.contract_id || ':e' || x.episode || ':' || x.step_code || ':' || x.channel,
       x.purpose, x.channel, x.lang,
       CASE x.channel WHEN 'email' THEN x.login_email WHEN 'letter' THEN '' WHEN 'in_app' THEN '' ELSE x.phone END,
       nt.subject, nt.body, '{{}}'::jsonb, 'sent', '[]'::jsonb, x.at, x.at, x.at, 1, '',
       'bench-' || x.contract_id || '-' || x.nidx || '-' || x.k, x.at, NULL, NULL, '', x.at, x.contract_id,
       x.profile_id, x.step_id, nt.id
FROM (
  SELECT c.n, c.contract_id, c.profile_id, c.episode, c.lang, c.login_email, c.phone, s.nidx, s.step_id, s.step_code,
         s.purpose, ch.k - 1 AS k,
         CASE WHEN ch.channel = 'sms' AND s.single_electronic AND c.prefers_email AND c.has_email THEN 'email'
              ELSE ch.channel END AS channel,
         ((%(d)s::date + s.fired_off)::timestamp + interval '20 hours') AT TIME ZONE 'Asia/Shanghai' AS at
  FROM chunk c
  JOIN s_notice s ON s.shape_id = c.shape_id
  CROSS JOIN LATERAL jsonb_array_elements_text(s.channels) WITH ORDINALITY AS ch(channel, k)
  WHERE NOT c.on_hold
) x
JOIN notices_noticetemplate nt ON nt.purpose = x.purpose AND nt.channel = x.channel AND nt.locale = x.lang
                               AND nt.is_active;
""",
    # A US debt that entered collection on an earlier night was given its validation notice
    # (12 CFR 1006.34) that night, by mail, before any other collection communication; only the
    # debts entering collection tonight are left for tonight's batch to issue.
    """
INSERT INTO notices_validationnotice (id, reference, locale, channel, currency, itemization_basis, itemization_date,
  owed_at_itemization, interest_since, fees_since, payments_credits_since, owed_now, collector_name,
  collector_address, collector_phone, collector_hours, dispute_url, creditor_name, original_creditor_name,
  original_creditor_address, product_name, account_number_masked, consumer_name, consumer_address, issued_on,
  initial_communication_at, sent_at, assumed_received_on, validation_period_end, created_at, contract_id,
  customer_id, notice_id)
SELECT %(vnbase)s + n, 'VNB' || lpad(n::text, 9, '0'), 'en', 'letter', 'CNY', 'last_statement',
       %(d)s::date + vn_off, principal_outstanding, 0, 0, 0, principal_outstanding,
       'Fairdue Collections', '1 Example Plaza, Chicago, IL', '', '', '', 'Fairdue', '', '', 'Installment loan',
       '****' || right(n::text, 4), 'Bench customer', (n % 900 + 100) || ' Main St, Chicago, IL',
       %(d)s::date + vn_off, NULL, {vn_noon}, %(d)s::date + vn_off + 5, %(d)s::date + vn_off + 35, {vn_noon},
       contract_id, profile_id, NULL
FROM (SELECT *, coalesce(delinquent_since_off, first_due_off + 1) AS vn_off FROM chunk) c
WHERE us AND episode > 0;
""",
]


def _format_sql(strides: dict[str, int]) -> tuple[str, list[str]]:
    names = {
        "start_noon": "((%(d)s::date + start_off)::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Shanghai'",
        "plan_noon": "((%(d)s::date + plan_on_off)::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Shanghai'",
        "pay_noon": "((%(d)s::date + p.on_off)::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Shanghai'",
        "vn_noon": "((%(d)s::date + vn_off)::timestamp + interval '21 hours') AT TIME ZONE 'Asia/Shanghai'",
        "term": str(TERM),
        "plan_months": str(PLAN_MONTHS),
        "slots": str(INSTALLMENT_SLOTS),
        **{k: str(v) for k, v in strides.items()},
    }
    chunk = CHUNK_SQL.format(b0=TEMPLATE_BOUNDS[0], b1=TEMPLATE_BOUNDS[1], b2=TEMPLATE_BOUNDS[2], domain=EMAIL_DOMAIN)
    # psycopg reads % as a placeholder: the SQL's modulo operators are written " % ".
    return chunk.replace(" % ", " %% "), [sql.format(**names).replace(" % ", " %% ") for sql in INSERT_SQL]


# --- connections ---------------------------------------------------------------------------------
def connect(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A plain psycopg connection to Django's default database (the test database under pytest)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        autocommit=autocommit,
    )


def is_superuser(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    return bool(row and row[0])


def _copy_rows(conn: psycopg.Connection[Any], table: str, rows: Sequence[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as copy_:
        for row in rows:
            copy_.write_row(row)


def _load_shapes(conn: psycopg.Connection[Any], rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for name, columns in SHAPE_TABLES.items():
        conn.execute(f"CREATE TEMP TABLE {name} ({columns})")
        _copy_rows(conn, name, rows[name])
    conn.execute("CREATE INDEX ON s_contract (family, t, a, b)")
    for name in SHAPE_TABLES:
        conn.execute(f"ANALYZE {name}")
    conn.commit()


def _bases(conn: psycopg.Connection[Any]) -> dict[str, int]:
    keys = {
        "ubase": "accounts_user",
        "prbase": "accounts_customerprofile",
        "pfbase": "accounts_contactpreference",
        "cbase": "contracts_contract",
        "ibase": "contracts_installment",
        "pbase": "contracts_payment",
        "abase": "contracts_allocationline",
        "chbase": "contracts_chargeentry",
        "trbase": "contracts_delinquencytransition",
        "planbase": "contracts_repaymentplan",
        "ptpbase": "contracts_promisetopay",
        "hbase": "contracts_collectionhold",
        "nbase": "notices_notice",
        "vnbase": "notices_validationnotice",
    }
    bases = {}
    for key, table in keys.items():
        # Past ids too: a sequence may be ahead of max(id) after deletes.
        row = conn.execute(
            f"SELECT greatest(coalesce(max(id), 0), (SELECT last_value FROM {_sequence(conn, table)})) FROM {table}"
        ).fetchone()
        bases[key] = int(row[0]) if row else 0
    return bases


def _sequence(conn: psycopg.Connection[Any], table: str) -> str:
    row = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()
    assert row and row[0], table
    return str(row[0])


# --- reset -------------------------------------------------------------------------------------
def reset(conn: psycopg.Connection[Any]) -> list[str]:
    """Empty the contract and customer tables and every table that refers to them (found from
    the foreign keys), then delete the bench users. Never the audit log: it refuses TRUNCATE
    and is left as it is; its old events only name ids. The nightly batch's records (sweep runs,
    nights and their ranges) go too."""
    # The nightly batch's own records name contract ids without a foreign key: a night already
    # on record would make the benchmark night a no-op.
    tables = {"contracts_contract", "accounts_customerprofile", "contracts_sweeprun", "notices_nightlyrun"}
    while True:
        rows = conn.execute(
            """SELECT DISTINCT src.relname FROM pg_constraint con
               JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
               WHERE con.contype = 'f' AND dst.relname = ANY(%s)""",
            [sorted(tables)],
        ).fetchall()
        more = {r[0] for r in rows} - tables
        if not more:
            break
        tables |= more
    refused = sorted(t for t in tables if t.startswith("audit_"))
    if refused:
        raise SystemExit(f"refusing to reset: the audit tables {refused} refer to the contract tables")
    conn.execute("TRUNCATE " + ", ".join(sorted(tables)))
    if is_superuser(conn):
        # The users' other referring tables (login codes, staff rows) never point at bench users.
        conn.execute("SET LOCAL session_replication_role = replica")
    conn.execute("DELETE FROM accounts_user WHERE email LIKE %s", [f"%@{EMAIL_DOMAIN}"])
    conn.commit()
    return sorted(tables)


# --- the load ------------------------------------------------------------------------------------
def _stride(shapes: Sequence[Shape], attr: str, extra: int = 0) -> int:
    return max([len(getattr(s, attr)) for s in shapes] + [1]) + extra


def generate(
    *,
    contracts: int,
    business_date: dt.date = DEFAULT_BUSINESS_DATE,
    reset_first: bool = False,
    jobs: int = 2,
    vacuum: bool = True,
    check: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Write the portfolio; returns the row counts and the seconds of each phase."""
    from contracts.models import Contract

    timings: dict[str, float] = {}
    started = time.perf_counter()
    with connect() as conn:
        if Contract.objects.exists():
            if not reset_first:
                raise SystemExit("the database already holds contracts: use --reset (a bench database only)")
            emptied = reset(conn)
            log(f"reset: emptied {len(emptied)} tables")
        timings["reset"] = time.perf_counter() - started
    mark = time.perf_counter()
    setup = ensure_setup()
    shapes = build_shapes(setup)
    rows = shape_rows(shapes, setup)
    timings["shapes"] = time.perf_counter() - mark
    log(f"{len(shapes)} contract shapes from the ledger engine in {timings['shapes']:.1f}s")
    strides = {
        "pay_stride": _stride(shapes, "payments"),
        "alloc_stride": _stride(shapes, "allocations"),
        "charge_stride": _stride(shapes, "charges"),
        "trans_stride": _stride(shapes, "transitions"),
        "notice_stride": (_stride(shapes, "notices") + len(setup["steps"])) * 4,
    }
    chunk_sql, insert_sql = _format_sql(strides)
    with connect() as conn:
        bases = _bases(conn)
        replica = is_superuser(conn) and not check
    blocks: queue.Queue[tuple[int, int]] = queue.Queue()
    for lo in range(1, contracts + 1, CHUNK):
        blocks.put((lo, min(lo + CHUNK - 1, contracts)))
    errors: list[BaseException] = []
    mark = time.perf_counter()

    def worker() -> None:
        try:
            with connect() as conn:
                conn.execute("SET synchronous_commit = off")
                if replica:
                    conn.execute("SET session_replication_role = replica")
                conn.commit()
                _load_shapes(conn, rows)
                while not errors:
                    try:
                        lo, hi = blocks.get_nowait()
                    except queue.Empty:
                        return
                    params = {"lo": lo, "hi": hi, "d": business_date, **bases}
                    with conn.cursor() as cur:
                        cur.execute(chunk_sql, params)
                        for sql in insert_sql:
                            cur.execute(sql, params)
                    conn.commit()
        except BaseException as exc:  # reported by the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    timings["load"] = time.perf_counter() - mark
    log(f"loaded {contracts:,} contracts in {timings['load']:.1f}s ({jobs} connections, replica={replica})")
    with connect(autocommit=True) as conn:
        for table in PRODUCT_TABLES:
            seq = _sequence(conn, table)
            conn.execute(f"SELECT setval('{seq}', greatest((SELECT coalesce(max(id), 0) FROM {table}), 1))")
        if check:
            _check_references(conn)
        counts = {
            table: int(row[0]) if (row := conn.execute(f"SELECT count(*) FROM {table}").fetchone()) else 0
            for table in PRODUCT_TABLES
        }
    if vacuum:
        mark = time.perf_counter()
        vacuum_analyze(PRODUCT_TABLES, jobs=jobs)
        timings["vacuum"] = time.perf_counter() - mark
        log(f"VACUUM ANALYZE in {timings['vacuum']:.1f}s")
    timings["total"] = time.perf_counter() - started
    return {"contracts": contracts, "counts": counts, "seconds": timings, "replica": replica}


def vacuum_analyze(tables: Sequence[str], *, jobs: int = 2) -> None:
    todo: queue.Queue[str] = queue.Queue()
    for table in sorted(tables, key=lambda t: t != "contracts_installment"):  # the largest first
        todo.put(table)

    def worker() -> None:
        with connect(autocommit=True) as conn:
            while True:
                try:
                    table = todo.get_nowait()
                except queue.Empty:
                    return
                conn.execute(f"VACUUM (ANALYZE) {table}")

    threads = [threading.Thread(target=worker) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _check_references(conn: psycopg.Connection[Any]) -> None:
    """Every foreign key of the written tables points at an existing row (what the triggers
    skipped under the replica role would have checked)."""
    rows = conn.execute(
        """SELECT src.relname, a.attname, dst.relname FROM pg_constraint con
           JOIN pg_class src ON src.oid = con.conrelid JOIN pg_class dst ON dst.oid = con.confrelid
           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
           WHERE con.contype = 'f' AND src.relname = ANY(%s)""",
        [list(PRODUCT_TABLES)],
    ).fetchall()
    for table, column, target in rows:
        missing = conn.execute(
            f"SELECT count(*) FROM {table} s WHERE s.{column} IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = s.{column})"
        ).fetchone()
        if missing and missing[0]:
            raise AssertionError(f"{missing[0]} rows of {table}.{column} point at no {target}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, required=True)
    parser.add_argument("--business-date", type=dt.date.fromisoformat, default=DEFAULT_BUSINESS_DATE)
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    parser.add_argument("--reset", action="store_true", help="empty the contract and customer tables first")
    parser.add_argument("--jobs", type=int, default=2, help="connections loading id blocks in parallel")
    parser.add_argument("--check", action="store_true", help="keep the foreign-key triggers and verify references")
    parser.add_argument("--no-vacuum", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line at the end")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/portfolio.py needs PostgreSQL (DATABASE_URL or --database-url)")
    result = generate(
        contracts=args.contracts,
        business_date=args.business_date,
        reset_first=args.reset,
        jobs=args.jobs,
        vacuum=not args.no_vacuum,
        check=args.check,
    )
    total = result["seconds"]["total"]
    print(f"portfolio: {args.contracts:,} contracts for {args.business_date} in {total:.1f}s")
    for table, count in result["counts"].items():
        print(f"  {table:<36} {count:>12,}")
    if args.json:
        buffer = io.StringIO()
        json.dump({**result, "business_date": args.business_date.isoformat()}, buffer, default=str)
        print(buffer.getvalue())


if __name__ == "__main__":
    main()
