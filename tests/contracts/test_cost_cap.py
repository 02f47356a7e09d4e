"""The cost cap as the law measures it: regimes, the dated LPR table, the terms validator, the
per-installment cap in the ledger and the explanation that names the rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from contracts import cost_cap
from contracts.codes import ContractsError
from contracts.models import ChargeEntry, Contract, CostRegime, Installment, ProductKind, StateRateCap, TermsVersion
from contracts.selectors import contract_charges_explained, contract_cost_of_credit, explain_charge
from contracts.services import contract_create, delinquency_sweep_range, terms_publish
from core.errors import ApplicationError
from tests.accounts.factories import make_customer
from tests.contracts.factories import TERMS_TEXT_EN, TERMS_TEXT_ZH, make_contract, make_product

pytestmark = pytest.mark.django_db

D = Decimal


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def sweep(contract: Contract, day: dt.date) -> None:
    delinquency_sweep_range(business_date=day, first_id=contract.pk, last_id=contract.pk)


# --- regimes and the LPR table -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("signed", "lpr", "published"),
    [
        (dt.date(2019, 8, 20), "0.0425", dt.date(2019, 8, 20)),
        (dt.date(2020, 4, 19), "0.0405", dt.date(2020, 2, 20)),
        (dt.date(2023, 9, 1), "0.0345", dt.date(2023, 8, 21)),
        (dt.date(2024, 10, 20), "0.0335", dt.date(2024, 7, 22)),
        (dt.date(2024, 10, 21), "0.0310", dt.date(2024, 10, 21)),
        (dt.date(2025, 6, 1), "0.0300", dt.date(2025, 5, 20)),
    ],
)
def test_private_lending_cap_is_four_times_the_lpr_in_force_at_signing(
    signed: dt.date, lpr: str, published: dt.date
) -> None:
    basis = cost_cap.regime_cap(regime=CostRegime.PRIVATE_LENDING, on=signed)
    assert (basis.lpr_rate, basis.lpr_published_on) == (D(lpr), published)
    assert basis.legal_rate == D(lpr) * 4


def test_no_lpr_before_the_reform_refuses_private_lending() -> None:
    with pytest.raises(ApplicationError) as exc:
        cost_cap.regime_cap(regime=CostRegime.PRIVATE_LENDING, on=dt.date(2019, 8, 19))
    assert exc.value.code == ContractsError.LPR_MISSING


def test_licensed_lender_is_24_percent_and_us_assumes_no_cap_without_state_rows() -> None:
    assert cost_cap.regime_cap(regime=CostRegime.LICENSED_LENDER, on=dt.date(2026, 1, 1)).legal_rate == D("0.24")
    us = cost_cap.regime_cap(regime=CostRegime.US_STATE, on=dt.date(2026, 1, 1))
    assert us.legal_rate is None and us.contract_cap(D("0.30")) == D("0.30")
    rows = [
        {"state": "NY", "description": "civil usury", "annual_rate": "0.16", "source": "x"},
        {"state": "CA", "description": "consumer loans", "annual_rate": "0.36", "source": "y"},
    ]
    both = cost_cap.regime_cap(regime=CostRegime.US_STATE, on=dt.date(2026, 1, 1), state_caps=rows)
    assert both.legal_rate == D("0.16") and both.states == ("CA", "NY")


# --- the validator -------------------------------------------------------------------------------
def test_terms_above_24_percent_are_refused_for_a_licensed_lender_and_nothing_is_published() -> None:
    product = make_product(cost_cap_annual_rate=D("0.36"))  # the old validator's ceiling
    with pytest.raises(ApplicationError) as exc:
        terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH, text_en=TERMS_TEXT_EN)
    assert exc.value.code == ContractsError.COST_CAP_ABOVE_REGIME and exc.value.field == "cost_cap_annual_rate"
    assert not TermsVersion.objects.filter(product=product).exists()
    product = make_product(annual_interest_rate=D("0.30"))
    with pytest.raises(ApplicationError) as exc:
        terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH)
    assert exc.value.code == ContractsError.RATE_ABOVE_REGIME


def test_private_lending_terms_are_checked_against_the_lpr_at_signing() -> None:
    # Published today (LPR 3.00 %: at most 12 %); signed on 2023-09-01 the cap is min(12 %, 13.8 %).
    product = make_product(
        cost_regime=CostRegime.PRIVATE_LENDING, annual_interest_rate=D("0.10"), cost_cap_annual_rate=D("0.12")
    )
    terms = terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH)
    assert terms.parameters["cost_regime"] == CostRegime.PRIVATE_LENDING
    contract = contract_create(
        actor=None,
        customer=make_customer(),
        terms=terms,
        principal=D("10000.00"),
        term=12,
        start_date=dt.date(2023, 9, 1),
        signed_at=noon(dt.date(2023, 9, 1)),
    )
    assert contract.cost_regime == CostRegime.PRIVATE_LENDING
    assert (contract.cost_cap_lpr, contract.cost_cap_lpr_published_on) == (D("0.0345"), dt.date(2023, 8, 21))
    assert contract.cost_cap_annual_rate == D("0.12")
    # A rate above four times the LPR at signing is refused then, with nothing written.
    before = Contract.objects.count()
    with pytest.raises(ApplicationError) as exc:
        contract_create(
            actor=None,
            customer=make_customer(),
            terms=terms,
            principal=D("10000.00"),
            term=12,
            start_date=dt.date(2023, 9, 1),
            annual_rate=D("0.15"),
            signed_at=noon(dt.date(2023, 9, 1)),
        )
    assert exc.value.code == ContractsError.RATE_ABOVE_REGIME
    assert Contract.objects.count() == before


def test_a_us_product_uses_the_lowest_selected_state_cap() -> None:
    ny = StateRateCap.objects.create(
        state="NY",
        description="civil usury",
        annual_rate=D("0.16"),
        source="N.Y. Gen. Oblig. Law 5-501",
        effective_from=dt.date(2020, 1, 1),
    )
    product = make_product(cost_regime=CostRegime.US_STATE, currency="USD", cost_cap_annual_rate=D("0.20"))
    product.state_caps.add(ny)
    with pytest.raises(ApplicationError):  # 20 % is above New York's 16 %
        terms_publish(actor=None, product=product, text_zh=TERMS_TEXT_ZH)
    product.cost_cap_annual_rate = D("0.16")
    product.annual_interest_rate = D("0.12")
    product.save()
    contract = make_contract(product=product)
    assert (contract.cost_cap_states, contract.cost_cap_annual_rate) == ("NY", D("0.16"))


# --- the per-installment cap ---------------------------------------------------------------------
def demo_bnpl(**overrides: object) -> Contract:
    """The demo BNPL's terms: 1,000.00 in 4 parts of 250.00, 3 grace days, 5 % late fee (at most
    30.00), penalty 0.03 %/day."""
    values: dict[str, object] = {
        "kind": ProductKind.BNPL,
        "schedule_method": "bnpl",
        "annual_interest_rate": D("0"),
        "penalty_daily_rate": D("0.0003"),
        "late_fee_kind": "percent",
        "late_fee_value": D("0.05"),
        "late_fee_cap": D("30.00"),
    }
    values.update(overrides)
    return make_contract(principal="1000.00", term=4, start_date=dt.date(2026, 1, 1), **values)


def test_demo_bnpl_four_days_late_is_no_longer_459_percent_annualised() -> None:
    contract = demo_bnpl()
    sweep(contract, dt.date(2026, 2, 5))  # first part due 02-01, four days late
    first = Installment.objects.get(contract=contract, seq=1)
    charged = first.fee_charged + first.penalty_accrued
    # Before: 12.50 late fee + 0.08 penalty = 12.58 on 250.00 for 4 days, 459 % a year.
    assert charged == D("0.65")  # 250.00 x 4 days x 24 % / 365 = 0.6575, truncated
    assert charged / first.principal_due * 365 / 4 <= D("0.24")
    assert (first.overdue_amount_days, first.late_charges) == (D("1000.00"), D("0.65"))
    # The rest of the loan (750.00 not yet due) gives the late installment no room.
    entries = list(ChargeEntry.objects.filter(contract=contract).order_by("kind"))
    assert [(e.kind, e.amount, e.capped) for e in entries] == [("late_fee", D("0.65"), True), ("penalty", D("0"), True)]


def test_the_cap_grows_with_the_time_overdue_and_holds_every_night() -> None:
    contract = demo_bnpl()
    for day in range(2, 40):
        sweep(contract, dt.date(2026, 2, 1) + dt.timedelta(days=day))
        first = Installment.objects.get(contract=contract, seq=1)
        cap = (contract.cost_cap_annual_rate * first.overdue_amount_days / 365).quantize(D("0.01"), "ROUND_DOWN")
        assert first.fee_charged + first.penalty_accrued == first.late_charges <= cap
    # 39 days late: the 12.50 fee was cut to 0.65 on day 4; penalty (0.075 a day) fits under the
    # growth of the cap (0.164 a day) after that.
    assert first.overdue_amount_days == D("250.00") * 39
    assert first.fee_charged == D("0.65")
    # Penalty ran 36 days (02-05 .. 03-12): round(250 x 0.03 % x 36) = 2.70, less day 4's 0.08.
    assert first.penalty_accrued == D("2.62")


def test_the_explanation_names_the_rule_in_both_languages() -> None:
    contract = demo_bnpl()
    sweep(contract, dt.date(2026, 2, 5))
    fee = ChargeEntry.objects.get(contract=contract, kind="late_fee")
    with translation.override("en"):
        text = explain_charge(fee, contract, 1)
    assert "12.50, of which 0.65 charged" in text
    assert "licensed lender: comprehensive annualised cost within 24%, this contract 24% a year" in text
    assert "had been overdue 4 days, 1,000.00 amount-days" in text and "250.00 a day on average" in text
    assert "1,000.00 × 24% ÷ 365 = 0.65" in text
    with translation.override("zh-hans"):
        text = explain_charge(fee, contract, 1)
    assert "持牌机构" in text and "24%" in text and "逾期 4 天" in text and "1000.00 × 24% ÷ 365 = 0.65" in text


def test_private_lending_explanation_names_the_lpr() -> None:
    product = make_product(
        cost_regime=CostRegime.PRIVATE_LENDING, annual_interest_rate=D("0.10"), cost_cap_annual_rate=D("0.12")
    )
    contract = make_contract(product=product, start_date=dt.date(2026, 1, 1))
    sweep(contract, dt.date(2026, 2, 5))
    with translation.override("en"):
        texts = [c.text for c in contract_charges_explained(contract=contract)]
    assert any(
        "four times the one-year LPR in force at signing (3%, published 2025-05-20), 12% a year" in t for t in texts
    )
    with translation.override("zh-hans"):
        texts = [c.text for c in contract_charges_explained(contract=contract)]
    assert any("一年期贷款市场报价利率" in t and "2025-05-20" in t for t in texts)


# --- the annualised rate shown ------------------------------------------------------------------
def test_contract_cost_of_credit_shows_the_irr_rate() -> None:
    contract = make_contract(start_date=dt.date(2026, 1, 1))
    cost = contract_cost_of_credit(contract=contract)
    assert abs(cost.annualised_rate - D("0.18")) < D("0.0001")
    assert cost.annualised_percent == "18%" and cost.cap_percent == "24%"
    subscription = make_contract(
        kind=ProductKind.SERVICE_SUBSCRIPTION,
        schedule_method="subscription",
        annual_interest_rate=D("0"),
        principal="199.00",
        penalty_daily_rate=D("0"),
        late_fee_kind="none",
    )
    assert contract_cost_of_credit(contract=subscription).annualised_rate is None


def test_the_contract_pages_show_the_irr_rate_and_the_rule(verified_agent_client) -> None:
    from django.test import Client
    from django.urls import reverse

    from tests.conftest import login

    contract = demo_bnpl(kind=ProductKind.INSTALLMENT_LOAN, schedule_method="annuity", annual_interest_rate=D("0.18"))
    sweep(contract, dt.date(2026, 2, 5))
    customer = Client()
    login(customer, contract.customer.user)
    page = customer.get(reverse("portal:contract", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200
    assert "年化利率（IRR 计算）" in text and 'id="annualised-rate">18%' in text
    assert 'id="terms-annualised-rate"' in text and "持牌机构" in text
    assert "受综合成本上限限制" in text  # the charges explained, the cut one naming the rule
    staff = verified_agent_client.get(reverse("staff:contract_detail", args=[contract.pk]))
    text = staff.content.decode()
    assert staff.status_code == 200, text
    assert 'id="annualised-rate">18%' in text and "受综合成本上限限制" in text
    # Another customer's contract stays not found on the customer side.
    other = demo_bnpl()
    assert customer.get(reverse("portal:contract", args=[other.pk])).status_code == 404
