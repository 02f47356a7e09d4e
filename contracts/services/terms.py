"""Products' terms versions and opening contracts on them."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerProfile, User
from audit.services import audit_record
from core.dates import business_today
from core.errors import ApplicationError

from .. import cost_cap
from ..codes import ContractsAction, ContractsError
from ..irr import IrrUndefined
from ..models import Contract, CostRegime, DebtType, Installment, Product, TermsVersion
from ..models_schedule import first_due_default, schedule_options, schedule_parameters
from ..schedules import ScheduleMethod, build_schedule, schedule_apr
from ._common import ZERO
from .limitation import governing_law_clean

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
    "cost_regime",
]


def _terms_parameters(product: Product) -> dict[str, Any]:
    params = {name: getattr(product, name) for name in TERMS_PARAMETER_FIELDS}
    params.update(
        kind=product.kind,
        currency=product.currency,
        schedule_method=product.schedule_method,
        annual_interest_rate=product.annual_interest_rate,
        plan_min_months=product.plan_min_months,
        plan_max_months=product.plan_max_months,
        state_caps=cost_cap.state_caps_snapshot(product.state_caps.all()),
    )
    params.update(schedule_parameters(product))
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in params.items()}


@transaction.atomic
def terms_publish(*, actor: User | None, product: Product, text_zh: str, text_en: str = "") -> TermsVersion:
    """A new, immutable terms version: the text customers accept, with today's parameters.

    Refused when the product's cost cap or its interest rate is above its regime's cap today
    (24 % for a licensed lender, four times today's one-year LPR for private lending, the lowest
    selected state cap for a US product); signing checks again on the signing date."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    basis = cost_cap.regime_cap(
        regime=product.cost_regime,
        on=timezone.localdate(),
        state_caps=cost_cap.state_caps_snapshot(product.state_caps.all()),
    )
    cost_cap.check_within_regime(
        basis=basis, cost_cap=product.cost_cap_annual_rate, annual_rate=product.annual_interest_rate
    )
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
        action=ContractsAction.TERMS_PUBLISHED,
        actor=actor,
        obj=version,
        data={"product": product.code, "version": version.version},
    )
    return version


def _check_term(product: Product, term: int) -> None:
    if not product.min_term <= term <= product.max_term:
        raise ApplicationError(
            code=ContractsError.TERM_OUT_OF_RANGE,
            message=_("The term must be between %(low)s and %(high)s installments.")
            % {"low": product.min_term, "high": product.max_term},
            field="term",
        )


@transaction.atomic
def contract_create(
    *,
    actor: User | None,
    customer: CustomerProfile,
    terms: TermsVersion,
    principal: Decimal,
    term: int | None,
    start_date: dt.date,
    first_due_date: dt.date | None = None,
    annual_rate: Decimal | None = None,
    signed_at: dt.datetime | None = None,
    number: str | None = None,
    governing_state: str | None = None,
    limitation_debt_type: str = DebtType.WRITTEN_CONTRACT,
    fixed_payment: Decimal | None = None,
) -> Contract:
    """Open a contract on the exact terms version the customer accepted. ``governing_state``: the
    US state whose law governs it (its limitation period applies), None under Chinese law.

    The contract's cost cap is the terms' cap, never above the regime's on the signing date
    (private lending: four times the one-year LPR then in force, recorded on the contract); a
    schedule whose IRR-based annual rate is above the regime's cap is refused.

    The schedule follows the terms' conventions (period, day count, rounding, grace; see
    docs/SCHEDULES.md); ``start_date`` is the disbursement, and a ``first_due_date`` other than one
    period later makes a shorter or longer first period. With ``fixed_payment`` the term follows
    from it (``term`` may be None)."""
    product = terms.product
    governing_state, limitation_debt_type = governing_law_clean(governing_state, limitation_debt_type)
    if term is not None:
        _check_term(product, term)
    params = terms.parameters
    rate = annual_rate if annual_rate is not None else Decimal(params["annual_interest_rate"])
    first_due = first_due_date or first_due_default(params, start_date)
    if first_due <= start_date:
        raise ApplicationError(
            code=ContractsError.FIRST_DUE_BEFORE_START,
            message=_("The first due date must be after the start date."),
            field="first_due_date",
        )
    options = schedule_options(params, start_date=start_date, first_due=first_due, fixed_payment=fixed_payment)
    try:
        lines = build_schedule(
            principal=principal,
            annual_rate=rate,
            term=term,
            method=params["schedule_method"],
            first_due=first_due,
            options=options,
        )
    except (ValueError, TypeError) as exc:
        raise ApplicationError(code=ContractsError.INVALID_SCHEDULE, message=str(exc)) from exc
    term = len(lines)
    _check_term(product, term)
    signed = signed_at or timezone.now()
    basis = cost_cap.regime_cap(
        regime=params.get("cost_regime", CostRegime.LICENSED_LENDER),
        on=timezone.localdate(signed),
        state_caps=params.get("state_caps", []),
    )
    cap = basis.contract_cap(Decimal(params["cost_cap_annual_rate"]))
    if params["schedule_method"] != ScheduleMethod.SUBSCRIPTION:
        try:
            irr_rate: Decimal | None = schedule_apr(
                principal=principal, totals=[ln.total for ln in lines], first_due=first_due, options=options
            )
        except IrrUndefined:
            irr_rate = None
        cost_cap.check_within_regime(basis=basis, cost_cap=cap, annual_rate=irr_rate)
    contract = Contract.objects.create(
        # Dated by the business day (Asia/Shanghai), the date every page shows, not the UTC one.
        number=number or f"FD{business_today():%Y%m%d}{customer.pk:06d}{Contract.objects.count() + 1:06d}",
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
        signed_at=signed,
        grace_days=int(params["grace_days"]),
        penalty_daily_rate=Decimal(params["penalty_daily_rate"]),
        late_fee_kind=params["late_fee_kind"],
        late_fee_value=Decimal(params["late_fee_value"]),
        late_fee_cap=Decimal(params["late_fee_cap"]),
        cost_cap_annual_rate=cap,
        cost_regime=basis.regime,
        cost_cap_lpr=basis.lpr_rate,
        cost_cap_lpr_published_on=basis.lpr_published_on,
        cost_cap_states=",".join(basis.states),
        allocation_order=list(params["allocation_order"]),
        suspension_notice_after_days=int(params["suspension_notice_after_days"]),
        suspension_notice_days=int(params["suspension_notice_days"]),
        charge_off_dpd=int(params["charge_off_dpd"]),
        plan_break_days=int(params["plan_break_days"]),
        accrued_through=start_date,
        next_due_date=first_due,
        principal_outstanding=sum((ln.principal for ln in lines), ZERO),
        governing_state=governing_state,
        limitation_debt_type=limitation_debt_type,
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
        action=ContractsAction.CONTRACT_CREATED,
        actor=actor,
        obj=contract,
        subject_user_id=customer.user_id,
        data={
            "number": contract.number,
            "principal": principal,
            "term": term,
            "terms_version": terms.pk,
            "governing_state": governing_state,
        },
    )
    return contract
