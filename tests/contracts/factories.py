"""Products, terms and contracts for tests, made through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from accounts.models import CustomerProfile
from contracts.models import Contract, CostRegime, Product, ProductKind
from contracts.services import contract_create, terms_publish
from tests.accounts.factories import make_customer

_n = itertools.count(1)

# A product whose cost cap never binds in a test's scenario (a US product with no state cap
# selected and the largest contractual cap the field holds): for tests about payments, plans and
# disputes whose scenario charges the full fixed 50.00 late fee a few days after a due date, which
# the per-installment cap (overdue amount x days x rate / 365) would otherwise cut.
UNCAPPED: dict[str, object] = {"cost_regime": CostRegime.US_STATE, "cost_cap_annual_rate": Decimal("9.999999")}

TERMS_TEXT_ZH = "借款合同条款：到期日、宽限期3天、罚息日利率0.05%（仅按逾期本金计算）、违约金每期50元。"
TERMS_TEXT_EN = (
    "Loan terms: due dates, 3 grace days, penalty interest 0.05%/day on overdue principal only, "
    "late fee 50 per installment."
)


def make_product(**overrides: object) -> Product:
    n = next(_n)
    values: dict[str, object] = {
        "code": f"loan-{n}",
        "name": f"Test loan {n}",
        "kind": ProductKind.INSTALLMENT_LOAN,
        "schedule_method": "annuity",
        "annual_interest_rate": Decimal("0.18"),
        "min_term": 1,
        "max_term": 36,
        "grace_days": 3,
        "penalty_daily_rate": Decimal("0.0005"),
        "late_fee_kind": "fixed",
        "late_fee_value": Decimal("50"),
        "late_fee_cap": Decimal("50.00"),
    }
    values.update(overrides)
    return Product.objects.create(**values)


def make_contract(
    *,
    customer: CustomerProfile | None = None,
    product: Product | None = None,
    principal: Decimal | str = "10000.00",
    term: int = 12,
    start_date: dt.date = dt.date(2026, 1, 1),
    first_due_date: dt.date | None = None,
    governing_state: str | None = None,
    **product_overrides: object,
) -> Contract:
    product = product or make_product(**product_overrides)
    terms = product.terms_versions.order_by("-version").first() or terms_publish(
        actor=None, product=product, text_zh=TERMS_TEXT_ZH, text_en=TERMS_TEXT_EN
    )
    return contract_create(
        actor=None,
        customer=customer or make_customer(),
        terms=terms,
        principal=Decimal(principal),
        term=term,
        start_date=start_date,
        first_due_date=first_due_date,
        governing_state=governing_state,
    )
