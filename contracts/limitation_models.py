"""The dated table of statutes of limitations (12 CFR 1006.26(b)); ``contracts.models`` re-exports
``LimitationPeriod``, so callers and migrations import it from there."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import DebtType, UsState


class LimitationPeriod(models.Model):
    """A statute of limitations for one US jurisdiction and debt type, with the dates it is in
    force; compliance keeps the table in the admin (rows are closed with ``effective_to``, never
    deleted: what was in force on a past day stays answerable)."""

    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=UsState.choices)
    debt_type = models.CharField(
        _("debt type"), max_length=20, choices=DebtType.choices, default=DebtType.WRITTEN_CONTRACT
    )
    years = models.PositiveSmallIntegerField(
        _("period (years)"), validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    revived_by_payment = models.BooleanField(
        _("a payment restarts the period"),
        default=False,
        help_text=_(
            "Whether, under this state's law, a payment restarts the limitation period. When unsure leave it "
            "off: the debt is then time-barred no later than the law makes it."
        ),
    )
    citation = models.CharField(_("source"), max_length=200, help_text=_("The statute section, e.g. CPLR 214-i."))
    effective_from = models.DateField(
        _("in force from"), null=True, blank=True, help_text=_("Empty: in force since before the table starts.")
    )
    effective_to = models.DateField(_("in force until (inclusive)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("limitation period")
        verbose_name_plural = _("limitation periods")
        ordering = ["jurisdiction", "debt_type", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="limitation_period_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(years__gte=1), name="limitation_period_years_positive"),
        ]
        indexes = [models.Index(fields=["jurisdiction", "debt_type"])]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.debt_type} {self.years}y"
