"""A product's schedule conventions: each one a term of the product, copied into every terms
version it publishes, shown to the customer with the accepted terms, and applied when a contract
is opened (``contracts.schedules``; docs/SCHEDULES.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .schedule_conventions import due_dates
from .schedules import DayCount, InstallmentRounding, PeriodUnit, Rounding, ScheduleMethod, ScheduleOptions


class DayCountChoice(models.TextChoices):
    THIRTY_360 = DayCount.THIRTY_360.value, _("30/360 (each month is 1/12 of the annual rate)")
    ACTUAL_365 = DayCount.ACTUAL_365.value, _("Actual/365 (actual days over 365)")
    ACTUAL_364 = DayCount.ACTUAL_364.value, _("Actual/364 (actual days over 364)")
    ACTUAL_360 = DayCount.ACTUAL_360.value, _("Actual/360 (actual days over 360)")
    ACTUAL_ACTUAL = DayCount.ACTUAL_ACTUAL.value, _("Actual/actual (actual days over the year's 365 or 366)")


class PeriodUnitChoice(models.TextChoices):
    MONTH = PeriodUnit.MONTH.value, _("month")
    WEEK = PeriodUnit.WEEK.value, _("week")
    DAY = PeriodUnit.DAY.value, _("day")


class RoundingChoice(models.TextChoices):
    HALF_UP = Rounding.HALF_UP.value, _("Half up (0.005 becomes 0.01)")
    HALF_EVEN = Rounding.HALF_EVEN.value, _("Half even, banker's rounding (0.005 becomes 0.00, 0.015 becomes 0.02)")


class InstallmentRoundingChoice(models.TextChoices):
    NEAREST = InstallmentRounding.NEAREST.value, _("to the nearest multiple")
    UP = InstallmentRounding.UP.value, _("up to the next multiple")


# The terms-version parameter of each field (ScheduleOptions' names), in the order shown.
SCHEDULE_PARAMETER_FIELDS = {
    "day_count": "day_count",
    "repayment_every": "every",
    "repayment_unit": "unit",
    "rounding": "rounding",
    "installment_multiple": "installment_multiple",
    "installment_rounding": "installment_rounding",
    "month_end_roll": "month_end_roll",
    "grace_principal_periods": "grace_principal",
    "grace_interest_periods": "grace_interest",
    "interest_free_periods": "interest_free",
}


class ScheduleTerms(models.Model):
    """The schedule conventions of a product (abstract: the product's own columns)."""

    day_count = models.CharField(
        _("day count"),
        max_length=16,
        choices=DayCountChoice.choices,
        default=DayCountChoice.THIRTY_360,
        help_text=_("How a period's interest is measured: its fraction of a year."),
    )
    repayment_every = models.PositiveSmallIntegerField(
        _("installment every"), default=1, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    repayment_unit = models.CharField(
        _("installment period unit"), max_length=8, choices=PeriodUnitChoice.choices, default=PeriodUnitChoice.MONTH
    )
    rounding = models.CharField(
        _("cents rounding"), max_length=10, choices=RoundingChoice.choices, default=RoundingChoice.HALF_UP
    )
    installment_multiple = models.DecimalField(
        _("installment in multiples of"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty: to the cent. The last installment makes up the difference."),
    )
    installment_rounding = models.CharField(
        _("installment rounding to the multiple"),
        max_length=8,
        choices=InstallmentRoundingChoice.choices,
        default=InstallmentRoundingChoice.NEAREST,
    )
    month_end_roll = models.BooleanField(
        _("month-end roll"),
        default=False,
        help_text=_("A first due date on the last day of a month keeps every due date at the month end."),
    )
    grace_principal_periods = models.PositiveSmallIntegerField(
        _("periods without principal"), default=0, help_text=_("The first periods pay interest only.")
    )
    grace_interest_periods = models.PositiveSmallIntegerField(
        _("periods with interest deferred"),
        default=0,
        help_text=_("The first periods' interest falls due with the first period after them."),
    )
    interest_free_periods = models.PositiveSmallIntegerField(
        _("interest-free periods"), default=0, help_text=_("The first periods accrue no interest at all.")
    )

    class Meta:
        abstract = True


def schedule_parameters(product: ScheduleTerms) -> dict[str, Any]:
    """The product's conventions as terms-version parameters (JSON: amounts as strings)."""
    params: dict[str, Any] = {}
    for field, name in SCHEDULE_PARAMETER_FIELDS.items():
        value = getattr(product, field)
        params[name] = str(value) if isinstance(value, Decimal) else value
    return params


def schedule_options(
    params: Mapping[str, Any],
    *,
    start_date: dt.date | None = None,
    first_due: dt.date | None = None,
    fixed_payment: Decimal | None = None,
) -> ScheduleOptions:
    """The ``ScheduleOptions`` of a terms version's parameters; versions published before these
    conventions existed have the defaults (monthly, 30/360, half-up).

    A contract's ``start_date`` (the disbursement) is a broken first period only when ``first_due``
    is not one regular period after it; otherwise the first period is a full one."""
    multiple = params.get("installment_multiple")
    every = int(params.get("every", 1))
    unit = PeriodUnit(params.get("unit", PeriodUnit.MONTH))
    roll = bool(params.get("month_end_roll", False))
    disbursed = None
    # A subscription lends nothing: its start date shapes no interest.
    lends = params.get("schedule_method") != ScheduleMethod.SUBSCRIPTION
    broken = (
        start_date is not None and first_due is not None and first_due != next_due_date(start_date, every, unit, roll)
    )
    if lends and broken:
        disbursed = start_date
    return ScheduleOptions(
        disbursed=disbursed,
        day_count=DayCount(params.get("day_count", DayCount.THIRTY_360)),
        every=every,
        unit=unit,
        rounding=Rounding(params.get("rounding", Rounding.HALF_UP)),
        installment_multiple=Decimal(multiple) if multiple not in (None, "", "None") else None,
        installment_rounding=InstallmentRounding(params.get("installment_rounding", InstallmentRounding.NEAREST)),
        month_end_roll=roll,
        grace_principal=int(params.get("grace_principal", 0)),
        grace_interest=int(params.get("grace_interest", 0)),
        interest_free=int(params.get("interest_free", 0)),
        fixed_payment=fixed_payment,
    )


def next_due_date(start: dt.date, every: int, unit: PeriodUnit, month_end_roll: bool) -> dt.date:
    """One regular period after ``start``: a contract's default first due date."""
    return due_dates(start, 2, every, unit, month_end_roll)[1]


def first_due_default(params: Mapping[str, Any], start_date: dt.date) -> dt.date:
    return next_due_date(
        start_date,
        int(params.get("every", 1)),
        PeriodUnit(params.get("unit", PeriodUnit.MONTH)),
        bool(params.get("month_end_roll", False)),
    )
