"""External collection agencies and the placement of accounts with them (``cases.models``
re-exports them). An agency's users see only the accounts placed with it, for the placement's
period, with personal data masked; their calls go through the same compliance engine and count
toward the same daily limits as the lender's own (CBA 2026)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracts.fields import money_field
from contracts.models import Contract


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    licence_number = models.CharField(_("licence number"), max_length=60)
    licence_valid_until = models.DateField(_("licence valid until"))
    commission_rate = models.DecimalField(
        _("commission on recoveries"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.5"))],
        help_text=_("Share of what is recovered during a placement, e.g. 0.1500 for 15%."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="agencies", blank=True, verbose_name=_("agency users")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("collection agency")
        verbose_name_plural = _("collection agencies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=Decimal("0.5")),
                name="agency_commission_rate_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("Placed")
    RECALLED = "recalled", _("Recalled")


PLACEMENT_TRANSITIONS: dict[str, set[str]] = {
    PlacementStatus.ACTIVE: {PlacementStatus.RECALLED},
    PlacementStatus.RECALLED: set(),
}


class AgencyPlacement(models.Model):
    """An account placed with an agency from ``placed_at`` to ``ends_on`` (inclusive) or its
    recall, whichever comes first. Commission is earned on payments posted in that period."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="agency_placements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="placements")
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE
    )
    placed_at = models.DateTimeField(_("placed at"))
    placed_on = models.DateField(_("placed on"))
    ends_on = models.DateField(_("placed until"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    commission_rate = models.DecimalField(_("commission on recoveries"), max_digits=5, decimal_places=4)
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    recalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recall_reason = models.CharField(_("reason for the recall"), max_length=300, blank=True)
    recovered = money_field(_("recovered during the placement"))
    commission = money_field(_("commission"))

    class Meta:
        verbose_name = _("agency placement")
        verbose_name_plural = _("agency placements")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="active"), name="one_active_placement_per_contract"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("placed_on")), name="placement_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"placement {self.contract_id} with {self.agency_id} ({self.status})"

    def can_recall(self) -> bool:
        return PlacementStatus.RECALLED in PLACEMENT_TRANSITIONS[self.status]
