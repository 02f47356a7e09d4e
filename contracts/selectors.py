"""Reads of contracts: access-checked lookups, balances with explanations, service eligibility,
payoff amounts, the sweep's id ranges and repayment plan previews.

Balances read the installment projection the ledger keeps (charges accrued through the last
sweep) with one query for the installments and one for the charges, whatever their number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from core.errors import ApplicationError, NotFoundError

from . import ledger
from . import ledger_store as store
from .codes import ContractsError
from .models import (
    ChargeEntry,
    CollectionHold,
    Contract,
    ContractStatus,
    Installment,
    Payment,
    PlanStatus,
    PromiseStatus,
    PromiseToPay,
    RepaymentPlan,
    ServiceState,
)
from .schedules import add_months

ZERO = Decimal("0.00")
COMPONENTS = ("principal", "interest", "penalty", "fee")


def contracts_for_customer(*, customer: CustomerProfile) -> QuerySet[Contract]:
    return Contract.objects.filter(customer=customer).select_related("product").order_by("-start_date", "id")


_open_holds = CollectionHold.objects.filter(contract=OuterRef("pk"), released_on__isnull=True)


def contract_get_for_user(*, user: User, pk: int) -> Contract:
    """A customer's own contract; anyone else's answers not found (never forbidden)."""
    contract = (
        Contract.objects.filter(pk=pk, customer__user=user)
        .select_related("product", "terms", "customer")
        .annotate(has_open_hold=Exists(_open_holds))
        .first()
        if user.is_authenticated
        else None
    )
    if contract is None:
        raise NotFoundError(code=ContractsError.CONTRACT_NOT_FOUND, message=_("Contract not found."))
    return contract


PLAN_LIST_FIELDS = ("id", "contract", "status", "months", "proposed_on", "created_at")
PLAN_ID_ALIAS = "joined_plan_id"  # NULL on the one row of a contract without plans


def contract_with_plans_get_for_user(*, user: User, pk: int) -> tuple[Contract, list[RepaymentPlan]]:
    """A customer's own contract and its repayment plans, newest first, in one query: the
    contract (with product, terms, customer, and whether a collection hold is open) joined to
    each of its plans (one row per plan, or one row without a plan). Anyone else's contract
    answers not found. Only the plan fields the page lists are read (the others load on
    access): each joined column costs query building."""
    plan_fields = [field for field in RepaymentPlan._meta.concrete_fields if field.name in PLAN_LIST_FIELDS]
    rows = (
        list(
            Contract.objects.filter(pk=pk, customer__user=user)
            .select_related("product", "terms", "customer")
            .annotate(has_open_hold=Exists(_open_holds))
            .annotate(**{f"joined_plan_{f.attname}": F(f"plans__{f.name}") for f in plan_fields})
        )
        if user.is_authenticated
        else []
    )
    if not rows:
        raise NotFoundError(code=ContractsError.CONTRACT_NOT_FOUND, message=_("Contract not found."))
    names = [f.attname for f in plan_fields]
    plans = [
        RepaymentPlan.from_db("default", names, [getattr(row, f"joined_plan_{name}") for name in names])
        for row in rows
        if getattr(row, PLAN_ID_ALIAS) is not None
    ]
    plans.sort(key=lambda plan: (plan.created_at, plan.pk), reverse=True)
    return rows[0], plans


@dataclass
class Split:
    overdue: Decimal = ZERO
    due_now: Decimal = ZERO
    not_yet_due: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.overdue + self.due_now + self.not_yet_due


@dataclass
class InstallmentView:
    row: Installment
    outstanding: dict[str, Decimal]
    paid: dict[str, Decimal]
    total_due: Decimal
    total_outstanding: Decimal
    state: str  # paid | overdue | due | upcoming | restructured


@dataclass
class ChargeExplanation:
    installment_seq: int
    kind: str
    amount: Decimal
    from_date: dt.date
    to_date: dt.date
    text: str


@dataclass
class Balance:
    as_of: dt.date
    components: dict[str, Split] = field(default_factory=lambda: {c: Split() for c in COMPONENTS})
    credit: Decimal = ZERO
    days_past_due: int = 0
    next_due_date: dt.date | None = None
    next_due_amount: Decimal = ZERO
    installments: list[InstallmentView] = field(default_factory=list)

    @property
    def overdue(self) -> Decimal:
        return sum((s.overdue for s in self.components.values()), ZERO)

    @property
    def due_now(self) -> Decimal:
        return sum((s.due_now for s in self.components.values()), ZERO)

    @property
    def not_yet_due(self) -> Decimal:
        return sum((s.not_yet_due for s in self.components.values()), ZERO)

    @property
    def total(self) -> Decimal:
        return self.overdue + self.due_now + self.not_yet_due

    @property
    def payoff(self) -> Decimal:
        """Settles everything: all principal, charges and interest already due, less credit."""
        interest_future = self.components["interest"].not_yet_due
        return max(self.total - interest_future - self.credit, ZERO)

    @property
    def pay_now(self) -> Decimal:
        """What brings the contract up to date today."""
        return max(self.overdue + self.due_now - self.credit, ZERO)


def _outstanding(row: Installment) -> dict[str, Decimal]:
    return {
        "principal": row.principal_due - row.principal_paid - row.principal_waived,
        "interest": row.interest_due - row.interest_paid - row.interest_waived,
        "penalty": row.penalty_accrued - row.penalty_paid - row.penalty_waived,
        "fee": row.fee_charged - row.fee_paid - row.fee_waived,
    }


def _balance_from_rows(rows: list[Installment], credit: Decimal, as_of: dt.date) -> Balance:
    balance = Balance(as_of=as_of, credit=credit)
    oldest_overdue: dt.date | None = None
    for row in sorted(rows, key=lambda r: (r.due_date, r.seq, r.pk)):
        outstanding = _outstanding(row)
        total_outstanding = sum(outstanding.values(), ZERO)
        paid = {
            "principal": row.principal_paid,
            "interest": row.interest_paid,
            "penalty": row.penalty_paid,
            "fee": row.fee_paid,
        }
        if row.superseded_on is not None:
            state = "restructured"
        elif total_outstanding == ZERO:
            state = "paid"
        elif row.due_date < as_of:
            state = "overdue"
        elif row.due_date == as_of:
            state = "due"
        else:
            state = "upcoming"
        balance.installments.append(
            InstallmentView(
                row=row,
                outstanding=outstanding,
                paid=paid,
                total_due=row.principal_due + row.interest_due + row.penalty_accrued + row.fee_charged,
                total_outstanding=total_outstanding,
                state=state,
            )
        )
        if row.superseded_on is not None or total_outstanding == ZERO:
            continue
        for component, amount in outstanding.items():
            split = balance.components[component]
            if row.due_date < as_of:
                split.overdue += amount
            elif row.due_date == as_of:
                split.due_now += amount
            else:
                split.not_yet_due += amount
        if row.due_date < as_of and oldest_overdue is None:
            oldest_overdue = row.due_date
        if row.due_date >= as_of and balance.next_due_date is None:
            balance.next_due_date = row.due_date
            balance.next_due_amount = total_outstanding
    balance.days_past_due = (as_of - oldest_overdue).days if oldest_overdue else 0
    return balance


def balance_from_rows(*, rows: list[Installment], credit: Decimal, as_of: dt.date) -> Balance:
    """A contract's balance from its installments already loaded (list pages prefetch them)."""
    return _balance_from_rows(rows, credit, as_of)


def contract_balance(*, contract: Contract, as_of: dt.date | None = None) -> Balance:
    """Principal, interest, penalty and fees, split into overdue / due now / not yet due."""
    rows = list(Installment.objects.filter(contract=contract))
    return _balance_from_rows(rows, contract.credit_balance, as_of or timezone.localdate())


@dataclass
class PromiseView:
    """A promise to pay as the customer sees it on the dashboard."""

    pk: int
    amount: Decimal
    promised_date: dt.date
    status: str
    paid_towards: Decimal


@dataclass
class CustomerContractSummary:
    contract: Contract
    balance: Balance
    active_plan: RepaymentPlan | None
    on_hold: bool = False
    # The promise to pay the customer sees: the open one, else one decided recently.
    promise: PromiseView | None = None

    @property
    def state(self) -> str:
        """What the customer should know first about this contract."""
        c = self.contract
        if c.status == "paid_off":
            return "paid_off"
        if c.status == "charged_off":
            return "charged_off"
        if c.service_state == ServiceState.SUSPENDED:
            return "service_suspended"
        if self.on_hold:
            return "on_hold"
        if self.active_plan is not None:
            return "on_plan"
        if self.balance.days_past_due > 0:
            return "overdue"
        return "current"


# Promises to pay kept or broken this recently are still shown to the customer with the outcome.
PROMISE_SHOWN_DAYS = 30
_PROMISE_FIELDS = ("pk", "amount", "promised_date", "status", "paid_towards")


def _promise_annotations(day: dt.date) -> dict[str, Any]:
    """The contract's promise to show (open first, then the latest decided within
    ``PROMISE_SHOWN_DAYS``) as columns of the contracts query itself, so the dashboard keeps its
    query count."""
    shown = (
        PromiseToPay.objects.filter(contract_id=OuterRef("pk"))
        .filter(Q(status=PromiseStatus.OPEN) | Q(resolved_on__gte=day - dt.timedelta(days=PROMISE_SHOWN_DAYS)))
        .annotate(is_open=Case(When(status=PromiseStatus.OPEN, then=Value(0)), default=Value(1)))
        .order_by("is_open", "-promised_date", "-id")
    )
    return {f"shown_promise_{name}": Subquery(shown.values(name)[:1]) for name in _PROMISE_FIELDS}


def _promise_of(contract: Contract) -> PromiseView | None:
    pk = getattr(contract, "shown_promise_pk", None)
    if pk is None:
        return None
    return PromiseView(
        pk=pk,
        amount=contract.shown_promise_amount,  # type: ignore[attr-defined]
        promised_date=contract.shown_promise_promised_date,  # type: ignore[attr-defined]
        status=contract.shown_promise_status,  # type: ignore[attr-defined]
        paid_towards=contract.shown_promise_paid_towards,  # type: ignore[attr-defined]
    )


def customer_overview(*, customer: CustomerProfile, as_of: dt.date | None = None) -> list[CustomerContractSummary]:
    """Every contract of a customer with its balance and the promise to pay to show: four
    queries in all."""
    day = as_of or timezone.localdate()
    contracts = list(
        contracts_for_customer(customer=customer)
        .prefetch_related(
            Prefetch("installments", queryset=Installment.objects.order_by("due_date", "seq"), to_attr="rows"),
            Prefetch("plans", queryset=RepaymentPlan.objects.filter(status=PlanStatus.ACTIVE), to_attr="active_plans"),
            Prefetch("holds", queryset=CollectionHold.objects.filter(released_on__isnull=True), to_attr="open_holds"),
        )
        .annotate(**_promise_annotations(day))
    )
    return [
        CustomerContractSummary(
            contract=c,
            balance=_balance_from_rows(c.rows, c.credit_balance, day),  # type: ignore[attr-defined]
            active_plan=c.active_plans[0] if c.active_plans else None,  # type: ignore[attr-defined]
            on_hold=bool(c.open_holds),  # type: ignore[attr-defined]
            promise=_promise_of(c),
        )
        for c in contracts
    ]


def contract_charges_explained(*, contract: Contract) -> list[ChargeExplanation]:
    entries = ChargeEntry.objects.filter(contract=contract).select_related("installment").order_by("from_date", "id")
    return [
        ChargeExplanation(
            installment_seq=e.installment.seq,
            kind=e.kind,
            amount=e.amount,
            from_date=e.from_date,
            to_date=e.to_date,
            text=explain_charge(e, contract, e.installment.seq),
        )
        for e in entries
    ]


def contract_payments(*, contract: Contract) -> QuerySet[Payment]:
    return Payment.objects.filter(contract=contract).order_by("-received_at", "-id")


def charges_by_installment(*, contract: Contract) -> dict[int, list[ChargeExplanation]]:
    """The charge explanations grouped by installment, in installment order.

    A plain ``dict``: templates look ``items`` up as a key first, which on a ``defaultdict``
    answers an empty list instead of the method (and so the page showed no explanations)."""
    grouped: dict[int, list[ChargeExplanation]] = defaultdict(list)
    for item in contract_charges_explained(contract=contract):
        grouped[item.installment_seq].append(item)
    return {seq: grouped[seq] for seq in sorted(grouped)}


OPEN_PLAN_STATUSES = (PlanStatus.PROPOSED, PlanStatus.ACTIVE)


def plan_request_refusal(*, contract: Contract, has_open_plan: bool) -> ApplicationError | None:
    """Why a repayment plan cannot be asked for on this contract now, or None if it can.

    The one rule behind both the offer (the contract page shows the button only when this is
    None) and the acceptance (``plan_propose`` raises what this returns): a paid-off or
    charged-off contract takes no plan, and a contract has at most one open plan."""
    if contract.status in (ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF):
        return ApplicationError(
            code=ContractsError.PLAN_NOT_POSSIBLE, message=_("A repayment plan is not possible for this contract.")
        )
    if has_open_plan:
        return ApplicationError(
            code=ContractsError.PLAN_ALREADY_OPEN, message=_("This contract already has an open repayment plan.")
        )
    return None


def contract_summary(*, contract: Contract, balance: Balance, plans: list[RepaymentPlan]) -> CustomerContractSummary:
    """The contract page's summary (the same state the dashboard shows); the open hold comes
    annotated by ``contract_get_for_user`` (else one query)."""
    return CustomerContractSummary(
        contract=contract,
        balance=balance,
        active_plan=next((p for p in plans if p.status == PlanStatus.ACTIVE), None),
        on_hold=(
            contract.has_open_hold  # type: ignore[attr-defined]
            if hasattr(contract, "has_open_hold")
            else CollectionHold.objects.filter(contract=contract, released_on__isnull=True).exists()
        ),
    )


# --- service eligibility -------------------------------------------------------------------------
@dataclass(frozen=True)
class Eligibility:
    state: str  # allowed | notice_given | suspended | restored
    since: dt.date | None = None
    effective_date: dt.date | None = None
    reason: str = ""
    contract_number: str = ""

    @property
    def may_dispatch(self) -> bool:
        return self.state in (ServiceState.ALLOWED, ServiceState.RESTORED, ServiceState.NOTICE_GIVEN)


_SEVERITY = {
    ServiceState.SUSPENDED: 3,
    ServiceState.NOTICE_GIVEN: 2,
    ServiceState.RESTORED: 1,
    ServiceState.ALLOWED: 0,
}


def _eligibility_of(contract: Contract) -> Eligibility:
    state = contract.service_state
    if state == ServiceState.SUSPENDED:
        return Eligibility(state, contract.service_suspended_since, None, contract.service_reason, contract.number)
    if state == ServiceState.NOTICE_GIVEN:
        return Eligibility(
            state,
            contract.service_notice_date,
            contract.service_effective_date,
            contract.service_reason,
            contract.number,
        )
    return Eligibility(state, None, None, contract.service_reason, contract.number)


def service_eligibility(*, contract: Contract | None = None, customer: CustomerProfile | None = None) -> Eligibility:
    """May the field-service system dispatch to this contract or customer?

    For a customer, the most restrictive state across contracts with on-site service
    (suspended > notice given > restored > allowed). Notice given still allows dispatch
    until the effective date.
    """
    if contract is not None:
        return _eligibility_of(contract)
    if customer is None:
        raise ValueError("contract or customer is required")
    states = [
        _eligibility_of(c)
        for c in Contract.objects.filter(customer=customer, product__kind="service_subscription").only(
            "number",
            "service_state",
            "service_notice_date",
            "service_effective_date",
            "service_suspended_since",
            "service_reason",
        )
    ]
    if not states:
        return Eligibility(ServiceState.ALLOWED)
    return max(states, key=lambda e: _SEVERITY[ServiceState(e.state)])


# --- payoff, sweep ranges, plan previews (read by the services; nothing here saves) ------------
def payoff_amount(loaded: store.Loaded, on: dt.date) -> Decimal:
    """What settles the contract on ``on``: everything outstanding except interest not yet due."""
    state = loaded.state
    total = ZERO
    for inst in state.active_installments():
        total += inst.outstanding("principal") + inst.outstanding("penalty") + inst.outstanding("fee")
        if inst.due_date <= on:
            total += inst.outstanding("interest")
    return max(total - state.credit_balance, ZERO)


def contract_payoff(*, contract: Contract, on: dt.date) -> Decimal:
    """``payoff_amount`` of one contract, its ledger loaded for the purpose."""
    return payoff_amount(store.load([contract])[contract.pk], on)


def sweep_ranges(size: int | None = None) -> list[tuple[int, int]]:
    """Consecutive id ranges covering every contract (settings.SWEEP_RANGE_SIZE ids each).

    Paid-off contracts are not swept, but may still have a plan, a promise or a notice to
    decide, so the ranges cover all ids (reading only the primary key's two ends)."""
    size = size or settings.SWEEP_RANGE_SIZE
    bounds = Contract.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


def plan_preview(
    *, contract: Contract, months: int, waive_penalty: bool = False, waive_fees: bool = False, on: dt.date | None = None
) -> dict[str, Any]:
    """The plan a customer would accept: amounts restructured and each month's payment."""
    product = contract.product
    if not product.plan_min_months <= months <= product.plan_max_months:
        raise ApplicationError(
            code=ContractsError.PLAN_MONTHS_OUT_OF_RANGE,
            message=_("Choose between %(low)s and %(high)s months.")
            % {"low": product.plan_min_months, "high": product.plan_max_months},
            field="months",
        )
    day = on or timezone.localdate()
    loaded = store.load([contract])[contract.pk]
    pending = store.Pending()
    store.advance(loaded, day - dt.timedelta(days=1), pending)  # in memory only: nothing is saved
    amounts = ledger.plan_amounts(loaded.state, day, waive_penalty=waive_penalty, waive_fees=waive_fees, months=months)
    first_due = add_months(day, 1, day.day)
    split: dict[str, list[Decimal]] = amounts["split"]  # type: ignore[assignment]
    lines = []
    for n in range(months):
        parts = {c: split[c][n] for c in ledger.COMPONENTS}
        lines.append(
            {
                "seq": n + 1,
                "due_date": add_months(first_due, n, first_due.day),
                **parts,
                "total": sum(parts.values(), ZERO),
            }
        )
    restructured: dict[str, Decimal] = amounts["restructured"]  # type: ignore[assignment]
    waived: dict[str, Decimal] = amounts["waived"]  # type: ignore[assignment]
    return {
        "months": months,
        "first_due_date": first_due,
        "restructured": restructured,
        "total": sum(restructured.values(), ZERO),
        "waived": waived,
        "waiver_total": sum(waived.values(), ZERO),
        "lines": lines,
    }


# --- limitation of actions (12 CFR 1006.26(b); ``contracts.limitation``) ------------------------


def contracts_for_staff(*, user: User) -> QuerySet[Contract]:
    """The contracts a staff user may see: all, or for an agency's user those placed with it now."""
    from accounts.selectors import placed_with_user_agency, user_is_agency

    if user_is_agency(user):
        return Contract.objects.filter(pk__in=Contract.objects.filter(placed_with_user_agency(user)).values("pk"))
    return Contract.objects.all()


def contract_get_for_staff(*, user: User, pk: int) -> Contract:
    """A contract of a customer the staff user may see (``customer_profiles_for_staff``); an
    agency's user only a contract placed with the agency now."""
    contract = contracts_for_staff(user=user).filter(pk=pk).select_related("product", "terms", "customer").first()
    if contract is None:
        raise NotFoundError(code=ContractsError.CONTRACT_NOT_FOUND, message=_("Contract not found."))
    return contract


# Explanations and the cost of credit, and limitation periods, live in their own modules;
# their readers import them from here too.
from .selectors_charges import CostOfCredit as CostOfCredit  # noqa: E402
from .selectors_charges import contract_cost_of_credit as contract_cost_of_credit  # noqa: E402
from .selectors_charges import explain_charge as explain_charge  # noqa: E402
from .selectors_charges import schedule_conventions_shown as schedule_conventions_shown  # noqa: E402
from .selectors_charges import terms_cost_of_credit as terms_cost_of_credit  # noqa: E402
from .selectors_limitation import contract_limitation as contract_limitation  # noqa: E402
from .selectors_limitation import contracts_limitation as contracts_limitation  # noqa: E402
from .selectors_limitation import limitation_facts as limitation_facts  # noqa: E402
from .selectors_limitation import limitation_jurisdictions_missing as limitation_jurisdictions_missing  # noqa: E402
from .selectors_limitation import limitation_periods as limitation_periods  # noqa: E402
from .selectors_limitation import time_barred_contract_numbers as time_barred_contract_numbers  # noqa: E402
