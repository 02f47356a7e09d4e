"""Every write to contracts: one function per business action, each audited.

Ledger rules live in ``contracts.ledger`` (pure); ``contracts.ledger_store`` moves state
between the database and the engine. A service locks the contract rows it changes, brings
their charges up to the day before the event (so events land exactly where a daily sweep
would have put them), applies the event, saves, and writes its audit event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from audit.services import audit_record
from core.dates import business_date_of
from core.errors import ApplicationError, NotFoundError
from core.money import parse_amount

from . import ledger
from . import ledger_store as store
from .evidence import evidence_check
from .models import (
    PLAN_TRANSITIONS,
    SERVICE_TRANSITIONS,
    Adjustment,
    AdjustmentKind,
    CollectionHold,
    Contract,
    ContractStatus,
    HoldReason,
    Installment,
    Payment,
    PaymentStatus,
    PlanStatus,
    Product,
    PromiseStatus,
    PromiseToPay,
    Refund,
    RepaymentPlan,
    ServiceState,
    SweepRun,
    TermsVersion,
)
from .schedules import add_months, build_schedule

ZERO = Decimal("0.00")
SWEEP_RANGE_SIZE = 2000

TERMS_PARAMETER_FIELDS = [
    "grace_days",
    "penalty_daily_rate",
    "late_fee_kind",
    "late_fee_value",
    "late_fee_cap",
    "cost_cap_annual_rate",
    "allocation_order",
    "suspension_notice_after_days",
    "suspension_notice_days",
    "charge_off_dpd",
    "plan_break_days",
]


# --- products and terms ---------------------------------------------------------------------
def _terms_parameters(product: Product) -> dict[str, Any]:
    params = {name: getattr(product, name) for name in TERMS_PARAMETER_FIELDS}
    params.update(
        kind=product.kind,
        currency=product.currency,
        schedule_method=product.schedule_method,
        annual_interest_rate=product.annual_interest_rate,
        plan_min_months=product.plan_min_months,
        plan_max_months=product.plan_max_months,
    )
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in params.items()}


@transaction.atomic
def terms_publish(*, actor: User | None, product: Product, text_zh: str, text_en: str = "") -> TermsVersion:
    """A new, immutable terms version: the text customers accept, with today's parameters."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    last = product.terms_versions.order_by("-version").first()
    version = TermsVersion.objects.create(
        product=product,
        version=(last.version + 1) if last else 1,
        text_zh=text_zh,
        text_en=text_en,
        parameters=_terms_parameters(product),
        content_hash=hashlib.sha256(f"{text_zh}\n---\n{text_en}".encode()).hexdigest(),
    )
    audit_record(
        action="terms.published", actor=actor, obj=version, data={"product": product.code, "version": version.version}
    )
    return version


# --- contracts ---------------------------------------------------------------------------------
@transaction.atomic
def contract_create(
    *,
    actor: User | None,
    customer: CustomerProfile,
    terms: TermsVersion,
    principal: Decimal,
    term: int,
    start_date: dt.date,
    first_due_date: dt.date | None = None,
    annual_rate: Decimal | None = None,
    signed_at: dt.datetime | None = None,
    number: str | None = None,
) -> Contract:
    """Open a contract on the exact terms version the customer accepted."""
    product = terms.product
    if not product.min_term <= term <= product.max_term:
        raise ApplicationError(
            code="term_out_of_range",
            message=_("The term must be between %(low)s and %(high)s months.")
            % {"low": product.min_term, "high": product.max_term},
        )
    params = terms.parameters
    rate = annual_rate if annual_rate is not None else Decimal(params["annual_interest_rate"])
    first_due = first_due_date or add_months(start_date, 1, start_date.day)
    if first_due <= start_date:
        raise ApplicationError(
            code="first_due_before_start", message=_("The first due date must be after the start date.")
        )
    try:
        lines = build_schedule(
            principal=principal, annual_rate=rate, term=term, method=params["schedule_method"], first_due=first_due
        )
    except (ValueError, TypeError) as exc:
        raise ApplicationError(code="invalid_schedule", message=str(exc)) from exc
    contract = Contract.objects.create(
        number=number or f"FD{timezone.now():%Y%m%d}{customer.pk:06d}{Contract.objects.count() + 1:06d}",
        customer=customer,
        product=product,
        terms=terms,
        currency=params.get("currency", "CNY"),
        principal=sum((ln.principal for ln in lines), ZERO)
        if params["schedule_method"] == "subscription"
        else principal,
        annual_rate=rate,
        term=term,
        schedule_method=params["schedule_method"],
        start_date=start_date,
        first_due_date=first_due,
        signed_at=signed_at or timezone.now(),
        grace_days=int(params["grace_days"]),
        penalty_daily_rate=Decimal(params["penalty_daily_rate"]),
        late_fee_kind=params["late_fee_kind"],
        late_fee_value=Decimal(params["late_fee_value"]),
        late_fee_cap=Decimal(params["late_fee_cap"]),
        cost_cap_annual_rate=Decimal(params["cost_cap_annual_rate"]),
        allocation_order=list(params["allocation_order"]),
        suspension_notice_after_days=int(params["suspension_notice_after_days"]),
        suspension_notice_days=int(params["suspension_notice_days"]),
        charge_off_dpd=int(params["charge_off_dpd"]),
        plan_break_days=int(params["plan_break_days"]),
        accrued_through=start_date,
        next_due_date=first_due,
        principal_outstanding=sum((ln.principal for ln in lines), ZERO),
    )
    Installment.objects.bulk_create(
        [
            Installment(
                contract=contract,
                seq=ln.seq,
                due_date=ln.due_date,
                principal_due=ln.principal,
                interest_due=ln.interest,
            )
            for ln in lines
        ]
    )
    audit_record(
        action="contract.created",
        actor=actor,
        obj=contract,
        subject_user_id=customer.user_id,
        data={"number": contract.number, "principal": principal, "term": term, "terms_version": terms.pk},
    )
    return contract


def _lock(contract_id: int) -> Contract:
    contract = Contract.objects.select_for_update().filter(pk=contract_id).first()
    if contract is None:
        raise NotFoundError(code="contract_not_found", message=_("Contract not found."))
    return contract


def _bring_to(contract: Contract, day: dt.date) -> tuple[store.Loaded, store.Pending]:
    """Load a locked contract with its charges closed through ``day``."""
    loaded = store.load([contract])[contract.pk]
    pending = store.Pending()
    store.advance(loaded, day, pending)
    return loaded, pending


def _finish(loaded: store.Loaded, pending: store.Pending, on: dt.date) -> None:
    store.update_status(loaded, on, pending)
    store.save([loaded], pending)


def payoff_amount(loaded: store.Loaded, on: dt.date) -> Decimal:
    """What settles the contract on ``on``: everything outstanding except interest not yet due."""
    state = loaded.state
    total = ZERO
    for inst in state.active_installments():
        total += inst.outstanding("principal") + inst.outstanding("penalty") + inst.outstanding("fee")
        if inst.due_date <= on:
            total += inst.outstanding("interest")
    return max(total - state.credit_balance, ZERO)


@transaction.atomic
def payment_post(
    *,
    actor: User | None,
    contract_id: int,
    channel: str,
    external_reference: str,
    amount: Decimal | str,
    received_at: dt.datetime,
) -> tuple[Payment, bool]:
    """Post a payment and allocate it (fees, penalty, interest, principal; oldest first).

    Idempotent per (channel, external reference): a repeat returns the original payment and
    changes nothing, also when two posts race (the contract row lock and the unique
    constraint serialise them). Returns (payment, created).
    """
    amount = parse_amount(amount)
    if timezone.is_naive(received_at):
        raise ApplicationError(code="naive_datetime", message="received_at must be timezone-aware")
    contract = _lock(contract_id)
    existing = Payment.objects.filter(channel=channel, external_reference=external_reference).first()
    if existing is not None:
        return _same_payment(existing, contract, amount), False
    day = business_date_of(received_at)
    if day < contract.start_date:
        raise ApplicationError(
            code="payment_before_start", message=_("A payment cannot be dated before the contract started.")
        )
    backdated = contract.accrued_through is not None and day <= contract.accrued_through
    if backdated:
        loaded = store.load([contract])[contract.pk]
    else:
        loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
    limit = payoff_amount(loaded, day)
    if amount > limit:
        raise ApplicationError(
            code="amount_exceeds_payoff",
            message=_("The most this contract can take today is %(limit)s.") % {"limit": limit},
            extra={"limit": str(limit)},
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                contract=contract,
                channel=channel,
                external_reference=external_reference,
                amount=amount,
                currency=contract.currency,
                received_at=received_at,
                business_date=day,
                posted_by=actor,
            )
    except IntegrityError:
        existing = Payment.objects.get(channel=channel, external_reference=external_reference)
        return _same_payment(existing, contract, amount), False
    if backdated:
        loaded = store.rebuild(contract)
        _finish(loaded, store.Pending(), max(day, contract.accrued_through or day))
    else:
        result = ledger.DayResult()
        ledger.apply_event(loaded.state, loaded.terms, ledger.PaymentEvent(payment.pk, day, amount), result)
        store.record_day(loaded, result, pending)
        _finish(loaded, pending, day)
    service_restore_if_cured(contract_id=contract.pk, on=day)
    audit_record(
        action="payment.posted",
        actor=actor,
        obj=payment,
        subject_user_id=contract.customer.user_id,
        data={
            "contract": contract.number,
            "amount": amount,
            "channel": channel,
            "reference": external_reference,
            "business_date": day,
            "backdated": backdated,
        },
    )
    return payment, True


def _same_payment(existing: Payment, contract: Contract, amount: Decimal) -> Payment:
    if existing.contract_id != contract.pk or existing.amount != amount:
        raise ApplicationError(
            code="reference_conflict",
            message=_("This payment reference was already used for a different payment."),
        )
    return existing


@transaction.atomic
def payment_reverse(*, actor: User | None, payment_id: int, reason: str) -> Payment:
    """A bounced or failed debit: the ledger ends exactly as if the payment never happened."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise NotFoundError(code="payment_not_found", message=_("Payment not found."))
    contract = _lock(payment.contract_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status == PaymentStatus.REVERSED:
        return payment
    payment.status = PaymentStatus.REVERSED
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason[:200]
    payment.save(update_fields=["status", "reversed_at", "reversal_reason"])
    try:
        loaded = store.rebuild(contract)
    except ValueError as exc:  # the engine refuses a refund the remaining payments cannot fund
        raise ApplicationError(code="credit_negative", message="credit would go negative") from exc
    if loaded.state.credit_balance < ZERO:  # pragma: no cover - engine never lets credit go negative
        raise ApplicationError(code="credit_negative", message="credit would go negative")
    _finish(loaded, store.Pending(), contract.accrued_through or business_date_of(timezone.now()))
    audit_record(
        action="payment.reversed",
        actor=actor,
        obj=payment,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "amount": payment.amount, "reason": reason},
    )
    return payment


@transaction.atomic
def credit_refund(
    *, actor: User | None, contract_id: int, amount: Decimal | str, reference: str, on: dt.date | None = None
) -> Refund:
    """Return (part of) a credit balance to the customer."""
    amount = parse_amount(amount)
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
    if amount > loaded.state.credit_balance:
        raise ApplicationError(
            code="refund_exceeds_credit",
            message=_("Only %(credit)s of credit is available to refund.") % {"credit": loaded.state.credit_balance},
        )
    refund = Refund.objects.create(
        contract=contract, amount=amount, business_date=day, reference=reference, created_by=actor
    )
    ledger.apply_refund(loaded.state, ledger.RefundEvent(refund.pk, day, amount))
    _finish(loaded, pending, day)
    audit_record(
        action="credit.refunded",
        actor=actor,
        obj=refund,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "amount": amount},
    )
    return refund


ADJUSTMENT_COMPONENT = {
    AdjustmentKind.WAIVE_PENALTY: "penalty",
    AdjustmentKind.WAIVE_FEE: "fee",
    AdjustmentKind.WAIVE_INTEREST: "interest",
    AdjustmentKind.WRITE_DOWN_PRINCIPAL: "principal",
}


@transaction.atomic
def adjustment_apply(
    *,
    actor: User | None,
    installment_id: int,
    kind: str,
    amount: Decimal | str | None = None,
    reason: str,
    approved_by: User | None = None,
    on: dt.date | None = None,
) -> Adjustment:
    """Waive or write down part of an installment from today on, or reverse its late fee
    retroactively (``reverse_late_fee``: as if it had never been charged, so payments that
    paid it are re-allocated)."""
    inst = Installment.objects.filter(pk=installment_id).first()
    if inst is None:
        raise NotFoundError(code="installment_not_found", message=_("Installment not found."))
    contract = _lock(inst.contract_id)
    kind = AdjustmentKind(kind)
    day = on or timezone.localdate()
    if kind == AdjustmentKind.REVERSE_LATE_FEE:
        inst.refresh_from_db()
        adj = Adjustment.objects.create(
            contract=contract,
            installment=inst,
            kind=kind,
            amount=inst.fee_charged or Decimal("0.01"),
            effective_date=day,
            reason=reason,
            created_by=actor,
            approved_by=approved_by,
        )
        loaded = store.rebuild(contract)
        _finish(loaded, store.Pending(), max(day, contract.accrued_through or day))
    else:
        value = parse_amount(amount)
        loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
        adj = Adjustment.objects.create(
            contract=contract,
            installment=inst,
            kind=kind,
            amount=value,
            effective_date=day,
            reason=reason,
            created_by=actor,
            approved_by=approved_by,
        )
        result = ledger.DayResult()
        ledger.apply_event(
            loaded.state,
            loaded.terms,
            ledger.WaiverEvent(adj.pk, day, inst.pk, ADJUSTMENT_COMPONENT[kind], value),
            result,
        )
        _finish(loaded, pending, day)
    audit_record(
        action="ledger.adjusted",
        actor=actor,
        obj=adj,
        subject_user_id=contract.customer.user_id,
        data={
            "contract": contract.number,
            "installment": inst.seq,
            "kind": str(kind),
            "amount": adj.amount,
            "reason": reason,
            "approved_by": approved_by.pk if approved_by else None,
        },
    )
    return adj


# --- the delinquency sweep ---------------------------------------------------------------------
def delinquency_sweep(business_date: dt.date) -> list[tuple[int, int]]:
    """Split the active contracts into id ranges and sweep each (inline).

    Beat runs ``notices.tasks.sweep_and_notify`` which queues one Celery task per
    range instead, so more workers finish faster. Returns the ranges.
    """
    ranges = sweep_ranges()
    for first, last in ranges:
        delinquency_sweep_range(business_date=business_date, first_id=first, last_id=last)
    return ranges


def sweep_ranges(size: int = SWEEP_RANGE_SIZE) -> list[tuple[int, int]]:
    # A paid-off contract is not swept, but may still have a plan, a promise or a notice to decide.
    undecided = (
        ~Q(status=ContractStatus.PAID_OFF)
        | Q(plans__status=PlanStatus.ACTIVE)
        | Q(promises__status=PromiseStatus.OPEN)
        | Q(service_state=ServiceState.NOTICE_GIVEN)
    )
    bounds = Contract.objects.filter(undecided).aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]


@transaction.atomic
def delinquency_sweep_range(*, business_date: dt.date, first_id: int, last_id: int) -> SweepRun | None:
    """Close every day up to ``business_date`` for contracts with ids in [first_id, last_id].

    Set-based: current contracts with nothing falling due only gain principal-days (one
    UPDATE per day); the rest are loaded, advanced by the ledger engine and written back in
    bulk. Re-running a date changes nothing (``accrued_through`` guards every row); a run
    after missed days catches up day by day.
    """
    started_at = timezone.now()
    in_range = Contract.objects.filter(pk__gte=first_id, pk__lte=last_id)
    behind = in_range.filter(accrued_through__lt=business_date).exclude(status=ContractStatus.PAID_OFF)
    oldest = behind.aggregate(day=Min("accrued_through"))["day"]
    days_advanced = 0
    if oldest is not None:
        day = oldest
        while day < business_date:
            day += dt.timedelta(days=1)
            days_advanced += (
                behind.filter(
                    accrued_through=day - dt.timedelta(days=1),
                    status=ContractStatus.CURRENT,
                    credit_balance=0,
                    next_due_date__gt=day,
                )
                .exclude(plans__status=PlanStatus.ACTIVE)
                .update(principal_days=F("principal_days") + F("principal_outstanding"), accrued_through=day)
            )
    slow = list(behind.select_for_update().filter(accrued_through__lt=business_date).order_by("pk"))
    if slow:
        loaded = store.load(slow)
        pending = store.Pending()
        for item in loaded.values():
            days_advanced += store.advance(item, business_date, pending)
        store.save(loaded.values(), pending)
    decided = (
        _promises_resolve(in_range, business_date)
        + _plans_review(in_range, business_date)
        + _service_suspensions_apply(in_range, business_date)
    )
    if not (days_advanced or slow or decided):
        return None  # a re-run of a date already swept: nothing changes, nothing is recorded
    run = SweepRun.objects.create(
        business_date=business_date,
        first_contract_id=first_id,
        last_contract_id=last_id,
        contracts_advanced=len(slow),
        days_advanced=days_advanced,
        started_at=started_at,
        finished_at=timezone.now(),
    )
    audit_record(
        action="sweep.range_done",
        actor=None,
        obj=run,
        system="delinquency_sweep",
        data={
            "business_date": business_date,
            "first_id": first_id,
            "last_id": last_id,
            "contracts_detailed": len(slow),
            "days_advanced": days_advanced,
            "decisions": decided,
        },
    )
    return run


def _promises_resolve(contracts: Any, business_date: dt.date) -> int:
    """A promise is kept when payments from its recording to its date reach the amount."""
    due = list(
        PromiseToPay.objects.filter(contract__in=contracts, status=PromiseStatus.OPEN, promised_date__lt=business_date)
    )
    for promise in due:
        paid = (
            Payment.objects.filter(
                contract_id=promise.contract_id,
                status=PaymentStatus.POSTED,
                business_date__gte=promise.recorded_on,
                business_date__lte=promise.promised_date,
            ).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        promise.paid_towards = paid
        promise.status = PromiseStatus.KEPT if paid >= promise.amount else PromiseStatus.BROKEN
        promise.resolved_on = promise.promised_date + dt.timedelta(days=1)
        promise.save(update_fields=["paid_towards", "status", "resolved_on"])
        audit_record(
            action=f"promise.{promise.status}",
            actor=None,
            obj=promise,
            system="delinquency_sweep",
            data={"amount": promise.amount, "paid": paid},
        )
    return len(due)


def _plans_review(contracts: Any, business_date: dt.date) -> int:
    """Active plans: kept when all their installments are paid; broken when one is late
    more than the contract's plan_break_days."""
    decided = 0
    for plan in RepaymentPlan.objects.filter(contract__in=contracts, status=PlanStatus.ACTIVE).select_related(
        "contract"
    ):
        rows = list(plan.installments.all())
        if rows and all(r.settled_on is not None for r in rows):
            _plan_transition(plan, PlanStatus.KEPT, actor=None, on=business_date)
            decided += 1
            continue
        limit = business_date - dt.timedelta(days=plan.contract.plan_break_days)
        if any(r.settled_on is None and r.due_date < limit for r in rows):
            _plan_transition(plan, PlanStatus.BROKEN, actor=None, on=business_date)
            decided += 1
    return decided


def service_restore_if_cured(*, contract_id: int, on: dt.date) -> bool:
    """On-site service comes back as soon as the contract is up to date or on an active plan
    (the suspension clause: "until paid or on a plan"). Runs inside the caller's transaction."""
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    if contract.service_state not in (ServiceState.SUSPENDED, ServiceState.NOTICE_GIVEN):
        return False
    on_plan = contract.plans.filter(status=PlanStatus.ACTIVE).exists()
    if contract.days_past_due > 0 and not on_plan:
        return False
    reason = _("On a repayment plan") if on_plan else _("Overdue amount paid")
    _service_set(contract, ServiceState.RESTORED, actor=None, on=on, reason=reason)
    return True


def _service_suspensions_apply(contracts: Any, business_date: dt.date) -> int:
    """Suspension takes effect on the date the formal notice named, unless cured meanwhile;
    a suspended contract that is cured (or on a plan) gets its service back."""
    due = Contract.objects.filter(
        pk__in=contracts.values("pk"),
        service_state=ServiceState.NOTICE_GIVEN,
        service_effective_date__lte=business_date,
    )
    contracts_due = list(due.select_for_update())
    decided = 0
    for contract_id in Contract.objects.filter(
        pk__in=contracts.values("pk"), service_state=ServiceState.SUSPENDED
    ).values_list("pk", flat=True):
        decided += service_restore_if_cured(contract_id=contract_id, on=business_date)
    for contract in contracts_due:
        if not service_restore_if_cured(contract_id=contract.pk, on=business_date):
            if contract.holds.filter(released_on__isnull=True).exists():
                continue  # collection hold: the suspension waits until the hold is lifted
            _service_set(
                contract,
                ServiceState.SUSPENDED,
                actor=None,
                on=contract.service_effective_date or business_date,  # the date the notice named, also on catch-up
                reason=_("Overdue after the formal notice period"),
            )
        decided += 1
    return decided


# --- repayment plans and promises ------------------------------------------------------------------
def _plan_transition(plan: RepaymentPlan, to: str, *, actor: User | None, on: dt.date) -> None:
    if to not in PLAN_TRANSITIONS[plan.status]:
        raise ApplicationError(
            code="plan_transition_not_allowed",
            message=_("This repayment plan cannot change from %(a)s to %(b)s.") % {"a": plan.status, "b": to},
        )
    before = plan.status
    plan.status = to
    fields = ["status"]
    if to in (PlanStatus.KEPT, PlanStatus.BROKEN, PlanStatus.CANCELLED, PlanStatus.REJECTED):
        plan.closed_on = on
        fields.append("closed_on")
    plan.save(update_fields=fields)
    audit_record(
        action=f"plan.{to}",
        actor=actor,
        obj=plan,
        subject_user_id=plan.contract.customer.user_id,
        data={"from": before, "to": to, "contract": plan.contract.number},
        system="delinquency_sweep",
    )


def plan_preview(
    *, contract: Contract, months: int, waive_penalty: bool = False, waive_fees: bool = False, on: dt.date | None = None
) -> dict[str, Any]:
    """The plan a customer would accept: amounts restructured and each month's payment."""
    product = contract.product
    if not product.plan_min_months <= months <= product.plan_max_months:
        raise ApplicationError(
            code="plan_months_out_of_range",
            message=_("Choose between %(low)s and %(high)s months.")
            % {"low": product.plan_min_months, "high": product.plan_max_months},
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


@transaction.atomic
def plan_propose(
    *,
    actor: User | None,
    contract_id: int,
    months: int,
    reason: str = "",
    evidence: UploadedFile | None = None,
    waive_penalty: bool = False,
    waive_fees: bool = False,
    on: dt.date | None = None,
) -> RepaymentPlan:
    """Propose restructuring the outstanding amount. A waiver needs a supervisor's approval."""
    contract = _lock(contract_id)
    if contract.status in (ContractStatus.PAID_OFF, ContractStatus.CHARGED_OFF):
        raise ApplicationError(
            code="plan_not_possible", message=_("A repayment plan is not possible for this contract.")
        )
    if contract.plans.filter(status__in=[PlanStatus.PROPOSED, PlanStatus.ACTIVE]).exists():
        raise ApplicationError(code="plan_already_open", message=_("This contract already has an open repayment plan."))
    day = on or timezone.localdate()
    preview = plan_preview(contract=contract, months=months, waive_penalty=waive_penalty, waive_fees=waive_fees, on=day)
    if preview["total"] <= ZERO:
        raise ApplicationError(
            code="nothing_to_restructure", message=_("There is nothing outstanding to put into a plan.")
        )
    plan = RepaymentPlan.objects.create(
        contract=contract,
        months=months,
        first_due_date=preview["first_due_date"],
        waive_penalty=waive_penalty,
        waive_fees=waive_fees,
        waiver_amount=preview["waiver_total"],
        requires_approval=preview["waiver_total"] > ZERO,
        reason=reason,
        proposed_by=actor,
        proposed_on=day,
        snapshot={
            "restructured": {k: str(v) for k, v in preview["restructured"].items()},
            "total": str(preview["total"]),
        },
    )
    if evidence is not None:
        _content_type, extension = evidence_check(evidence)
        # Stored under a name we choose (never the uploaded one), outside the web root.
        plan.evidence.save(f"plan-{plan.pk}.{extension}", evidence, save=True)
    audit_record(
        action="plan.proposed",
        actor=actor,
        obj=plan,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "months": months, "waiver": preview["waiver_total"]},
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan_id: int) -> RepaymentPlan:
    """A supervisor approves a plan's waiver (never the person who proposed it)."""
    plan = RepaymentPlan.objects.select_for_update().select_related("contract__customer").get(pk=plan_id)
    if not actor.has_perm("contracts.approve_waiver"):
        raise ApplicationError(code="approval_not_allowed", message=_("Only a supervisor can approve waivers."))
    if plan.proposed_by_id == actor.pk:
        raise ApplicationError(
            code="approval_by_proposer", message=_("The person who proposed a waiver cannot approve it.")
        )
    if plan.status != PlanStatus.PROPOSED:
        raise ApplicationError(code="plan_not_proposed", message=_("Only a proposed plan can be approved."))
    plan.approved_by = actor
    plan.save(update_fields=["approved_by"])
    audit_record(
        action="plan.approved",
        actor=actor,
        obj=plan,
        subject_user_id=plan.contract.customer.user_id,
        data={"waiver": plan.waiver_amount},
    )
    return plan


@transaction.atomic
def plan_activate(*, actor: User | None, plan_id: int, on: dt.date | None = None) -> RepaymentPlan:
    """Accept the plan: the outstanding amount moves into the plan's installments today."""
    plan = RepaymentPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(code="plan_not_found", message=_("Repayment plan not found."))
    contract = _lock(plan.contract_id)
    plan = RepaymentPlan.objects.select_for_update().get(pk=plan_id)
    if not plan.can_activate():
        raise ApplicationError(
            code="plan_cannot_activate",
            message=_("This plan cannot be activated (approval missing or already decided)."),
        )
    day = on or timezone.localdate()
    first_due = add_months(day, 1, day.day)
    rows = Installment.objects.bulk_create(
        [
            Installment(contract=contract, plan=plan, seq=n + 1, due_date=add_months(first_due, n, first_due.day))
            for n in range(plan.months)
        ]
    )
    if any(r.pk is None for r in rows):  # pragma: no cover - backends without RETURNING
        rows = list(plan.installments.order_by("seq"))
    loaded, pending = _bring_to(contract, day - dt.timedelta(days=1))
    for r in rows:
        loaded.rows[r.pk] = r
    result = ledger.DayResult()
    event = ledger.PlanEvent(
        plan.pk, day, tuple(ledger.PlanLine(r.pk, r.seq, r.due_date) for r in rows), plan.waive_penalty, plan.waive_fees
    )
    ledger.apply_event(loaded.state, loaded.terms, event, result)
    for inst in loaded.state.installments:
        row = loaded.rows.get(inst.key)
        if row is not None and row.plan_id == plan.pk:
            row.principal_due, row.interest_due = inst.principal_due, inst.interest_due
    Installment.objects.bulk_update(list(rows), ["principal_due", "interest_due"])
    _finish(loaded, pending, day)
    plan.first_due_date = first_due
    plan.activated_on = day
    plan.save(update_fields=["first_due_date", "activated_on"])
    _plan_transition(plan, PlanStatus.ACTIVE, actor=actor, on=day)
    service_restore_if_cured(contract_id=contract.pk, on=day)
    return plan


@transaction.atomic
def plan_cancel(*, actor: User | None, plan_id: int, reason: str = "") -> RepaymentPlan:
    plan = RepaymentPlan.objects.select_for_update().select_related("contract__customer").get(pk=plan_id)
    if not plan.can_cancel():
        raise ApplicationError(code="plan_cannot_cancel", message=_("This plan can no longer be cancelled."))
    _plan_transition(plan, PlanStatus.CANCELLED, actor=actor, on=timezone.localdate())
    return plan


@transaction.atomic
def plan_reject(*, actor: User, plan_id: int, reason: str) -> RepaymentPlan:
    plan = RepaymentPlan.objects.select_for_update().select_related("contract__customer").get(pk=plan_id)
    if plan.status != PlanStatus.PROPOSED:
        raise ApplicationError(code="plan_not_proposed", message=_("Only a proposed plan can be refused."))
    plan.reason = f"{plan.reason}\n[{_('Refused')}] {reason}".strip()
    plan.save(update_fields=["reason"])
    _plan_transition(plan, PlanStatus.REJECTED, actor=actor, on=timezone.localdate())
    return plan


@transaction.atomic
def promise_record(
    *,
    actor: User | None,
    contract_id: int,
    amount: Decimal | str,
    promised_date: dt.date,
    note: str = "",
    on: dt.date | None = None,
) -> PromiseToPay:
    value = parse_amount(amount)
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    if promised_date < day:
        raise ApplicationError(code="promise_in_past", message=_("The promised date cannot be in the past."))
    promise = PromiseToPay.objects.create(
        contract=contract, amount=value, promised_date=promised_date, recorded_by=actor, recorded_on=day, note=note
    )
    audit_record(
        action="promise.recorded",
        actor=actor,
        obj=promise,
        subject_user_id=contract.customer.user_id,
        data={"amount": value, "promised_date": promised_date},
    )
    return promise


# --- on-site service (逾期拒绝上门) ---------------------------------------------------------------
def _service_set(contract: Contract, to: str, *, actor: User | None, on: dt.date, reason: str) -> None:
    before = contract.service_state
    if to not in SERVICE_TRANSITIONS[before]:
        raise ApplicationError(
            code="service_transition_not_allowed",
            message=_("On-site service cannot change from %(a)s to %(b)s.") % {"a": before, "b": to},
        )
    contract.service_state = to
    contract.service_reason = str(reason)[:200]
    if to == ServiceState.NOTICE_GIVEN:
        contract.service_notice_date = on
        contract.service_effective_date = on + dt.timedelta(days=contract.suspension_notice_days)
    elif to == ServiceState.SUSPENDED:
        contract.service_suspended_since = on
    elif to == ServiceState.RESTORED:
        contract.service_suspended_since = None
        contract.service_effective_date = None
    contract.save(
        update_fields=[
            "service_state",
            "service_reason",
            "service_notice_date",
            "service_effective_date",
            "service_suspended_since",
        ]
    )
    audit_record(
        action=f"service.{to}",
        actor=actor,
        obj=contract,
        subject_user_id=contract.customer.user_id,
        data={"from": before, "to": to, "on": on, "reason": str(reason), "effective": contract.service_effective_date},
        system="delinquency_sweep",
    )


@transaction.atomic
def service_notice_give(*, actor: User | None, contract_id: int, on: dt.date | None = None) -> Contract:
    """Formal notice: on-site service will be suspended after the notice period unless paid.

    Only for contracts with on-site service, past the clause's days past due.
    """
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    if not contract.product.has_onsite_service:
        raise ApplicationError(code="no_onsite_service", message=_("This contract has no on-site service."))
    if contract.days_past_due < contract.suspension_notice_after_days:
        raise ApplicationError(code="notice_too_early", message=_("The suspension clause does not allow a notice yet."))
    _service_set(
        contract, ServiceState.NOTICE_GIVEN, actor=actor, on=day, reason=_("Formal notice of service suspension")
    )
    return contract


@transaction.atomic
def service_restore(*, actor: User | None, contract_id: int, reason: str, on: dt.date | None = None) -> Contract:
    contract = _lock(contract_id)
    _service_set(contract, ServiceState.RESTORED, actor=actor, on=on or timezone.localdate(), reason=reason)
    return contract


@transaction.atomic
def service_suspend(*, actor: User | None, contract_id: int, on: dt.date | None = None) -> Contract:
    """Suspend now (the notice period must have run)."""
    contract = _lock(contract_id)
    day = on or timezone.localdate()
    if contract.service_state != ServiceState.NOTICE_GIVEN or (contract.service_effective_date or day) > day:
        raise ApplicationError(code="notice_period_running", message=_("The notice period has not ended yet."))
    _service_set(
        contract, ServiceState.SUSPENDED, actor=actor, on=day, reason=_("Overdue after the formal notice period")
    )
    return contract


# --- collection holds ---------------------------------------------------------------------------
@transaction.atomic
def hold_place(*, actor: User | None, contract_id: int, reason: str, source: str = "") -> CollectionHold:
    """Pause collection at once (disputes, complaints, hardship reviews)."""
    contract = _lock(contract_id)
    hold = CollectionHold.objects.create(
        contract=contract, reason=HoldReason(reason), source=source, placed_on=timezone.now(), placed_by=actor
    )
    audit_record(
        action="hold.placed",
        actor=actor,
        obj=hold,
        subject_user_id=contract.customer.user_id,
        data={"contract": contract.number, "reason": reason, "source": source},
    )
    return hold


@transaction.atomic
def hold_release(*, actor: User | None, hold_id: int) -> CollectionHold:
    hold = CollectionHold.objects.select_for_update().select_related("contract__customer").get(pk=hold_id)
    if hold.released_on is not None:
        return hold
    hold.released_on = timezone.now()
    hold.save(update_fields=["released_on"])
    audit_record(
        action="hold.released",
        actor=actor,
        obj=hold,
        subject_user_id=hold.contract.customer.user_id,
        data={"contract": hold.contract.number, "reason": hold.reason},
    )
    return hold
