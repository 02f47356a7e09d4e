"""The dated rate tables the cost cap reads (``contracts.cost_cap``): the loan prime rate and
US state rate caps. Kept in the admin; ``contracts.models`` re-exports both."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LoanPrimeRate(models.Model):
    """A published loan prime rate (贷款市场报价利率), one row per published change.

    Private lending's cap is four times the one-year LPR in force when the contract was made
    (Supreme People's Court provisions on private lending, 2020 revision, art. 25): the row
    with the latest ``effective_from`` on or before the signing date.
    """

    class Tenor(models.TextChoices):
        ONE_YEAR = "1Y", _("One year")
        FIVE_YEARS = "5Y", _("Over five years")

    tenor = models.CharField(_("tenor"), max_length=2, choices=Tenor.choices, default=Tenor.ONE_YEAR)
    rate = models.DecimalField(
        _("rate"),
        max_digits=7,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Yearly rate, e.g. 0.031 for 3.10%."),
    )
    published_on = models.DateField(_("published on"))
    effective_from = models.DateField(_("in force from"))

    class Meta:
        verbose_name = _("loan prime rate")
        verbose_name_plural = _("loan prime rates")
        ordering = ["tenor", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["tenor", "effective_from"], name="lpr_one_per_tenor_and_date"),
            models.CheckConstraint(
                condition=Q(effective_from__gte=models.F("published_on")), name="lpr_effective_after_published"
            ),
        ]

    def __str__(self) -> str:
        return f"LPR {self.tenor} {self.rate} from {self.effective_from}"


class StateRateCap(models.Model):
    """A US state's rate cap, entered by compliance with its source. The table may be empty:
    no cap is assumed that nobody entered."""

    state = models.CharField(_("state"), max_length=2, help_text=_("Two-letter postal code, e.g. NY."))
    description = models.CharField(_("applies to"), max_length=200)
    annual_rate = models.DecimalField(
        _("annual rate cap"),
        max_digits=7,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    source = models.CharField(_("statute or source"), max_length=300)
    effective_from = models.DateField(_("in force from"))

    class Meta:
        verbose_name = _("US state rate cap")
        verbose_name_plural = _("US state rate caps")
        ordering = ["state", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["state", "description", "effective_from"], name="state_cap_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.description} {self.annual_rate}"
