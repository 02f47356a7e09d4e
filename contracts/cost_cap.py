"""The cost of credit, as the law that applies to a product measures it.

Three regimes (``CostRegime``), chosen per product and copied into each terms version:

* **licensed lender** (bank, consumer-finance company): the comprehensive annualised cost
  (综合年化成本) stays within 24 %, measured as an IRR-based annual rate (``contracts.irr``);
* **private lending**: four times the one-year LPR in force when the contract was made
  (Supreme People's Court provisions on private lending, 2020 revision, art. 25 for interest and
  art. 29 for overdue interest, penalty and other fees together); the LPR is a dated table
  (``LoanPrimeRate``) kept in the admin;
* **US product**: the state caps compliance selected for the product (``StateRateCap``), the
  lowest applying; with none selected no statutory cap is assumed, and only the product's own
  cap limits it.

A contract's cap (``Contract.cost_cap_annual_rate``) is the product's own cap, never above the
regime's at signing; it limits the schedule (IRR-based annual rate, checked at signing) and, per
overdue installment, penalty interest and fees (``contracts.ledger``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .codes import ContractsError
from .models import CostRegime, LoanPrimeRate

LICENSED_LENDER_CAP = Decimal("0.24")
LPR_MULTIPLE = 4


@dataclass(frozen=True)
class CapBasis:
    """The regime's cap on a date and where it comes from."""

    regime: str
    legal_rate: Decimal | None  # None: no statutory cap assumed (a US product without state caps)
    lpr_rate: Decimal | None = None
    lpr_published_on: dt.date | None = None
    states: tuple[str, ...] = ()

    def contract_cap(self, product_cap: Decimal) -> Decimal:
        """The product's own cap, never above the regime's."""
        return product_cap if self.legal_rate is None else min(product_cap, self.legal_rate)


def lpr_in_force(on: dt.date, tenor: str = LoanPrimeRate.Tenor.ONE_YEAR) -> LoanPrimeRate | None:
    """The LPR row in force on ``on``: the latest ``effective_from`` on or before it."""
    return LoanPrimeRate.objects.filter(tenor=tenor, effective_from__lte=on).order_by("-effective_from").first()


def state_caps_snapshot(caps: Iterable[Any]) -> list[dict[str, str]]:
    """What a terms version records of the state caps selected for its product."""
    return [
        {"state": c.state, "description": c.description, "annual_rate": str(c.annual_rate), "source": c.source}
        for c in sorted(caps, key=lambda c: (c.state, c.description, c.pk))
    ]


def regime_cap(*, regime: str, on: dt.date, state_caps: Iterable[Mapping[str, str]] = ()) -> CapBasis:
    """The regime's cap for a contract signed on ``on``.

    Raises ``ApplicationError`` (``lpr_missing``) for private lending when no one-year LPR is
    recorded in force on that date: the cap cannot be known, so nothing is signed on a guess.
    """
    if regime == CostRegime.PRIVATE_LENDING:
        lpr = lpr_in_force(on)
        if lpr is None:
            raise ApplicationError(
                code=ContractsError.LPR_MISSING,
                message=_("No one-year LPR is recorded in force on %(date)s; add it in the admin first.")
                % {"date": on.isoformat()},
            )
        return CapBasis(
            regime=regime,
            legal_rate=lpr.rate * LPR_MULTIPLE,
            lpr_rate=lpr.rate,
            lpr_published_on=lpr.published_on,
        )
    if regime == CostRegime.US_STATE:
        caps = list(state_caps)
        if not caps:
            return CapBasis(regime=regime, legal_rate=None)
        return CapBasis(
            regime=regime,
            legal_rate=min(Decimal(c["annual_rate"]) for c in caps),
            states=tuple(sorted({c["state"] for c in caps})),
        )
    return CapBasis(regime=CostRegime.LICENSED_LENDER, legal_rate=LICENSED_LENDER_CAP)


def percent(rate: Decimal, places: int = 2) -> str:
    """0.138 -> "13.8%" (trailing zeros dropped)."""
    text = f"{(rate * 100).quantize(Decimal(10) ** -places):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def regime_rule_text(
    *, regime: str, rate: Decimal, lpr_rate: Decimal | None, lpr_published_on: dt.date | None, states: str
) -> str:
    """The rule that sets a contract's cap, in the reader's language."""
    if regime == CostRegime.PRIVATE_LENDING and lpr_rate is not None and lpr_published_on is not None:
        return _(
            "private lending: four times the one-year LPR in force at signing (%(lpr)s, published %(date)s), "
            "%(rate)s a year"
        ) % {"lpr": percent(lpr_rate), "date": lpr_published_on.isoformat(), "rate": percent(rate)}
    if regime == CostRegime.US_STATE:
        if states:
            return _("US state rate cap (%(states)s), %(rate)s a year") % {"states": states, "rate": percent(rate)}
        return _("the contract's own cap (no US state cap assumed), %(rate)s a year") % {"rate": percent(rate)}
    return _("licensed lender: comprehensive annualised cost within 24%%, this contract %(rate)s a year") % {
        "rate": percent(rate)
    }


def check_within_regime(*, basis: CapBasis, cost_cap: Decimal, annual_rate: Decimal | None) -> None:
    """Refuse a product cap or an IRR-based annual rate above the regime's cap (never the old 36 %).

    ``annual_rate`` is compared at 0.01 % (the precision it is displayed with): an annuity at
    exactly 24 % has an IRR a few millionths above it from rounding each installment to the cent.
    """
    if basis.legal_rate is None:
        return
    if cost_cap > basis.legal_rate:
        raise ApplicationError(
            code=ContractsError.COST_CAP_ABOVE_REGIME,
            message=_("The cost-of-credit cap %(cap)s is above the %(regime)s limit of %(limit)s.")
            % {"cap": percent(cost_cap), "regime": CostRegime(basis.regime).label, "limit": percent(basis.legal_rate)},
            field="cost_cap_annual_rate",
        )
    if annual_rate is not None and annual_rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) > basis.legal_rate:
        raise ApplicationError(
            code=ContractsError.RATE_ABOVE_REGIME,
            message=_("The annualised rate %(rate)s (IRR method) is above the %(regime)s limit of %(limit)s.")
            % {
                "rate": percent(annual_rate),
                "regime": CostRegime(basis.regime).label,
                "limit": percent(basis.legal_rate),
            },
            field="annual_interest_rate",
        )
