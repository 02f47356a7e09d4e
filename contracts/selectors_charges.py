"""How each charge is explained (formula and, when the cost cap cut it, the rule) and the
cost of credit shown on terms and contract pages (the annualised rate by the IRR method)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.money import quantize_money

from . import cost_cap, ledger
from .irr import IrrUndefined
from .models import (
    ChargeEntry,
    ChargeKind,
    Contract,
    CostRegime,
    Installment,
    LateFeeKind,
    TermsVersion,
)
from .models_schedule import (
    DayCountChoice,
    InstallmentRoundingChoice,
    PeriodUnitChoice,
    RoundingChoice,
    first_due_default,
    schedule_options,
)
from .schedules import ScheduleMethod, build_schedule, schedule_apr


def _money(value: Decimal) -> str:
    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _percent(rate: Decimal, places: int = 2) -> str:
    return f"{(rate * 100).quantize(Decimal(10) ** -places).normalize():f}%"


def _rule_of(contract: Contract) -> str:
    return cost_cap.regime_rule_text(
        regime=contract.cost_regime,
        rate=contract.cost_cap_annual_rate,
        lpr_rate=contract.cost_cap_lpr,
        lpr_published_on=contract.cost_cap_lpr_published_on,
        states=contract.cost_cap_states,
    )


def _cap_clause(entry: ChargeEntry, contract: Contract, seq: int) -> str:
    """Names the rule that cut a charge: regime and rate, the installment's overdue base and days."""
    days_overdue = max((entry.to_date - entry.installment.due_date).days, 1)
    cap = (contract.cost_cap_annual_rate * entry.cap_amount_days / ledger.DAYS_PER_YEAR).quantize(
        Decimal("0.01"), rounding=ROUND_DOWN
    )
    return _(
        "Limited by the cost cap (%(rule)s): on %(date)s installment %(seq)s had been overdue %(days)s days, "
        "%(amount_days)s amount-days of overdue principal and interest (%(average)s a day on average); "
        "%(amount_days)s × %(rate)s ÷ 365 = %(cap)s for all penalty interest and fees on its lateness."
    ) % {
        "rule": _rule_of(contract),
        "date": entry.to_date.isoformat(),
        "seq": seq,
        "days": days_overdue,
        "amount_days": _money(entry.cap_amount_days),
        "average": _money(quantize_money(entry.cap_amount_days / days_overdue)),
        "rate": cost_cap.percent(contract.cost_cap_annual_rate),
        "cap": _money(cap),
    }


def explain_charge(entry: ChargeEntry, contract: Contract, seq: int) -> str:
    """A charge in words, with a formula that reproduces its amount.

    Penalty interest is rounded once per installment and run of days (``contracts.ledger``), so
    base × daily rate × days, rounded to the cent, is the amount unless the cost cap cut it; then
    the text gives both and names the rule (regime, rate, the installment's overdue base and days).
    """
    if entry.kind == ChargeKind.PENALTY:
        formula = quantize_money(entry.base_amount * entry.rate * entry.days)
        values = {
            "rate": _percent(entry.rate, 3),
            "base": _money(entry.base_amount),
            "seq": seq,
            "days": entry.days,
            "start": entry.from_date.isoformat(),
            "end": entry.to_date.isoformat(),
            "formula": _money(formula),
            "amount": _money(entry.amount),
        }
        if entry.capped:
            text = (
                _(
                    "Penalty interest %(rate)s/day on %(base)s overdue principal of installment %(seq)s for "
                    "%(days)s days (%(start)s – %(end)s): %(base)s × %(rate)s × %(days)s = %(formula)s, "
                    "of which %(amount)s charged."
                )
                % values
            )
        else:
            text = (
                _(
                    "Penalty interest %(rate)s/day on %(base)s overdue principal of installment %(seq)s for "
                    "%(days)s days (%(start)s – %(end)s): %(base)s × %(rate)s × %(days)s = %(amount)s "
                    "(rounded once, to the cent)."
                )
                % values
            )
    else:
        if contract.late_fee_kind == LateFeeKind.PERCENT:
            rule = _("%(rate)s of the overdue installment, at most %(cap)s") % {
                "rate": _percent(contract.late_fee_value),
                "cap": _money(contract.late_fee_cap),
            }
        else:
            rule = _("fixed fee, at most %(cap)s") % {"cap": _money(contract.late_fee_cap)}
        values = {
            "seq": seq,
            "rule": rule,
            "date": entry.from_date.isoformat(),
            "grace": contract.grace_days,
            "requested": _money(entry.base_amount),
            "amount": _money(entry.amount),
        }
        if entry.capped:
            text = (
                _(
                    "Late fee for installment %(seq)s (%(rule)s), charged on %(date)s when the %(grace)s-day grace "
                    "period ended: %(requested)s, of which %(amount)s charged."
                )
                % values
            )
        else:
            text = (
                _(
                    "Late fee for installment %(seq)s (%(rule)s), charged on %(date)s when the %(grace)s-day grace "
                    "period ended: %(amount)s"
                )
                % values
            )
    if entry.capped:
        text += " " + _cap_clause(entry, contract, seq)
    return text


@dataclass(frozen=True)
class CostOfCredit:
    """What the contract and terms pages show: the IRR-based annual rate and the cap's rule."""

    annualised_rate: Decimal | None  # None: no loan to measure (a service subscription)
    cap_rate: Decimal
    rule: str

    @property
    def annualised_percent(self) -> str:
        return "" if self.annualised_rate is None else cost_cap.percent(self.annualised_rate)

    @property
    def cap_percent(self) -> str:
        return cost_cap.percent(self.cap_rate)


def contract_cost_of_credit(*, contract: Contract, rows: list[Installment] | None = None) -> CostOfCredit:
    """The annualised rate by the IRR method over the contract's scheduled cash flows (PBOC
    announcement No. 3 of 2021): the principal lent, then each original installment's principal
    and interest; nominal, periodic rate × 12 (``contracts.irr``). One query, none when the
    caller passes the contract's installment ``rows`` (the balance has them already)."""
    rate: Decimal | None = None
    if contract.schedule_method != ScheduleMethod.SUBSCRIPTION:
        if rows is None:
            rows = list(Installment.objects.filter(contract=contract))
        originals = sorted((r for r in rows if r.plan_id is None), key=lambda r: (r.due_date, r.seq))
        totals = [r.principal_due + r.interest_due for r in originals]
        options = schedule_options(
            contract.terms.parameters, start_date=contract.start_date, first_due=contract.first_due_date
        )
        try:
            rate = schedule_apr(
                principal=contract.principal, totals=totals, first_due=contract.first_due_date, options=options
            )
        except (IrrUndefined, ValueError):
            rate = None
    return CostOfCredit(annualised_rate=rate, cap_rate=contract.cost_cap_annual_rate, rule=_rule_of(contract))


def terms_cost_of_credit(*, terms: TermsVersion, principal: Decimal = Decimal("10000.00")) -> CostOfCredit | None:
    """The terms page's example: the IRR-based annual rate of ``principal`` over the shortest of
    12 months and the longest term offered, on the terms' schedule method and rate (no query)."""
    params = terms.parameters
    if params.get("schedule_method") == ScheduleMethod.SUBSCRIPTION:
        return None
    term = min(12, int(params.get("max_term", 12) or 12))
    first_due = first_due_default(params, terms.created_at.date())
    options = schedule_options(params)
    try:
        lines = build_schedule(
            principal=principal,
            annual_rate=Decimal(params["annual_interest_rate"]),
            term=term,
            method=params["schedule_method"],
            first_due=first_due,
            options=options,
        )
        rate: Decimal | None = schedule_apr(
            principal=principal, totals=[ln.total for ln in lines], first_due=first_due, options=options
        )
    except (IrrUndefined, ValueError):
        rate = None
    regime = params.get("cost_regime", CostRegime.LICENSED_LENDER)
    cap = Decimal(params["cost_cap_annual_rate"])
    return CostOfCredit(annualised_rate=rate, cap_rate=cap, rule=str(CostRegime(regime).label))


def schedule_conventions_shown(*, terms: TermsVersion) -> list[tuple[str, str]]:
    """The accepted terms' schedule conventions as (label, value) lines for the customer (no query):
    how often installments fall due, how interest is counted and rounded, and any grace."""
    options = schedule_options(terms.parameters)
    unit = PeriodUnitChoice(options.unit).label
    facts = [
        (_("Installments"), _("every %(n)s %(unit)s") % {"n": options.every, "unit": unit}),
        (_("Interest is counted"), str(DayCountChoice(options.day_count).label)),
        (_("Cents are rounded"), str(RoundingChoice(options.rounding).label)),
    ]
    if options.installment_multiple is not None:
        facts.append(
            (
                _("Installments are rounded"),
                _("%(how)s of %(multiple)s; the last installment makes up the difference")
                % {
                    "how": InstallmentRoundingChoice(options.installment_rounding).label,
                    "multiple": number_format(options.installment_multiple, 2),
                },
            )
        )
    if options.month_end_roll:
        facts.append((_("Month ends"), _("a first due date at a month end keeps every due date at the month end")))
    for count, label in (
        (options.grace_principal, _("Periods without principal")),
        (options.grace_interest, _("Periods with interest deferred to the next period")),
        (options.interest_free, _("Interest-free periods")),
    ):
        if count:
            facts.append((label, str(count)))
    return facts
